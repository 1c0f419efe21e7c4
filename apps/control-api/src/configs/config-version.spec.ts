import { canonicalSize, configChecksum, nextVersion } from './config-version';

describe('configChecksum', () => {
  it('is the same whatever the key order, at every depth', () => {
    expect(configChecksum({ a: 1, b: { c: [1, { d: 2, e: 3 }], f: null } })).toBe(configChecksum({ b: { f: null, c: [1, { e: 3, d: 2 }] }, a: 1 }));
  });

  it('differs when a value or the order of an array differs', () => {
    expect(configChecksum({ a: [1, 2] })).not.toBe(configChecksum({ a: [2, 1] }));
    expect(configChecksum({ a: '1' })).not.toBe(configChecksum({ a: 1 }));
  });

  it('is hex sha256', () => {
    expect(configChecksum({})).toBe('44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a');
  });
});

describe('canonicalSize', () => {
  it('counts utf-8 bytes of the canonical JSON', () => {
    expect(canonicalSize({ a: 'é' })).toBe(Buffer.byteLength('{"a":"é"}'));
  });
});

describe('nextVersion', () => {
  it('starts at v1', () => {
    expect(nextVersion([])).toBe('v1');
  });

  it('follows the highest v<N>, ignoring other version names', () => {
    expect(nextVersion(['v1', 'v10', 'v2', '2025-01-01', 'v3-rc'])).toBe('v11');
  });
});
