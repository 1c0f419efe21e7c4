import { applyMergePatch } from './json-merge-patch';

describe('applyMergePatch', () => {
  it('merges objects key by key, removes keys patched with null and replaces arrays', () => {
    const target = { a: 1, nested: { b: 2, c: 3 }, list: [1, 2] };
    expect(applyMergePatch(target, { a: null, nested: { c: 4, d: 5 }, list: [9] })).toEqual({ nested: { b: 2, c: 4, d: 5 }, list: [9] });
    expect(target).toEqual({ a: 1, nested: { b: 2, c: 3 }, list: [1, 2] });
  });

  it('replaces the whole value when the patch is not an object (RFC 7396 examples)', () => {
    expect(applyMergePatch({ a: 'b' }, ['c'])).toEqual(['c']);
    expect(applyMergePatch(['a'], { a: 'b' })).toEqual({ a: 'b' });
    expect(applyMergePatch({ e: null }, { a: 1 })).toEqual({ e: null, a: 1 });
  });
});
