// Type-checks one project: every tsconfig.<role>.json in its folder (app/lib/spec/e2e).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';

const projectRoot = process.argv[2];
if (!projectRoot) {
  console.error('usage: node tools/typecheck.mjs <projectRoot>');
  process.exit(2);
}
const configs = readdirSync(projectRoot).filter((f) => /^tsconfig\.[a-z0-9-]+\.json$/.test(f));
let failed = false;
for (const config of configs) {
  try {
    execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '--noEmit', '-p', join(projectRoot, config)], { stdio: 'inherit' });
  } catch {
    failed = true;
  }
}
process.exit(failed ? 1 : 0);
