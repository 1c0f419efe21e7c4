#!/usr/bin/env node
// `npm run bench:execute` — the issue-5 benchmark of POST /v1/execute (bench/README.md).
//
// One command: builds control-api + exec-api (Nx cache), makes a scratch Postgres database and
// Redis key prefix, starts a fake upstream, a bare Fastify+undici proxy (the baseline) and the
// two apps as child processes, sets up a workspace, connector and service identity through
// control-api's real HTTP API, then drives the baseline and exec-api with autocannon in this
// process and prints RPS, p50/p99 and the ratios against the targets. Everything it made is
// removed on exit, on failure and on Ctrl-C. Only 127.0.0.1 is ever contacted.
import { fork, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import Redis from 'ioredis';
import pg from 'pg';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BENCH_DIR = join(ROOT, 'bench');
const APPS = ['control-api', 'exec-api'];
const BUILD_COMMAND = 'NX_DAEMON=false NX_NO_CLOUD=true npx nx run-many -t build -p control-api exec-api';
const TARGETS = { rpsRatioPlain: 0.5, rpsRatioIdempotent: 0.25, addedP50Ms: 3 };
const EXECUTE_BODY = JSON.stringify({ connector: 'bench-api', operation: 'get_thing', payload: { id: '42' } });
const REASON = 'bench/execute.bench.mjs scratch setup';

// ---------------------------------------------------------------------------------------------
// Options

const USAGE = `usage: npm run bench:execute -- [options]

  --duration <s>          measured seconds per scenario (default 10)
  --warmup <s>            warm-up seconds before each measurement, discarded (default 3)
  --connections <n>       autocannon connections for the throughput runs (default 50)
  --latency-duration <s>  seconds per scenario of the light-load run (1 connection); 0 skips it (default 5)
  --skip-build            use dist/ as it is instead of running the (cached) Nx build
  --cpu-prof              profile exec-api during its measured throughput runs; print where the time goes
  --check                 set everything up, send one request per scenario, print the answers, stop
  --env KEY=VALUE         extra environment for control-api and exec-api (repeatable), e.g.
                          --env OTEL_SDK_DISABLED=true to see what tracing costs
  --keep-logs             copy the children's logs to bench/results/logs-<timestamp>/ before cleaning up
  -h, --help              this text

Postgres and Redis default to postgres://postgres@127.0.0.1:5432/postgres and
redis://127.0.0.1:6379 (BENCH_POSTGRES_URL, BENCH_REDIS_URL override; loopback only).`;

function readOptions() {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '3' },
      connections: { type: 'string', default: '50' },
      'latency-duration': { type: 'string', default: '5' },
      'skip-build': { type: 'boolean', default: false },
      'cpu-prof': { type: 'boolean', default: false },
      check: { type: 'boolean', default: false },
      'keep-logs': { type: 'boolean', default: false },
      env: { type: 'string', multiple: true, default: [] },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const number = (name, min) => {
    const value = Number(values[name]);
    if (!Number.isInteger(value) || value < min) {
      console.error(`--${name} must be an integer ≥ ${min}\n\n${USAGE}`);
      process.exit(2);
    }
    return value;
  };
  return {
    duration: number('duration', 1),
    warmup: number('warmup', 0),
    connections: number('connections', 1),
    latencyDuration: number('latency-duration', 0),
    skipBuild: values['skip-build'],
    cpuProf: values['cpu-prof'],
    check: values.check,
    keepLogs: values['keep-logs'],
    appEnv: Object.fromEntries(
      values.env.map((pair) => {
        const at = pair.indexOf('=');
        if (at < 1) {
          console.error(`--env takes KEY=VALUE, got "${pair}"`);
          process.exit(2);
        }
        const [key, value] = [pair.slice(0, at), pair.slice(at + 1)];
        if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) loopbackUrl(`--env ${key}`, value);
        return [key, value];
      }),
    ),
  };
}

/** The hard rule of this benchmark: it talks to loopback only, whatever the environment says. */
function loopbackUrl(name, value) {
  const url = new URL(value);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!(host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host))) {
    console.error(`${name} must point at a loopback address (127.0.0.0/8, ::1, localhost), got ${url.host}`);
    process.exit(2);
  }
  return url;
}

// ---------------------------------------------------------------------------------------------
// Clean-up: every resource registers how to undo itself; they run last-in first-out, once.

const cleanups = [];
let cleaning;
let activeLoad;
let aborted = false;

function onCleanup(label, fn) {
  cleanups.push({ label, fn });
}

function cleanUp() {
  cleaning ??= (async () => {
    activeLoad?.stop?.();
    // A step still in flight may register one more resource while this runs: drain until empty.
    for (let idle = 0; idle < 2; idle++) {
      while (cleanups.length > 0) {
        idle = 0;
        const { label, fn } = cleanups.pop();
        try {
          await fn();
        } catch (error) {
          console.error(`  clean-up of ${label} failed: ${error.message}`);
        }
      }
      await sleep(100);
    }
  })();
  return cleaning;
}

/** Between steps: after Ctrl-C, stop instead of starting anything new. */
function checkAborted() {
  if (aborted) throw new Error('aborted');
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (aborted) process.exit(130); // a second Ctrl-C: leave now, whatever is left behind
    aborted = true;
    console.error(`\n${signal}: stopping and cleaning up (again to leave at once)…`);
    void cleanUp().then(() => process.exit(130));
  });
}

// ---------------------------------------------------------------------------------------------
// Small helpers

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function step(message) {
  checkAborted();
  console.log(`\x1b[1m▸ ${message}\x1b[0m`);
}

function tail(file, lines = 40) {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Runs a command to completion with its output in a log file; rejects with the log's tail. */
function runLogged(command, args, { env, log }) {
  return new Promise((resolve, reject) => {
    const out = createWriteStream(log);
    const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.pipe(out);
    child.stderr.pipe(out);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      out.end(() => {
        if (code === 0) resolve();
        else reject(new Error(`${command} ${args.join(' ')} failed (${signal ?? `exit ${code}`}):\n${tail(log)}`));
      });
    });
  });
}

async function freePort() {
  const server = createServer();
  await new Promise((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Stops a child: SIGTERM, then SIGKILL after a grace period. */
async function stopChild(child, graceMs = 8000) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** Forks one of bench/support/*.mjs and waits for it to report its port over IPC. */
async function forkServer(name, script, args, logDir) {
  const log = join(logDir, `${name}.log`);
  const out = createWriteStream(log);
  const child = fork(join(BENCH_DIR, 'support', script), args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  child.stdout.pipe(out);
  child.stderr.pipe(out);
  onCleanup(name, () => stopChild(child));
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start in 10 s:\n${tail(log)}`)), 10_000);
    child.on('message', (message) => {
      if (message?.type === 'listening') {
        clearTimeout(timer);
        resolve(message.port);
      }
    });
    child.once('exit', (code) => reject(new Error(`${name} exited (${code}) before listening:\n${tail(log)}`)));
  });
  return { child, port, url: `http://127.0.0.1:${port}`, log };
}

function upstreamStats(upstream) {
  return new Promise((resolve) => {
    const onMessage = (message) => {
      if (message?.type !== 'stats') return;
      upstream.child.off('message', onMessage);
      resolve(message);
    };
    upstream.child.on('message', onMessage);
    upstream.child.send({ type: 'stats' });
  });
}

async function waitReady(name, url, child, log, seconds = 90) {
  const deadline = Date.now() + seconds * 1000;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${name} exited (${child.signalCode ?? child.exitCode}) while starting:\n${tail(log)}`);
    try {
      const res = await fetch(`${url}/ready`);
      if (res.status === 200) return;
      last = `${res.status} ${await res.text()}`;
    } catch (error) {
      last = error.cause?.code ?? error.message;
    }
    await sleep(250);
  }
  throw new Error(`${name} not ready after ${seconds} s (last: ${last}):\n${tail(log)}`);
}

/** One JSON call to an app; anything but 2xx throws with the status and the body. */
async function call(base, method, path, { token, body, form, headers = {} } = {}) {
  const init = { method, headers: { ...headers } };
  if (token) init.headers.authorization = `Bearer ${token}`;
  if (form) {
    init.headers['content-type'] = 'application/x-www-form-urlencoded';
    init.body = new URLSearchParams(form).toString();
  } else if (body !== undefined) {
    init.headers['content-type'] = 'application/json';
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
  }
  const res = await fetch(`${base}${path}`, init);
  const text = await res.text();
  if (res.status < 200 || res.status > 299) throw new Error(`${method} ${path} → ${res.status}: ${text}`);
  return text ? JSON.parse(text) : undefined;
}

// ---------------------------------------------------------------------------------------------
// Set-up steps

async function build(logDir) {
  step(`Building control-api and exec-api (${BUILD_COMMAND}; cached by Nx)`);
  const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' };
  try {
    await runLogged('npx', ['nx', 'run-many', '-t', 'build', '-p', APPS.join(','), '--outputStyle=static'], { env, log: join(logDir, 'build.log') });
  } catch (error) {
    throw new Error(`the build failed; fix it or rerun with --skip-build to use dist/ as it is.\n${error.message}`);
  }
}

function checkDist() {
  for (const app of APPS) {
    const main = join(ROOT, 'dist', 'apps', app, 'main.js');
    if (!existsSync(main)) throw new Error(`${main} is missing: run \`${BUILD_COMMAND}\` (or drop --skip-build).`);
  }
}

async function createDatabase(adminUrl, name, logDir) {
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

function clearRedisOnExit(redisUrl, prefix) {
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
function appEnv(extra) {
  const env = { ORCH_ENV: 'dev', LOG_LEVEL: 'warn', HOST: '127.0.0.1', NODE_ENV: 'production', ...extra };
  for (const name of ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ']) if (process.env[name] !== undefined) env[name] = process.env[name];
  return env;
}

async function startApp(name, env, logDir, nodeArgs = [], ipc = false) {
  const log = join(logDir, `${name}.log`);
  const out = createWriteStream(log);
  const stdio = ['ignore', 'pipe', 'pipe', ...(ipc ? ['ipc'] : [])];
  const child = spawn(process.execPath, [...nodeArgs, join(ROOT, 'dist', 'apps', name, 'main.js')], { cwd: ROOT, env, stdio });
  child.stdout.pipe(out);
  child.stderr.pipe(out);
  onCleanup(name, () => stopChild(child, 15_000));
  return { child, log };
}

/** Workspace, policy, connector and service identity through control-api's public HTTP API. */
async function setUpControlPlane(control, bootstrapToken, upstreamUrl) {
  step('Setting up through control-api: operator, workspace, policy, connector, service identity');
  const email = 'bench-admin@example.com';
  const password = randomBytes(18).toString('base64url');
  await call(control, 'POST', '/v1/auth/bootstrap', { headers: { 'x-bootstrap-token': bootstrapToken }, body: { email, password, reason: REASON } });
  const { access_token: operator } = await call(control, 'POST', '/v1/auth/login', { body: { email, password } });
  const workspace = await call(control, 'POST', '/v1/workspaces', { token: operator, body: { name: 'bench-dev', reason: REASON } });
  const ws = `/v1/workspaces/${workspace.id}`;
  // Quotas and the rate limit at the maxima the DTOs allow: the benchmark measures the path, not a limiter saying no.
  await call(control, 'PATCH', ws, { token: operator, body: { reason: REASON, settings: { quotas: { rps: 100_000, concurrency: 10_000 } } } });
  await call(control, 'POST', `${ws}/policies`, {
    token: operator,
    body: {
      name: 'bench',
      reason: REASON,
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
      reason: REASON,
      config: { base_url: upstreamUrl, operations: [{ operation_id: 'get_thing', method: 'GET', path: '/things/{id}' }] },
    },
  });
  const identity = await call(control, 'POST', `${ws}/service-identities`, {
    token: operator,
    body: { name: 'svc:bench-backend', audience: 'orchestrator-exec', scopes: ['execute'], reason: REASON },
  });
  return { workspaceId: workspace.id, clientId: identity.client_id, clientSecret: identity.client_secret };
}

async function serviceToken(control, identity) {
  const minted = await call(control, 'POST', '/v1/oauth/token', { form: { grant_type: 'client_credentials', client_id: identity.clientId, client_secret: identity.clientSecret } });
  return minted.access_token;
}

// ---------------------------------------------------------------------------------------------
// Load

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index];
}

/**
 * One autocannon run. Latency percentiles come from every 2xx response time (float ms), not
 * from autocannon's histogram, which rounds to whole milliseconds: a 3 ms budget needs better.
 */
async function drive({ url, headers, connections, duration, idempotencyKey }) {
  const options = {
    url: `${url}/v1/execute`,
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: EXECUTE_BODY,
    connections,
    duration,
    pipelining: 1,
    timeout: 10,
  };
  if (idempotencyKey) options.requests = [{ setupRequest: (request) => ({ ...request, headers: { ...request.headers, 'idempotency-key': idempotencyKey() } }) }];
  const latencies = [];
  const statuses = {};
  const instance = autocannon(options);
  activeLoad = instance;
  instance.on('response', (_client, statusCode, _bytes, responseTime) => {
    statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
    if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
  });
  const result = await instance;
  activeLoad = undefined;
  latencies.sort((a, b) => a - b);
  return {
    rps: result.requests.mean,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statuses,
    duration_s: result.duration,
  };
}

/** The first answer of a scenario, sent by hand: shows what a non-2xx run was made of. */
async function probe(scenario) {
  const headers = { 'content-type': 'application/json', ...scenario.headers() };
  if (scenario.idempotencyKey) headers['idempotency-key'] = scenario.idempotencyKey();
  const res = await fetch(`${scenario.url}/v1/execute`, { method: 'POST', headers, body: EXECUTE_BODY });
  return { status: res.status, body: await res.text() };
}

/** Profiles exec-api (started with support/profiler-preload.cjs and an IPC channel) while fn runs. */
async function profiled(profiler, name, label, fn) {
  if (!profiler) return fn();
  await askProfiler(profiler.child, { type: 'profile:start' }, 'profile:started');
  const result = await fn();
  const path = join(profiler.dir, `${name}.cpuprofile`);
  await askProfiler(profiler.child, { type: 'profile:stop', file: path }, 'profile:written');
  profiler.files.push({ label, path });
  return result;
}

function askProfiler(child, message, answer) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`exec-api's profiler did not answer ${message.type} in 30 s`)), 30_000);
    const onMessage = (reply) => {
      if (reply?.type === answer) done();
      if (reply?.type === 'profile:failed') done(new Error(`exec-api's profiler failed: ${reply.message}`));
    };
    const done = (error) => {
      clearTimeout(timer);
      child.off('message', onMessage);
      if (error) reject(error);
      else resolve();
    };
    child.on('message', onMessage);
    child.send(message);
  });
}

async function runScenario(scenario, upstream, { connections, duration, warmup, profile }) {
  checkAborted();
  process.stdout.write(`  ${scenario.label.padEnd(40)} c=${String(connections).padEnd(3)} `);
  if (warmup > 0) {
    process.stdout.write(`warm-up ${warmup}s… `);
    await drive({ url: scenario.url, headers: scenario.headers(), connections, duration: warmup, idempotencyKey: scenario.idempotencyKey });
  }
  checkAborted();
  process.stdout.write(`measuring ${duration}s… `);
  const before = await upstreamStats(upstream);
  const result = await profiled(profile, `${scenario.key}-c${connections}`, scenario.label, () =>
    drive({ url: scenario.url, headers: scenario.headers(), connections, duration, idempotencyKey: scenario.idempotencyKey }),
  );
  const after = await upstreamStats(upstream);
  result.upstream_calls = after.served - before.served;
  console.log(`${fmt(result.rps, 0)} req/s, p50 ${fmt(result.p50, 2)} ms${result.non2xx || result.errors ? `, \x1b[31m${result.non2xx} non-2xx, ${result.errors} errors\x1b[0m` : ''}`);
  if (result.non2xx > 0 || result.errors > 0) result.first_error = await probe(scenario);
  return { key: scenario.key, label: scenario.label, connections, ...result };
}

// ---------------------------------------------------------------------------------------------
// Report

function fmt(value, digits) {
  return Number.isFinite(value) ? value.toFixed(digits) : 'n/a';
}

function table(headers, rows) {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ');
  return [line(headers), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** Compares exec-api rows with the mean of the baseline rows of the same run. */
function assess(results) {
  const baselines = results.filter((r) => r.key === 'baseline');
  const base = {
    rps: baselines.reduce((s, r) => s + r.rps, 0) / baselines.length,
    p50: baselines.reduce((s, r) => s + r.p50, 0) / baselines.length,
  };
  return results.map((r) => {
    const valid = r.non2xx === 0 && r.errors === 0;
    const row = { ...r, valid, rps_ratio: r.rps / base.rps, added_p50_ms: r.p50 - base.p50 };
    const rpsTarget = r.key === 'exec' ? TARGETS.rpsRatioPlain : r.key === 'exec-idem' ? TARGETS.rpsRatioIdempotent : undefined;
    if (rpsTarget !== undefined) {
      row.rps_target = rpsTarget;
      row.rps_verdict = !valid ? 'INVALID' : row.rps_ratio >= rpsTarget ? 'PASS' : 'MISS';
      row.p50_verdict = !valid ? 'INVALID' : row.added_p50_ms <= TARGETS.addedP50Ms ? 'PASS' : 'MISS';
    }
    return row;
  });
}

function printTable(title, rows, { withRps }) {
  console.log(`\n\x1b[1m${title}\x1b[0m`);
  const headers = ['scenario', 'RPS', 'p50 ms', 'p99 ms', '2xx', 'non-2xx', 'errors', 'RPS vs base', '+p50 ms', ...(withRps ? ['RPS target'] : []), 'p50 ≤ 3 ms'];
  const body = rows.map((r) => [
    r.label,
    fmt(r.rps, 0),
    fmt(r.p50, 2),
    fmt(r.p99, 2),
    r.ok,
    r.non2xx,
    r.errors,
    r.key === 'baseline' ? '(base)' : `${fmt(r.rps_ratio * 100, 1)} %`,
    r.key === 'baseline' ? '' : fmt(r.added_p50_ms, 2),
    ...(withRps ? [r.rps_target === undefined ? '' : `≥ ${r.rps_target * 100} % ${r.rps_verdict}`] : []),
    r.p50_verdict ?? '',
  ]);
  console.log(table(headers, body));
  for (const r of rows) {
    if (r.first_error) console.log(`  ${r.label}: first error answer (fetched by hand): ${r.first_error.status} ${r.first_error.body.slice(0, 500)}`);
    if (r.key !== 'baseline' && r.ok > 0 && Math.abs(r.upstream_calls - r.ok) > r.connections * 2) console.log(`  ${r.label}: ${r.upstream_calls} upstream calls for ${r.ok} answers (retries? replays?)`);
  }
}

function gitCommit() {
  try {
    const head = readFileSync(join(ROOT, '.git', 'HEAD'), 'utf8').trim();
    if (!head.startsWith('ref: ')) return head;
    const ref = head.slice(5);
    if (existsSync(join(ROOT, '.git', ref))) return readFileSync(join(ROOT, '.git', ref), 'utf8').trim();
    const packed = readFileSync(join(ROOT, '.git', 'packed-refs'), 'utf8').split('\n').find((l) => l.endsWith(` ${ref}`));
    return packed?.split(' ')[0];
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Main

async function main() {
  const options = readOptions();
  const adminUrl = loopbackUrl('BENCH_POSTGRES_URL', process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  const redisUrl = loopbackUrl('BENCH_REDIS_URL', process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379');
  const run = randomBytes(4).toString('hex');
  const name = `orch_bench_${run}`;
  const startedAt = new Date();
  const loadAtStart = loadavg()[0];

  const tmp = await mkdtemp(join(tmpdir(), 'orch-bench-'));
  onCleanup('temp dir', () => rm(tmp, { recursive: true, force: true }));
  const logDir = join(tmp, 'logs');
  mkdirSync(logDir);
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  const profileDir = join(BENCH_DIR, 'results', `profile-${stamp}`);
  if (options.keepLogs) {
    // Registered after the temp dir, so it runs before it is removed and after the children stopped.
    const keptDir = join(BENCH_DIR, 'results', `logs-${stamp}`);
    onCleanup('kept logs', async () => {
      await cp(logDir, keptDir, { recursive: true });
      console.log(`  logs kept in ${keptDir}`);
    });
  }

  if (!options.skipBuild) await build(logDir);
  checkDist();

  const databaseUrl = await createDatabase(adminUrl, name, logDir);
  clearRedisOnExit(redisUrl, `${name}:`);

  step('Starting the fake upstream and the baseline proxy (child processes)');
  const upstream = await forkServer('upstream', 'fake-upstream.mjs', [], logDir);
  const baseline = await forkServer('baseline', 'baseline-proxy.mjs', [upstream.url], logDir);
  const direct = await call(upstream.url, 'GET', '/things/42');
  const viaBaseline = await call(baseline.url, 'POST', '/v1/execute', { body: EXECUTE_BODY });
  console.log(`  upstream ${upstream.url} → ${JSON.stringify(direct)}; baseline ${baseline.url} → ${JSON.stringify(viaBaseline)}`);

  step('Starting control-api and exec-api from dist/ (child processes)');
  const [controlPort, execPort] = [await freePort(), await freePort()];
  const control = `http://127.0.0.1:${controlPort}`;
  const exec = `http://127.0.0.1:${execPort}`;
  const bootstrapToken = randomBytes(24).toString('base64url');
  const common = {
    ...options.appEnv,
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl.href,
    REDIS_KEY_PREFIX: `${name}:`,
    ORCH_MASTER_KEY: `bench-1:${randomBytes(32).toString('base64')}`,
  };
  const jwtDir = join(tmp, 'jwt');
  mkdirSync(jwtDir);
  const controlApp = await startApp('control-api', appEnv({ ...common, CONTROL_API_PORT: String(controlPort), ORCH_JWT_KEYS_DIR: jwtDir, ORCH_BOOTSTRAP_TOKEN: bootstrapToken }), logDir);
  if (options.cpuProf) mkdirSync(profileDir, { recursive: true });
  const execApp = await startApp(
    'exec-api',
    appEnv({ ...common, EXEC_API_PORT: String(execPort), ORCH_JWKS_URL: `${control}/.well-known/jwks.json`, EGRESS_ALLOW_CIDRS: '127.0.0.0/8' }),
    logDir,
    options.cpuProf ? ['-r', join(BENCH_DIR, 'support', 'profiler-preload.cjs')] : [],
    options.cpuProf,
  );
  const profiler = options.cpuProf ? { child: execApp.child, dir: profileDir, files: [] } : undefined;
  // control-api first: the set-up below only needs it, and works even while exec-api does not boot.
  await waitReady('control-api', control, controlApp.child, controlApp.log);
  console.log(`  control-api ${control} ready`);

  const identity = await setUpControlPlane(control, bootstrapToken, upstream.url);
  let token = await serviceToken(control, identity);
  console.log(`  workspace ${identity.workspaceId}, service identity ${identity.clientId}, token minted (${token.length} chars)`);

  await waitReady('exec-api', exec, execApp.child, execApp.log);
  console.log(`  exec-api ${exec} ready`);

  let keyCounter = 0;
  const nextKey = () => `bench-${run}-${++keyCounter}`;
  const baselineScenario = { key: 'baseline', label: 'baseline (fastify+undici)', url: baseline.url, headers: () => ({}) };
  const execScenario = { key: 'exec', label: 'exec-api /v1/execute', url: exec, headers: () => ({ authorization: `Bearer ${token}` }) };
  const idemScenario = { key: 'exec-idem', label: 'exec-api /v1/execute + Idempotency-Key', url: exec, headers: () => ({ authorization: `Bearer ${token}` }), idempotencyKey: nextKey };

  step('Checking one request per scenario');
  let allOk = true;
  for (const scenario of [baselineScenario, execScenario, idemScenario]) {
    const answer = await probe(scenario);
    allOk &&= answer.status === 200;
    console.log(`  ${scenario.label.padEnd(40)} ${answer.status} ${answer.body.slice(0, 300)}`);
  }
  if (options.check) return allOk ? 0 : 1;
  if (!allOk) throw new Error('a scenario does not answer 200 (above): a benchmark of errors is worthless. Fix it, then rerun.');

  // A service token lives 15 minutes; mint a fresh one before each exec-api run.
  const refresh = async () => {
    token = await serviceToken(control, identity);
  };

  step(`Throughput: ${options.connections} connections, warm-up ${options.warmup}s + ${options.duration}s each, order baseline → exec → exec+key → baseline`);
  const throughput = [];
  for (const scenario of [baselineScenario, execScenario, idemScenario, baselineScenario]) {
    if (scenario !== baselineScenario) await refresh();
    const profile = profiler && scenario !== baselineScenario ? profiler : undefined;
    throughput.push(await runScenario(scenario, upstream, { connections: options.connections, duration: options.duration, warmup: options.warmup, profile }));
  }

  const latency = [];
  if (options.latencyDuration > 0) {
    step(`Light load: 1 connection, warm-up 1s + ${options.latencyDuration}s each (the latency the proxy adds, without queueing)`);
    for (const scenario of [baselineScenario, execScenario, idemScenario]) {
      if (scenario !== baselineScenario) await refresh();
      latency.push(await runScenario(scenario, upstream, { connections: 1, duration: options.latencyDuration, warmup: 1 }));
    }
  }

  const throughputRows = assess(throughput);
  const latencyRows = latency.length > 0 ? assess(latency) : [];
  const [b1, b2] = throughput.filter((r) => r.key === 'baseline');
  printTable(`POST /v1/execute — throughput (${options.connections} connections, ${options.duration}s each; ratios against the mean of both baseline runs)`, throughputRows, { withRps: true });
  console.log(`  baseline drift between first and last run: ${fmt(((b2.rps - b1.rps) / b1.rps) * 100, 1)} % RPS, ${fmt(b2.p50 - b1.p50, 2)} ms p50`);
  if (latencyRows.length > 0) printTable(`POST /v1/execute — light load (1 connection, ${options.latencyDuration}s each)`, latencyRows, { withRps: false });
  console.log(`\n  machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, 1-min load ${loadAtStart.toFixed(2)} at the start, ${loadavg()[0].toFixed(2)} at the end; node ${process.version}; autocannon in this process, every server in its own process`);
  if (loadAtStart > cpus().length || Math.abs((b2.rps - b1.rps) / b1.rps) > 0.1) {
    console.log('  \x1b[33m! other work was running or the baseline drifted by more than 10 %: these figures are disturbed; rerun on a quiet machine\x1b[0m');
  }

  const resultsDir = join(BENCH_DIR, 'results');
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, `execute-${stamp}.json`);
  writeFileSync(
    file,
    `${JSON.stringify(
      {
        benchmark: 'execute',
        started_at: startedAt.toISOString(),
        commit: gitCommit(),
        node: process.version,
        cpus: cpus().length,
        load_1min: { start: loadAtStart, end: loadavg()[0] },
        options,
        targets: TARGETS,
        body: JSON.parse(EXECUTE_BODY),
        throughput: throughputRows,
        light_load: latencyRows,
      },
      null,
      2,
    )}\n`,
  );
  console.log(`  results: ${file}`);

  if (profiler) {
    const { summarise } = await import('./support/cpuprofile-summary.mjs');
    for (const file of profiler.files) {
      step(`exec-api CPU profile of the measured ${options.duration}s of ${file.label}`);
      console.log(summarise(file.path, 25));
    }
  }

  // The verdicts are information, not a test result: a completed run exits 0 (README).
  return 0;
}

let exitCode = 1;
try {
  exitCode = await main();
} catch (error) {
  if (!aborted) console.error(`\n\x1b[31m✗ ${error.message}\x1b[0m`);
} finally {
  if (!aborted) console.log('\x1b[1m▸ Cleaning up (children, database, Redis keys, temp dir)\x1b[0m');
  await cleanUp();
}
process.exit(exitCode);
