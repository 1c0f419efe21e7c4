export interface DiffLine {
  kind: 'same' | 'added' | 'removed';
  text: string;
}

/** Line diff (longest common subsequence) of two values' indented JSON: what a config version or an audit row changed. */
export function diffJson(before: unknown, after: unknown): DiffLine[] {
  const a = before === undefined ? [] : JSON.stringify(before, sortedReplacer, 2).split('\n');
  const b = after === undefined ? [] : JSON.stringify(after, sortedReplacer, 2).split('\n');
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  const lines: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      lines.push({ kind: 'same', text: a[i] });
      i++;
      j++;
    } else if (lcs[i + 1][j] >= lcs[i][j + 1]) {
      lines.push({ kind: 'removed', text: a[i++] });
    } else {
      lines.push({ kind: 'added', text: b[j++] });
    }
  }
  while (i < a.length) lines.push({ kind: 'removed', text: a[i++] });
  while (j < b.length) lines.push({ kind: 'added', text: b[j++] });
  return lines;
}

/** Object keys in a stable order, so a reordering is not shown as a change. */
function sortedReplacer(_key: string, value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value as Record<string, unknown>).sort(([x], [y]) => x.localeCompare(y)));
}

const MARK: Record<DiffLine['kind'], string> = { same: ' ', added: '+', removed: '-' };

export function JsonDiff({ before, after, label }: { before: unknown; after: unknown; label?: string }) {
  const lines = diffJson(before, after);
  const changed = lines.some((line) => line.kind !== 'same');
  return (
    <div className="diff" aria-label={label}>
      {!changed && <p className="muted">No differences.</p>}
      <pre className="json-view">
        {lines.map((line, index) => (
          <div key={index} className={line.kind === 'same' ? 'diff__line' : `diff__line diff__line--${line.kind}`} data-diff={line.kind}>
            {MARK[line.kind]} {line.text}
          </div>
        ))}
      </pre>
    </div>
  );
}
