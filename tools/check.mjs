#!/usr/bin/env node
// `npm test`: every check of the repository — lint, typecheck, unit tests, builds, e2e against
// real Postgres and Redis, and the browser test in Debian's Chromium. Starts local services
// when they are down and installs Chromium from Debian when it is missing (root only).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureServices } from './lib/services.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', FORCE_COLOR: process.env.FORCE_COLOR ?? '0' };
const CHROMIUM = '/usr/bin/chromium';

function sh(command, args) {
  return spawnSync(command, args, { cwd: root, env, stdio: 'inherit' }).status ?? 1;
}

function ensureChromium() {
  if (existsSync(CHROMIUM)) return;
  if (process.getuid?.() === 0 && existsSync('/usr/bin/apt-get')) {
    console.log('Chromium is missing; installing Debian chromium');
    let status = sh('apt-get', ['install', '-y', '--no-install-recommends', 'chromium']);
    if (status !== 0) {
      sh('apt-get', ['update']);
      status = sh('apt-get', ['install', '-y', '--no-install-recommends', 'chromium']);
    }
    if (status === 0 && existsSync(CHROMIUM)) return;
  }
  console.error(`Chromium is needed for the browser tests: apt-get install -y --no-install-recommends chromium`);
  process.exit(1);
}

await ensureServices({
  databaseUrl: process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  redisUrl: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
});
ensureChromium();

const targets = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['lint', 'typecheck', 'test', 'test-spa', 'build', 'e2e', 'e2e-browser'];
const started = Date.now();
const status = sh('npx', ['nx', 'run-many', '-t', ...targets, '--outputStyle=static', '--parallel=2']);
console.log(`\n${status === 0 ? '✓ all checks passed' : '✗ checks failed'} in ${Math.round((Date.now() - started) / 1000)} s`);
process.exit(status);
