import type { CommandSpec } from '../command';

interface TokenResponse {
  access_token: string;
  token_type: string;
  expires_in: number;
  scope?: string;
}

export const tokenMintCommand: CommandSpec = {
  name: 'token mint',
  summary: 'Mint a service token (OAuth2 client credentials); prints the access token',
  description: 'POST /v1/oauth/token. Needs no operator session. Prints only the token, for $(orchctl token mint …).',
  options: {
    'client-id': { type: 'string', placeholder: '<id>', description: 'the identity client_id' },
    'client-secret': { type: 'string', placeholder: '<secret>', description: 'the client secret (default: $ORCH_CLIENT_SECRET; prefer --client-secret-stdin)' },
    'client-secret-stdin': { type: 'boolean', description: 'read the client secret from standard input' },
    scope: { type: 'string', placeholder: '<scopes>', description: 'space-separated subset of the identity scopes (default: all of them)' },
  },
  async run(ctx) {
    const clientId = ctx.requireString('client-id');
    const clientSecret = await ctx.secret('client-secret', { env: 'ORCH_CLIENT_SECRET' });
    const scope = ctx.string('scope');
    const token = await ctx.publicRequest<TokenResponse>('POST', '/v1/oauth/token', {
      body: { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, ...(scope ? { scope } : {}) },
    });
    if (ctx.json) return ctx.printJson(token);
    ctx.io.out(token.access_token);
  },
};
