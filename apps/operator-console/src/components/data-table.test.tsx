import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DataTable } from './data-table';

afterEach(cleanup);

describe(DataTable.name, () => {
  const rows = [{ id: 'a', name: 'alpha' }];
  const columns = [
    { header: 'Name', render: (row: { name: string }) => <a href={`#${row.name}`}>{row.name}</a> },
    { header: 'Kind', render: () => 'http' },
    { header: 'Actions', render: () => <button type="button">Delete</button> },
  ];

  it('opens the row on a click in a plain cell, and leaves clicks on links and buttons to them', () => {
    const onRowClick = vi.fn();
    render(<DataTable columns={columns} rows={rows} rowKey={(row) => row.id} onRowClick={onRowClick} />);

    fireEvent.click(screen.getByText('http'));
    expect(onRowClick).toHaveBeenCalledTimes(1);

    fireEvent.click(screen.getByRole('link', { name: 'alpha' }));
    fireEvent.click(screen.getByRole('button', { name: 'Delete' }));
    expect(onRowClick).toHaveBeenCalledTimes(1);
  });
});
