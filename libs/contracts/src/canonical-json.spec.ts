import { canonicalJson } from './canonical-json';

describe(canonicalJson.name, () => {
  it('gives the same text whatever the key order', () => {
    expect(canonicalJson({ b: 1, a: 2, c: { z: 1, y: 2 } })).toBe(canonicalJson({ c: { y: 2, z: 1 }, a: 2, b: 1 }));
    expect(canonicalJson({ b: 1, a: 2 })).toBe('{"a":2,"b":1}');
  });

  it('sorts keys at every depth, inside arrays too', () => {
    expect(canonicalJson({ outer: { b: [{ d: 1, c: 2 }], a: null } })).toBe('{"outer":{"a":null,"b":[{"c":2,"d":1}]}}');
  });

  it('keeps array order (order is data)', () => {
    expect(canonicalJson([3, 1, 2])).toBe('[3,1,2]');
    expect(canonicalJson([1, 2])).not.toBe(canonicalJson([2, 1]));
  });

  it('writes Dates as ISO-8601 UTC, nested or not', () => {
    const at = new Date('2026-01-02T03:04:05.678Z');
    expect(canonicalJson(at)).toBe('"2026-01-02T03:04:05.678Z"');
    expect(canonicalJson({ at: [at] })).toBe('{"at":["2026-01-02T03:04:05.678Z"]}');
  });

  it('drops undefined properties, as JSON does, but keeps null', () => {
    expect(canonicalJson({ a: undefined, b: null })).toBe('{"b":null}');
  });

  it('passes scalars through', () => {
    expect(canonicalJson('x')).toBe('"x"');
    expect(canonicalJson(1.5)).toBe('1.5');
    expect(canonicalJson(true)).toBe('true');
    expect(canonicalJson(null)).toBe('null');
  });
});
