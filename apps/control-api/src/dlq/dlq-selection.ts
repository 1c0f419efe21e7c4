import type { FieldError } from '@orch/contracts';

/** How many dead-lettered jobs one replay or purge call touches when selecting by filter. */
export const DEFAULT_DLQ_BATCH = 100;
export const MAX_DLQ_BATCH = 1000;

/** Which dead-lettered jobs of a workspace a list, replay or purge concerns (all optional, combined with AND). */
export interface DlqFilter {
  connector?: string;
  operation?: string;
  errorCode?: string;
  /** Dead-lettered at or after (inclusive). */
  after?: Date;
  /** Dead-lettered before (exclusive). */
  before?: Date;
}

/** One job by id, or up to `limit` jobs by filter, oldest dead-lettered first. */
export type DlqSelection = { kind: 'one'; jobId: string } | { kind: 'filter'; filter: DlqFilter; limit: number };

export interface DlqSelectionInput {
  job_id?: string;
  filter?: { connector?: string; operation?: string; error_code?: string; after?: string; before?: string };
  limit?: number;
}

/**
 * Exactly one of job_id and filter; limit only with a filter; a time range that is not empty.
 * Returns the problems (with body paths) or the selection.
 */
export function toDlqSelection(input: DlqSelectionInput): { problems: FieldError[] } | { selection: DlqSelection } {
  const problems: FieldError[] = [];
  if (input.job_id !== undefined && input.filter !== undefined) problems.push({ path: '/job_id', message: 'give either job_id or filter, not both' });
  if (input.job_id === undefined && input.filter === undefined) problems.push({ path: '/job_id', message: 'give either job_id or filter' });
  if (input.job_id !== undefined && input.limit !== undefined) problems.push({ path: '/limit', message: 'applies only with filter' });
  const filter = input.filter ? toDlqFilter(input.filter) : undefined;
  if (filter?.after && filter.before && filter.after.getTime() >= filter.before.getTime()) problems.push({ path: '/filter/before', message: 'must be later than filter.after' });
  if (problems.length > 0) return { problems };
  if (input.job_id !== undefined) return { selection: { kind: 'one', jobId: input.job_id } };
  return { selection: { kind: 'filter', filter: filter ?? {}, limit: input.limit ?? DEFAULT_DLQ_BATCH } };
}

export function toDlqFilter(input: { connector?: string; operation?: string; error_code?: string; after?: string; before?: string }): DlqFilter {
  return {
    ...(input.connector !== undefined ? { connector: input.connector } : {}),
    ...(input.operation !== undefined ? { operation: input.operation } : {}),
    ...(input.error_code !== undefined ? { errorCode: input.error_code } : {}),
    ...(input.after !== undefined ? { after: new Date(input.after) } : {}),
    ...(input.before !== undefined ? { before: new Date(input.before) } : {}),
  };
}
