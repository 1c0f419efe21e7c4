import type { CommandSpec } from '../command';

interface WorkspaceResponse {
  id: string;
  name: string;
  created_at?: string;
}

/** Lists come as `{data, next_cursor}` (or a bare array from older servers). */
interface Page<T> {
  data?: T[];
  items?: T[];
  next_cursor?: string | null;
}

const REASON = { type: 'string', placeholder: '<text>', description: 'why this change is made (required; written to the audit log)' } as const;

export const workspaceCreateCommand: CommandSpec = {
  name: 'workspace create',
  summary: 'Create a workspace (named *-dev or *-prod to match ORCH_ENV)',
  args: ['<name>'],
  description: 'POST /v1/workspaces as the logged-in operator (OperatorAdmin, or BreakGlassAdmin under break-glass).',
  options: { reason: REASON },
  async run(ctx) {
    const [name] = ctx.positionals;
    const reason = ctx.requireString('reason', 'every change is audited');
    const workspace = await ctx.operatorRequest<WorkspaceResponse>('POST', '/v1/workspaces', { body: { name }, headers: { 'x-reason': reason } });
    if (ctx.json) return ctx.printJson(workspace);
    ctx.io.out(`Workspace created: ${workspace.name} ${workspace.id}`);
  },
};

export const workspaceListCommand: CommandSpec = {
  name: 'workspace list',
  summary: 'List workspaces',
  description: 'GET /v1/workspaces, following the cursor to the end (or one page with --limit).',
  options: {
    limit: { type: 'string', placeholder: '<n>', description: 'one page of at most n workspaces' },
  },
  async run(ctx) {
    const limit = ctx.string('limit');
    const rows: WorkspaceResponse[] = [];
    let cursor: string | null | undefined;
    const pages: unknown[] = [];
    do {
      const query = new URLSearchParams({ limit: limit ?? '200', ...(cursor ? { cursor } : {}) });
      const page = await ctx.operatorRequest<Page<WorkspaceResponse> | WorkspaceResponse[]>('GET', `/v1/workspaces?${query}`);
      pages.push(page);
      if (Array.isArray(page)) {
        rows.push(...page);
        cursor = undefined;
      } else {
        rows.push(...(page.data ?? page.items ?? []));
        cursor = limit ? undefined : page.next_cursor;
      }
    } while (cursor);
    if (ctx.json) return ctx.printJson(pages.length === 1 ? pages[0] : { data: rows, next_cursor: null });
    if (rows.length === 0) return ctx.io.out('No workspaces.');
    const width = Math.max(4, ...rows.map((w) => w.name.length));
    ctx.io.out(`${'NAME'.padEnd(width)}  ${'ID'.padEnd(36)}  CREATED`);
    for (const w of rows) ctx.io.out(`${w.name.padEnd(width)}  ${w.id.padEnd(36)}  ${w.created_at ?? ''}`);
  },
};
