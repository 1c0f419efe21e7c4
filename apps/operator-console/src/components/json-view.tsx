/** JSON as operators read it: indented, monospace, scrollable. */
export function JsonView({ value, label }: { value: unknown; label?: string }) {
  return (
    <pre className="json-view" aria-label={label}>
      {value === undefined ? '—' : JSON.stringify(value, null, 2)}
    </pre>
  );
}
