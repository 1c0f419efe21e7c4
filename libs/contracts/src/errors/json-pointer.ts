/** Builds an RFC 6901 JSON Pointer from path segments ("a", 0, "b/c") -> "/a/0/b~1c". */
export function toJsonPointer(segments: ReadonlyArray<string | number>): string {
  return segments.map((s) => '/' + String(s).replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}
