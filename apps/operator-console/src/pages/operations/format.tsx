import { Link } from 'react-router';

/** Small display helpers shared by the operations pages. */

/** `2026-11-27 04:31:02` in the operator's local time; '—' for nothing. */
export function formatTime(value: string | null | undefined): string {
  if (!value) return '—';
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

/** `04:31:02.118`, for terminal lines. */
export function formatClock(value: string): string {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
}

/** A `datetime-local` input's value as ISO-8601 UTC (what the APIs take); undefined when empty or invalid. */
export function isoFromLocalInput(value: string): string | undefined {
  if (!value) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

export function shortId(id: string | null | undefined): string {
  if (!id) return '—';
  return id.length > 8 ? id.slice(0, 8) : id;
}

/** A row's id, short, as a link to its detail page (DataTable leaves clicks on it to the link). */
export function IdLink({ id }: { id: string }) {
  return (
    <Link to={id} title={id}>
      {shortId(id)}
    </Link>
  );
}

export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

const TONES: Record<string, 'ok' | 'warn' | 'down' | undefined> = {
  succeeded: 'ok',
  processed: 'ok',
  delivered: 'ok',
  failed: 'down',
  dead_lettered: 'down',
  cancelled: 'warn',
  pending: 'warn',
};

/** A job, run, inbox or callback status as a coloured badge. */
export function StatusPill({ status }: { status: string | null | undefined }) {
  if (!status) return <span className="muted">—</span>;
  const tone = TONES[status];
  return <span className={tone ? `badge badge--${tone}` : 'badge'}>{status.replace(/_/g, ' ')}</span>;
}

/** Drops empty filter values so query keys and URLs stay stable. */
export function compact<T extends object>(filters: T): T {
  return Object.fromEntries(Object.entries(filters).filter(([, value]) => value !== undefined && value !== '')) as T;
}
