import type { CommandSpec, LoginResponse } from '../command';
import { UsageError } from '../errors';
import { removeSession } from '../session-file';

interface BootstrapResponse {
  id?: string;
  email?: string;
  roles?: string[];
  operator?: { id?: string; email?: string; roles?: string[] };
}

export const bootstrapCommand: CommandSpec = {
  name: 'bootstrap',
  summary: 'Create the first OperatorAdmin (only while no operator exists)',
  description: 'POST /v1/auth/bootstrap. control-api must run with ORCH_BOOTSTRAP_TOKEN set; pass the same value.\nThen: orchctl login --email <email>.',
  options: {
    email: { type: 'string', placeholder: '<email>', description: 'the administrator e-mail' },
    password: { type: 'string', placeholder: '<password>', description: 'the password (visible to other users of this machine; prefer --password-stdin or the prompt)' },
    'password-stdin': { type: 'boolean', description: 'read the password from standard input' },
    'bootstrap-token': { type: 'string', placeholder: '<token>', description: 'the ORCH_BOOTSTRAP_TOKEN of control-api (default: $ORCH_BOOTSTRAP_TOKEN)' },
    reason: { type: 'string', placeholder: '<text>', description: 'written to the audit log (default: "orchctl bootstrap")' },
  },
  async run(ctx) {
    const email = ctx.requireString('email');
    const bootstrapToken = ctx.string('bootstrap-token') ?? ctx.io.env['ORCH_BOOTSTRAP_TOKEN'];
    if (!bootstrapToken) throw new UsageError('--bootstrap-token or $ORCH_BOOTSTRAP_TOKEN is required');
    const password = await ctx.secret('password', { prompt: 'New password: ' });
    const reason = ctx.string('reason');
    const response = await ctx.publicRequest<BootstrapResponse>('POST', '/v1/auth/bootstrap', { body: { email, password, ...(reason ? { reason } : {}) }, headers: { 'x-bootstrap-token': bootstrapToken } });
    if (ctx.json) return ctx.printJson(response);
    const operator = response.operator ?? response;
    ctx.io.out(`OperatorAdmin created: ${operator.email ?? email}${operator.id ? ` (${operator.id})` : ''}`);
    ctx.io.out(`Next: orchctl login --email ${operator.email ?? email}`);
  },
};

export const loginCommand: CommandSpec = {
  name: 'login',
  summary: 'Sign in as an operator; keeps the session for the next commands',
  description: 'POST /v1/auth/login. The session (access + refresh token) goes to $ORCHCTL_SESSION_FILE or\n~/.config/orchctl/session.json (mode 0600) and is refreshed when it runs out.',
  options: {
    email: { type: 'string', placeholder: '<email>', description: 'operator e-mail' },
    password: { type: 'string', placeholder: '<password>', description: 'the password (prefer --password-stdin or the prompt)' },
    'password-stdin': { type: 'boolean', description: 'read the password from standard input' },
  },
  async run(ctx) {
    const email = ctx.requireString('email');
    const password = await ctx.secret('password', { prompt: 'Password: ' });
    const client = ctx.client();
    const response = await client.request<LoginResponse>('POST', '/v1/auth/login', { body: { email, password } });
    const session = ctx.saveLogin(client.baseUrl, response);
    if (ctx.json) return ctx.printJson(response);
    const roles = session.operator?.roles?.length ? ` [${session.operator.roles.join(', ')}]` : '';
    ctx.io.out(`Logged in to ${client.baseUrl} as ${session.operator?.email ?? email}${roles}; token valid ${response.expires_in} s${session.refresh_token ? ', refreshed automatically' : ''}.`);
  },
};

export const logoutCommand: CommandSpec = {
  name: 'logout',
  summary: 'Forget the saved session',
  description: 'Deletes the session file. The access token itself stays valid until it expires (≤ 15 min).',
  options: {},
  async run(ctx) {
    const removed = removeSession(ctx.sessionPath);
    if (ctx.json) return ctx.printJson({ removed });
    ctx.io.out(removed ? 'Logged out.' : 'No session to forget.');
  },
};
