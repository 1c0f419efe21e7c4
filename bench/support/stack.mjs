// The Orchestrator side of the benchmarks (bench/*.bench.mjs): the (cached) Nx build, a scratch
// Postgres database with migrations, a Redis key prefix removed on exit, the apps from dist/ as
// child processes with a minimal environment, and the control-plane set-up through control-api's
// public HTTP API. Only loopback is ever contacted.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync } from 'node:fs';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import pg from 'pg';
import { BENCH_DIR, call, loopbackUrl, onCleanup, ROOT, runLogged, step, stopChild } from './harness.mjs';

export function buildCommand(apps) {
  return `NX_DAEMON=false NX_NO_CLOUD=true npx nx run-many -t build -p ${apps.join(' ')}`;
}

const and = (names) => (names.length < 2 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`);

/** Postgres and Redis of the benchmark: defaults as `npm start`, overridable, loopback only. */
export function infraUrls() {
  return {
    adminUrl: loopbackUrl('BENCH_POSTGRES_URL', process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'),
    redisUrl: loopbackUrl('BENCH_REDIS_URL', process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379'),
  };
}

/**
 * A temp folder (removed on exit) with a logs/ folder for the children; with `keepLogs`, the
 * logs are copied to bench/results/logs-<stamp>/ first.
 */
export async function scratchDir(stamp, keepLogs) {
  const tmp = await mkdtemp(join(tmpdir(), 'orch-bench-'));
  onCleanup('temp dir', () => rm(tmp, { recursive: true, force: true }));
  const logDir = join(tmp, 'logs');
  mkdirSync(logDir);
  if (keepLogs) {
    // Registered after the temp dir, so it runs before it is removed and after the children stopped.
    const keptDir = join(BENCH_DIR, 'results', `logs-${stamp}`);
    onCleanup('kept logs', async () => {
      await cp(logDir, keptDir, { recursive: true });
      console.log(`  logs kept in ${keptDir}`);
    });
  }
  return { tmp, logDir };
}

export async function build(apps, logDir) {
  step(`Building ${and(apps)} (${buildCommand(apps)}; cached by Nx)`);
  const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' };
  try {
    await runLogged('npx', ['nx', 'run-many', '-t', 'build', '-p', apps.join(','), '--outputStyle=static'], { env, log: join(logDir, 'build.log') });
  } catch (error) {
    throw new Error(`the build failed; fix it or rerun with --skip-build to use dist/ as it is.\n${error.message}`);
  }
}

export function checkDist(apps) {
  for (const app of apps) {
    const main = join(ROOT, 'dist', 'apps', app, 'main.js');
    if (!existsSync(main)) throw new Error(`${main} is missing: run \`${buildCommand(apps)}\` (or drop --skip-build).`);
  }
}

export async function createDatabase(adminUrl, name, logDir) {
  step(`Creating the scratch database ${name} and running migrations`);
  const admin = new pg.Client({ connectionString: adminUrl.href });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  onCleanup(`database ${name}`, async () => {
    const client = new pg.Client({ connectionString: adminUrl.href });
    await client.connect();
    try {
      await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    } finally {
      await client.end();
    }
  });
  const databaseUrl = new URL(adminUrl.href);
  databaseUrl.pathname = `/${name}`;
  await runLogged('npm', ['run', '--silent', 'db:migrate'], { env: { ...process.env, DATABASE_URL: databaseUrl.href }, log: join(logDir, 'migrate.log') });
  return databaseUrl.href;
}

export function clearRedisOnExit(redisUrl, prefix) {
  onCleanup(`Redis keys ${prefix}*`, async () => {
    const redis = new Redis(redisUrl.href, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
    try {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
        if (keys.length > 0) await redis.del(...keys);
        cursor = next;
      } while (cursor !== '0');
    } finally {
      redis.disconnect();
    }
  });
}

/**
 * The apps get a minimal environment, not this shell's: nothing inherited may point them
 * elsewhere (an OTLP endpoint, another database) or change what is measured.
 */
export function appEnv(extra) {
  const env = { ORCH_ENV: 'dev', LOG_LEVEL: 'warn', HOST: '127.0.0.1', NODE_ENV: 'production', ...extra };
  for (const name of ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ']) if (process.env[name] !== undefined) env[name] = process.env[name];
  return env;
}

/** Starts dist/apps/<name>/main.js; `label` names its log and clean-up (default the app's name: give each replica its own). */
export async function startApp(name, env, logDir, nodeArgs = [], ipc = false, label = name) {
  const log = join(logDir, `${label}.log`);
  const out = createWriteStream(log);
  const stdio = ['ignore', 'pipe', 'pipe', ...(ipc ? ['ipc'] : [])];
  const child = spawn(process.execPath, [...nodeArgs, join(ROOT, 'dist', 'apps', name, 'main.js')], { cwd: ROOT, env, stdio });
  child.stdout.pipe(out);
  child.stderr.pipe(out);
  onCleanup(label, () => stopChild(child, 15_000));
  return { child, log };
}

/** The first operator (bootstrap → login) and a workspace `bench-dev`: {operator (its token), workspace}. */
export async function bootstrapWorkspace(control, bootstrapToken, reason) {
  const email = 'bench-admin@example.com';
  const password = randomBytes(18).toString('base64url');
  await call(control, 'POST', '/v1/auth/bootstrap', { headers: { 'x-bootstrap-token': bootstrapToken }, body: { email, password, reason } });
  const { access_token: operator } = await call(control, 'POST', '/v1/auth/login', { body: { email, password } });
  const workspace = await call(control, 'POST', '/v1/workspaces', { token: operator, body: { name: 'bench-dev', reason } });
  return { operator, workspace };
}

/**
 * Workspace, policy, connector and service identity through control-api's public HTTP API.
 * `quotas` go into the workspace settings as they are; `scopes` are the service identity's.
 */
export async function setUpControlPlane(control, bootstrapToken, upstreamUrl, { reason, scopes = ['execute'], quotas = { rps: 100_000, concurrency: 10_000 } }) {
  step('Setting up through control-api: operator, workspace, policy, connector, service identity');
  const { operator, workspace } = await bootstrapWorkspace(control, bootstrapToken, reason);
  const ws = `/v1/workspaces/${workspace.id}`;
  // Quotas and the rate limit at the maxima the DTOs allow: the benchmark measures the path, not a limiter saying no.
  await call(control, 'PATCH', ws, { token: operator, body: { reason, settings: { quotas } } });
  await call(control, 'POST', `${ws}/policies`, {
    token: operator,
    body: {
      name: 'bench',
      reason,
      retry: { max_attempts: 1 },
      circuit_breaker: { min_requests: 100_000 },
      rate_limit: { capacity: 1_000_000, refill_per_sec: 1_000_000 },
    },
  });
  await call(control, 'POST', `${ws}/connectors`, {
    token: operator,
    body: {
      name: 'bench-api',
      type: 'http',
      policy: 'bench',
      reason,
      config: { base_url: upstreamUrl, operations: [{ operation_id: 'get_thing', method: 'GET', path: '/things/{id}' }] },
    },
  });
  const identity = await call(control, 'POST', `${ws}/service-identities`, {
    token: operator,
    body: { name: 'svc:bench-backend', audience: 'orchestrator-exec', scopes, reason },
  });
  return { workspaceId: workspace.id, clientId: identity.client_id, clientSecret: identity.client_secret };
}

export async function serviceToken(control, identity) {
  const minted = await call(control, 'POST', '/v1/oauth/token', { form: { grant_type: 'client_credentials', client_id: identity.clientId, client_secret: identity.clientSecret } });
  return minted.access_token;
}

/** A random run id and the names derived from it: database `orch_bench_<run>`, Redis prefix `orch_bench_<run>:`. */
export function runNames() {
  const run = randomBytes(4).toString('hex');
  const name = `orch_bench_${run}`;
  return { run, name, redisPrefix: `${name}:` };
}
