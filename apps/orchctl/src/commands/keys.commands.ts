import type { CommandSpec } from '../command';
import { CliError, UsageError } from '../errors';

const KID = /^[A-Za-z0-9._-]{1,64}$/;

export const keysGenerateCommand: CommandSpec = {
  name: 'keys generate',
  summary: 'Write a new Ed25519 signing key for control-api (local; no API call)',
  description: [
    'Writes <dir>/<kid>.private.pem (PKCS#8, mode 0600) in the format control-api loads from',
    'ORCH_JWT_KEYS_DIR. The one orchctl command that does not call the API: it makes the file',
    'control-api reads at start. Rotation steps: docs/04_security_model.md, "Key rotation".',
  ].join('\n'),
  options: {
    dir: { type: 'string', placeholder: '<keys dir>', description: 'the ORCH_JWT_KEYS_DIR of control-api' },
    kid: { type: 'string', placeholder: '<kid>', description: 'key id, sorted by name: use the date, e.g. 2026-11-27-a' },
  },
  async run(ctx) {
    const dir = ctx.requireString('dir');
    const kid = ctx.requireString('kid');
    if (!KID.test(kid)) throw new UsageError('--kid: 1 to 64 of A-Z a-z 0-9 . _ -');
    // Loaded only here: the rest of the CLI needs none of the server libraries.
    const { generateKeyFile } = await import('@orch/auth');
    let path: string;
    try {
      path = generateKeyFile(dir, kid);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new CliError(code === 'EEXIST' ? `a key named ${kid} already exists in ${dir}; pick another kid` : `cannot write the key: ${(error as Error).message}`);
    }
    if (ctx.json) return ctx.printJson({ kid, path });
    ctx.io.out(`Wrote ${path} (kid ${kid}).`);
    ctx.io.out('Copy it to ORCH_JWT_KEYS_DIR on every control-api replica and restart them: it is published in the JWKS.');
    ctx.io.out(`Keep ORCH_JWT_ACTIVE_KID on the current key for now (unset, the last kid by name signs); later set ORCH_JWT_ACTIVE_KID=${kid}.`);
  },
};
