import type { CommandSpec } from '../command';
import { UsageError } from '../errors';

interface CreatedIdentity {
  id: string;
  name: string;
  client_id: string;
  client_secret: string;
  audience: string;
  scopes: string[];
  created_at?: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const identityCreateCommand: CommandSpec = {
  name: 'identity create',
  summary: 'Create a service identity in a workspace; prints its client secret once',
  args: ['<workspace-id>'],
  description: 'POST /v1/workspaces/<workspace-id>/service-identities. The secret is shown only here: store it now.',
  options: {
    name: { type: 'string', placeholder: 'svc:<product>-backend', description: 'identity name' },
    audience: { type: 'string', placeholder: '<aud>', description: 'orchestrator-exec (default) or orchestrator-control' },
    scopes: { type: 'string', placeholder: '<a,b>', description: 'comma-separated scopes, e.g. execute,jobs:write' },
    reason: { type: 'string', placeholder: '<text>', description: 'why this change is made (required; written to the audit log)' },
  },
  async run(ctx) {
    const [workspaceId] = ctx.positionals;
    if (!UUID.test(workspaceId)) throw new UsageError(`<workspace-id> must be a workspace UUID (orchctl workspace list), not "${workspaceId}"`);
    const body = {
      name: ctx.requireString('name'),
      audience: ctx.string('audience') ?? 'orchestrator-exec',
      scopes: (ctx.string('scopes') ?? '')
        .split(',')
        .map((scope) => scope.trim())
        .filter(Boolean),
    };
    const reason = ctx.requireString('reason', 'every change is audited');
    const identity = await ctx.operatorRequest<CreatedIdentity>('POST', `/v1/workspaces/${workspaceId}/service-identities`, { body, headers: { 'x-reason': reason } });
    if (ctx.json) return ctx.printJson(identity);
    ctx.io.out(`Service identity created: ${identity.name} (${identity.id})`);
    ctx.io.out(`audience:      ${identity.audience}`);
    ctx.io.out(`scopes:        ${identity.scopes.join(' ')}`);
    ctx.io.out(`client_id:     ${identity.client_id}`);
    ctx.io.out(`client_secret: ${identity.client_secret}`);
    ctx.io.err('The client secret is shown only once: store it now (orchctl token mint --client-id … --client-secret-stdin).');
  },
};
