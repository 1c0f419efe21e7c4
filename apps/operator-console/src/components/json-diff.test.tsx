import { describe, expect, it } from 'vitest';
import { diffJson } from './json-diff';

describe(diffJson.name, () => {
  it('marks changed lines and keeps the common ones', () => {
    const lines = diffJson({ a: 1, b: 2 }, { a: 1, b: 3 });
    expect(lines.filter((l) => l.kind === 'removed').map((l) => l.text.trim())).toEqual(['"b": 2']);
    expect(lines.filter((l) => l.kind === 'added').map((l) => l.text.trim())).toEqual(['"b": 3']);
    expect(lines.filter((l) => l.kind === 'same').length).toBe(3);
  });

  it('ignores key order and shows everything as added from nothing', () => {
    expect(diffJson({ a: 1, b: 2 }, { b: 2, a: 1 }).every((l) => l.kind === 'same')).toBe(true);
    expect(diffJson(undefined, { a: 1 }).every((l) => l.kind === 'added')).toBe(true);
  });
});
