import type { ReactNode } from 'react';

export interface Column<T> {
  header: string;
  render: (row: T) => ReactNode;
  /** Optional class for the cell (e.g. `mono`). */
  className?: string;
}

/** A plain, accessible table; pagination sits below it (<Pager>). */
export function DataTable<T>({ columns, rows, rowKey, caption, onRowClick }: { columns: Column<T>[]; rows: T[]; rowKey: (row: T) => string; caption?: string; onRowClick?: (row: T) => void }) {
  return (
    <div className="table-wrap">
      <table className="table">
        {caption && <caption>{caption}</caption>}
        <thead>
          <tr>
            {columns.map((column) => (
              <th key={column.header} scope="col">
                {column.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={rowKey(row)} className={onRowClick ? 'table__row--link' : undefined} onClick={onRowClick ? (event) => !isControl(event.target) && onRowClick(row) : undefined}>
              {columns.map((column) => (
                <td key={column.header} className={column.className}>
                  {column.render(row)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** A click on a link, button or form control inside a row is that control's, not the row's. */
function isControl(target: EventTarget): boolean {
  return target instanceof Element && target.closest('a, button, input, select, textarea, label') !== null;
}
