import { readFileSync, writeFileSync } from 'node:fs';
import type { CommandSpec } from '../command';
import { CliError, UsageError } from '../errors';

interface PlanItem {
  kind: string;
  name: string;
  diff?: Array<{ path: string; before: unknown; after: unknown }>;
}

export interface BundlePlan {
  workspace: { name: string; id?: string; action: 'create' | 'unchanged' };
  create: PlanItem[];
  update: PlanItem[];
  unchanged: PlanItem[];
}

interface ImportResponse {
  applied: boolean;
  plan: BundlePlan;
}

const show = (value: unknown): string => JSON.stringify(value) ?? 'null';

/** The plan as people read it: the counts, then every item, with each update's changes. */
export function describePlan(plan: BundlePlan, applied: boolean): string {
  const lines = [
    `${applied ? 'Applied' : 'Dry run (nothing written)'}: workspace ${plan.workspace.name}${plan.workspace.id ? ` ${plan.workspace.id}` : ''} (${plan.workspace.action})`,
    `${plan.create.length} create, ${plan.update.length} update, ${plan.unchanged.length} unchanged`,
  ];
  for (const item of plan.create) lines.push(`  + ${item.kind} ${item.name}`);
  for (const item of plan.update) {
    lines.push(`  ~ ${item.kind} ${item.name}`);
    for (const change of item.diff ?? []) lines.push(`      ${change.path}: ${show(change.before)} -> ${show(change.after)}`);
  }
  for (const item of plan.unchanged) lines.push(`  = ${item.kind} ${item.name}`);
  return lines.join('\n');
}

function readBundle(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read ${file}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CliError(`${file} is not JSON: ${(error as Error).message}`);
  }
}

export const bundleImportCommand: CommandSpec = {
  name: 'bundle import',
  summary: 'Import a bundle file (plan first with --dry-run)',
  args: ['<file>'],
  description:
    'POST /v1/bundles/import as the logged-in operator (OperatorAdmin). Creates the workspace named by tenant.name if absent,\nthen creates and updates what differs, all in one transaction. Errors point into the file (/bundle/...).',
  options: {
    'dry-run': { type: 'boolean', description: 'print the plan and write nothing (no reason needed)' },
    reason: { type: 'string', placeholder: '<text>', description: 'why this change is made (required unless --dry-run; written to the audit log)' },
  },
  async run(ctx) {
    const [file] = ctx.positionals;
    if (!file) throw new UsageError('orchctl bundle import needs <file>');
    const dryRun = ctx.options['dry-run'] === true;
    const reason = dryRun ? ctx.string('reason') : ctx.requireString('reason', 'every change is audited; or use --dry-run');
    const bundle = readBundle(file);
    const response = await ctx.operatorRequest<ImportResponse>('POST', '/v1/bundles/import', {
      body: { bundle, ...(dryRun ? { dry_run: true } : {}) },
      ...(reason ? { headers: { 'x-reason': reason } } : {}),
    });
    if (ctx.json) return ctx.printJson(response);
    ctx.io.out(describePlan(response.plan, response.applied));
  },
};

export const bundleExportCommand: CommandSpec = {
  name: 'bundle export',
  summary: "Export a workspace's configuration as a bundle (refs only, never secret values)",
  args: ['<workspace-id>'],
  description: 'GET /v1/workspaces/:id/bundle; prints the bundle, or writes it to --out.',
  options: {
    out: { type: 'string', placeholder: '<file>', description: 'write the bundle to this file instead of standard output' },
  },
  async run(ctx) {
    const [workspaceId] = ctx.positionals;
    const bundle = await ctx.operatorRequest<unknown>('GET', `/v1/workspaces/${encodeURIComponent(workspaceId ?? '')}/bundle`);
    const out = ctx.string('out');
    if (!out) return ctx.printJson(bundle);
    writeFileSync(out, `${JSON.stringify(bundle, null, 2)}\n`);
    ctx.io.out(`Bundle written to ${out}`);
  },
};
