import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * Where the built SPA is when CONSOLE_SPA_DIR is not set. The webpack bundle sits beside it
 * (dist/apps/operator-console/{main.js,spa/}); run from source (jest, ts-node) this file is
 * in apps/operator-console/server/spa, and the SPA is the one `nx build-spa` wrote to dist.
 */
export function defaultSpaDir(): string {
  const besideBundle = join(__dirname, 'spa');
  if (existsSync(besideBundle)) return besideBundle;
  return resolve(__dirname, '../../../../dist/apps/operator-console/spa');
}
