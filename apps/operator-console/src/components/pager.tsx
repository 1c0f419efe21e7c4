import { useCallback, useState } from 'react';

/**
 * Cursor pagination state: the cursor of the page shown and the ones before it, so "Previous"
 * works without offsets. Reset it when the filters change.
 */
export function useCursorPager() {
  const [stack, setStack] = useState<string[]>([]);
  const cursor = stack.length > 0 ? stack[stack.length - 1] : undefined;
  const next = useCallback((nextCursor: string) => setStack((s) => [...s, nextCursor]), []);
  const previous = useCallback(() => setStack((s) => s.slice(0, -1)), []);
  const reset = useCallback(() => setStack([]), []);
  return { cursor, page: stack.length + 1, next, previous, reset, hasPrevious: stack.length > 0 };
}

export function Pager({ pager, nextCursor }: { pager: ReturnType<typeof useCursorPager>; nextCursor: string | null | undefined }) {
  if (!pager.hasPrevious && !nextCursor) return null;
  return (
    <nav className="pager" aria-label="Pagination">
      <button type="button" className="button" onClick={pager.previous} disabled={!pager.hasPrevious}>
        Previous
      </button>
      <span className="pager__page">Page {pager.page}</span>
      <button type="button" className="button" onClick={() => nextCursor && pager.next(nextCursor)} disabled={!nextCursor}>
        Next
      </button>
    </nav>
  );
}
