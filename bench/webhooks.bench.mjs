#!/usr/bin/env node
// `npm run bench:webhooks` — the issue-7 benchmark of webhook ingress (bench/README.md).
//
// One command: builds control-api + webhook-ingress (Nx cache), makes a scratch Postgres database
// and Redis key prefix, starts control-api and webhook-ingress from dist/ and a bare Fastify
// baseline (HMAC check + one INSERT + one BullMQ add) as child processes, makes a workspace,
// vault secrets and two webhook routes (stripe, hmac-sha256) through control-api's real HTTP API,
// then drives both with autocannon in this process — every request a new event id with a valid
// signature — and prints accepted webhooks/s, p50/p99 and the ratio against the baseline. Nothing
// consumes either queue: both just fill. Everything it made is removed on exit, on failure and on
// Ctrl-C. Only 127.0.0.1 is ever contacted.
import { createHmac, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { Queue } from 'bullmq';
import pg from 'pg';
import { BENCH_DIR, call, checkAborted, fmt, forkServer, freePort, gitCommit, onCleanup, parseEnvPairs, profiled, readBenchArgs, runMain, measureLoad, sleep, step, table, waitReady } from './support/harness.mjs';
import { cpuDelta, cpuSnapshot } from './support/proc-cpu.mjs';
import { appEnv, bootstrapWorkspace, build, checkDist, clearRedisOnExit, createDatabase, infraUrls, runNames, scratchDir, startApp } from './support/stack.mjs';

const APPS = ['control-api', 'webhook-ingress'];
const TARGET_RATIO = 0.6;
const REASON = 'bench/webhooks.bench.mjs scratch setup';
const BASELINE_TABLE = 'bench_baseline_inbox';
const BASELINE_QUEUE = 'bench-baseline-webhooks';
const HMAC_HEADER = 'x-bench-signature';
const HMAC_PREFIX = 'sha256=';

// ---------------------------------------------------------------------------------------------
// Options

const USAGE = `usage: npm run bench:webhooks -- [options]

  --duration <s>            measured seconds per throughput run (default 10)
  --warmup <s>              warm-up seconds before each measurement, discarded (default 3)
  --connections <n>         autocannon connections (default 50)
  --rounds <n>              rounds of baseline stripe → ingress stripe → baseline hmac → ingress hmac,
                            then one more baseline run (default 1)
  --duplicate-duration <s>  measured seconds of the duplicate runs (one event id sent again and
                            again); 0 skips them (default 5)
  --skip-build              use dist/ as it is instead of running the (cached) Nx build
  --cpu-prof                profile webhook-ingress during its measured runs; print where the time goes
  --check                   set everything up, one request per scenario, then 50 requests per
                            scenario; check that every one landed as a row and a queued job; stop
  --env KEY=VALUE           extra environment for control-api and webhook-ingress (repeatable), e.g.
                            --env OTEL_SDK_DISABLED=true to see what tracing costs
  --keep-logs               copy the children's logs to bench/results/logs-<timestamp>/ before cleaning up
  -h, --help                this text

Postgres and Redis default to postgres://postgres@127.0.0.1:5432/postgres and
redis://127.0.0.1:6379 (BENCH_POSTGRES_URL, BENCH_REDIS_URL override; loopback only).`;

function readOptions() {
  const { values, number } = readBenchArgs(USAGE, {
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    connections: { type: 'string', default: '50' },
    'duplicate-duration': { type: 'string', default: '5' },
    rounds: { type: 'string', default: '1' },
  });
  return {
    duration: number('duration', 1),
    warmup: number('warmup', 0),
    connections: number('connections', 1),
    duplicateDuration: number('duplicate-duration', 0),
    rounds: number('rounds', 1),
    skipBuild: values['skip-build'],
    cpuProf: values['cpu-prof'],
    check: values.check,
    keepLogs: values['keep-logs'],
    appEnv: parseEnvPairs(values.env),
  };
}

// ---------------------------------------------------------------------------------------------
// Signed requests: every call of `next()` is a new event with a valid signature for its route

/**
 * A generator of signed deliveries for one route. `unique`: a new event id per request (`<tag>-<n>`);
 * otherwise the same event (same body, same signature) every time: the duplicate path.
 */
function deliveries(route, tag, unique = true) {
  let n = 0;
  const make = () => {
    const id = unique ? `${tag}-${++n}` : `${tag}-dup`;
    const created = Math.floor(Date.now() / 1000);
    if (route.scheme === 'stripe') {
      const body = `{"id":"evt_${id}","object":"event","type":"payment_intent.succeeded","created":${created},"livemode":false,"data":{"object":{"id":"pi_${id}","object":"payment_intent","amount":1200,"currency":"eur","status":"succeeded"}}}`;
      const signature = createHmac('sha256', route.secret).update(`${created}.${body}`).digest('hex');
      return { body, headers: { 'content-type': 'application/json', 'stripe-signature': `t=${created},v1=${signature}` } };
    }
    const body = `{"event":{"id":"${id}","created":${created}},"type":"order.created","data":{"order":{"id":"ord_${id}","total":1200,"currency":"eur","status":"paid"}}}`;
    const signature = createHmac('sha256', route.secret).update(body).digest('hex');
    return { body, headers: { 'content-type': 'application/json', [HMAC_HEADER]: `${HMAC_PREFIX}${signature}` } };
  };
  if (unique) return make;
  const fixed = make();
  return () => fixed;
}

// ---------------------------------------------------------------------------------------------
// Load

/**
 * One autocannon run against `path` with a fresh signed delivery per request. `amount` (a request
 * count) replaces `duration` when given. Percentiles from every 2xx response time in float ms.
 */
async function drive({ url, path, next, connections, duration, amount }) {
  const options = {
    url,
    connections,
    pipelining: 1,
    timeout: 10,
    ...(amount ? { amount } : { duration }),
    requests: [{ method: 'POST', path, setupRequest: (request) => ({ ...request, ...next() }) }],
  };
  return measureLoad(autocannon, options);
}

async function send(url, path, delivery) {
  const res = await fetch(`${url}${path}`, { method: 'POST', headers: delivery.headers, body: delivery.body });
  return { status: res.status, body: await res.text() };
}

/** Rows in the scenario's table and jobs waiting on its queue: what landed. */
async function landed(ctx, scenario) {
  const {
    rows: [{ rows }],
  } = await ctx.db.query(`SELECT count(*)::int AS rows FROM ${scenario.side === 'baseline' ? BASELINE_TABLE : 'webhook_inbox'}`);
  const queued = await (scenario.side === 'baseline' ? ctx.baselineQueue : ctx.ingressQueue).getWaitingCount();
  return { rows, queued };
}

/** `landed` once it stops moving: the answers a stopped autocannon no longer waits for still insert and enqueue. */
async function settled(ctx, scenario) {
  let last = await landed(ctx, scenario);
  for (let waited = 0; waited < 10_000; waited += 250) {
    await sleep(250);
    const now = await landed(ctx, scenario);
    if (now.rows === last.rows && now.queued === last.queued) return now;
    last = now;
  }
  return last;
}

async function runScenario(ctx, scenario, { connections, duration, warmup, amount, profile }) {
  checkAborted();
  process.stdout.write(`  ${scenario.label.padEnd(44)} c=${String(connections).padEnd(3)} `);
  const next = deliveries(scenario.route, `${ctx.run}-${scenario.key}-${++ctx.runs}`, !scenario.duplicate);
  const target = { url: scenario.url, path: scenario.route.path, next, connections };
  if (warmup > 0) {
    process.stdout.write(`warm-up ${warmup}s… `);
    await drive({ ...target, duration: warmup });
  }
  checkAborted();
  process.stdout.write(amount ? `sending ${amount}… ` : `measuring ${duration}s… `);
  // The duplicate path: the event is stored once before the measured seconds, which then only repeat it.
  if (scenario.duplicate) await send(scenario.url, scenario.route.path, next());
  const before = await settled(ctx, scenario);
  const cpuBefore = cpuSnapshot(ctx.cpuChildren);
  const result = await profiled(profile, `${scenario.key}-c${connections}`, scenario.label, () => drive({ ...target, duration, amount }));
  const cpu = cpuDelta(cpuBefore, cpuSnapshot(ctx.cpuChildren));
  const after = await settled(ctx, scenario);
  result.rows = after.rows - before.rows;
  result.queued = after.queued - before.queued;
  result.cpu = cpu;
  console.log(`${fmt(result.rps, 0)} req/s, p50 ${fmt(result.p50, 2)} ms, ${result.rows} rows, ${result.queued} queued${result.non2xx || result.errors ? `, \x1b[31m${result.non2xx} non-2xx, ${result.errors} errors\x1b[0m` : ''}`);
  if (result.non2xx > 0 || result.errors > 0) result.first_error = await send(scenario.url, scenario.route.path, deliveries(scenario.route, `${ctx.run}-probe-${++ctx.runs}`)());
  return { key: scenario.key, side: scenario.side, duplicate: Boolean(scenario.duplicate), label: scenario.label, connections, ...result };
}

// ---------------------------------------------------------------------------------------------
// Report

/** Every accepted unique delivery is one row and one queued job (± the requests autocannon cut off at the end). */
function landedOk(r) {
  if (r.duplicate) return r.rows === 0 && r.queued === 0;
  return r.rows === r.queued && r.rows >= r.ok && r.rows - r.ok <= r.connections;
}

/**
 * Each ingress run is compared with the baseline runs right before and after it (the mean of both,
 * or the one there is): on a shared machine the load drifts, and neighbours drift least.
 */
function bracketingBase(rows, index) {
  const baseline = (r) => r.side === 'baseline' && r.duplicate === rows[index].duplicate;
  const before = rows.slice(0, index).findLast(baseline);
  const after = rows.slice(index + 1).find(baseline);
  const around = [before, after].filter(Boolean);
  return around.length === 0 ? undefined : { rps: around.reduce((s, r) => s + r.rps, 0) / around.length };
}

function assess(rows) {
  return rows.map((r, index) => {
    const base = bracketingBase(rows, index);
    const valid = r.non2xx === 0 && r.errors === 0 && landedOk(r);
    const row = { ...r, valid, rps_ratio: base ? r.rps / base.rps : NaN };
    if (r.side === 'ingress' && !r.duplicate) row.verdict = !valid ? 'INVALID' : row.rps_ratio >= TARGET_RATIO ? 'PASS' : 'MISS';
    return row;
  });
}

function printTable(title, rows, { ratios = true } = {}) {
  console.log(`\n\x1b[1m${title}\x1b[0m`);
  const headers = ['scenario', 'webhooks/s', 'p50 ms', 'p99 ms', '2xx', 'non-2xx', 'errors', 'rows', 'queued', ...(ratios ? ['vs base', `≥ ${TARGET_RATIO * 100} %`] : ['landed'])];
  const body = rows.map((r) => [
    r.label,
    fmt(r.rps, 0),
    fmt(r.p50, 2),
    fmt(r.p99, 2),
    r.ok,
    r.non2xx,
    r.errors,
    r.rows,
    r.queued,
    ...(ratios ? [r.side === 'baseline' ? '(base)' : `${fmt(r.rps_ratio * 100, 1)} %`, r.verdict ?? (r.valid ? '' : 'INVALID')] : [r.valid ? 'ok' : 'INVALID']),
  ]);
  console.log(table(headers, body));
  for (const r of rows) {
    if (r.first_error) console.log(`  ${r.label}: first error answer (sent by hand after the run): ${r.first_error.status} ${r.first_error.body.slice(0, 500)}`);
    if (!landedOk(r)) console.log(`  \x1b[31m${r.label}: ${r.rows} rows and ${r.queued} queued jobs for ${r.ok} accepted deliveries\x1b[0m`);
  }
}

function printCpu(rows) {
  console.log(`\n\x1b[1mCPU seconds per process during each measured run\x1b[0m (1.00 = one core busy for one second)`);
  const labels = [...new Set(rows.flatMap((r) => Object.keys(r.cpu.cpu_s)))];
  const cpuOf = (r, label) => Math.max(0, r.cpu.cpu_s[label] ?? 0) || 0;
  for (const r of rows) {
    r.cpu.total_s = labels.reduce((sum, label) => sum + cpuOf(r, label), 0);
    r.cpu.ms_per_webhook = (r.cpu.total_s * 1000) / Math.max(1, r.ok);
  }
  console.log(
    table(
      ['process', ...rows.map((r) => `${r.label} (${fmt(r.cpu.wall_s, 1)} s)`)],
      [
        ...labels.map((label) => [label, ...rows.map((r) => fmt(cpuOf(r, label), 2))]),
        ['total', ...rows.map((r) => fmt(r.cpu.total_s, 2))],
        ['CPU ms per accepted webhook', ...rows.map((r) => fmt(r.cpu.ms_per_webhook, 2))],
      ],
    ),
  );
  console.log('  (postgres and redis-server count every process of those servers: other databases in use on this machine inflate them)');
}

// ---------------------------------------------------------------------------------------------
// Set-up

/** The baseline's table: webhook_inbox's columns, defaults, indexes (the dedupe key) and foreign keys. */
async function createBaselineTable(db) {
  await db.query(`CREATE TABLE ${BASELINE_TABLE} (LIKE webhook_inbox INCLUDING ALL)`);
  const { rows } = await db.query(`SELECT conname, pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = 'webhook_inbox'::regclass AND contype = 'f'`);
  for (const { conname, def } of rows) await db.query(`ALTER TABLE ${BASELINE_TABLE} ADD CONSTRAINT "bench_${conname}" ${def}`);
  return rows.length;
}

/** A vault secret and a route of `provider` signed with it, through control-api. */
async function makeRoute(control, operator, workspaceId, provider, extra = {}) {
  const ws = `/v1/workspaces/${workspaceId}`;
  const secretName = `bench_${provider.replace(/-/g, '_')}`;
  const secret = provider === 'stripe' ? `whsec_${randomBytes(24).toString('base64')}` : `hmac-${randomBytes(24).toString('hex')}`;
  await call(control, 'POST', `${ws}/secret-refs`, { token: operator, body: { name: secretName, ref: `vault://${secretName}`, reason: REASON } });
  await call(control, 'PUT', `${ws}/secrets/${secretName}`, { token: operator, body: { value: secret, reason: REASON } });
  const route = await call(control, 'POST', `${ws}/webhook-routes`, { token: operator, body: { provider, signing_secret_ref: secretName, target: { kind: 'store' }, reason: REASON, ...extra } });
  return { id: route.id, provider, scheme: provider, routeKey: route.route_key, path: route.ingress_path, secret, workspaceId };
}

// ---------------------------------------------------------------------------------------------
// Main

async function main() {
  const options = readOptions();
  const { adminUrl, redisUrl } = infraUrls();
  const { run, name, redisPrefix } = runNames();
  const startedAt = new Date();
  const loadAtStart = loadavg()[0];
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  const { tmp, logDir } = await scratchDir(stamp, options.keepLogs);
  const profileDir = join(BENCH_DIR, 'results', `profile-webhooks-${stamp}`);

  if (!options.skipBuild) await build(APPS, logDir);
  checkDist(APPS);

  const databaseUrl = await createDatabase(adminUrl, name, logDir);
  clearRedisOnExit(redisUrl, redisPrefix);
  const db = new pg.Client({ connectionString: databaseUrl });
  db.on('error', () => undefined); // the database is dropped WITH (FORCE) on clean-up
  await db.connect();
  onCleanup('bench database connection', () => db.end());

  step('Starting control-api and webhook-ingress from dist/ (child processes)');
  const [controlPort, ingressPort] = [await freePort(), await freePort()];
  const control = `http://127.0.0.1:${controlPort}`;
  const ingress = `http://127.0.0.1:${ingressPort}`;
  const bootstrapToken = randomBytes(24).toString('base64url');
  const common = {
    ...options.appEnv,
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl.href,
    REDIS_KEY_PREFIX: redisPrefix,
    ORCH_MASTER_KEY: `bench-1:${randomBytes(32).toString('base64')}`,
    ORCH_JWKS_URL: `${control}/.well-known/jwks.json`,
  };
  const jwtDir = join(tmp, 'jwt');
  mkdirSync(jwtDir);
  if (options.cpuProf) mkdirSync(profileDir, { recursive: true });
  const controlApp = await startApp('control-api', appEnv({ ...common, CONTROL_API_PORT: String(controlPort), ORCH_JWT_KEYS_DIR: jwtDir, ORCH_BOOTSTRAP_TOKEN: bootstrapToken }), logDir);
  const ingressApp = await startApp(
    'webhook-ingress',
    appEnv({ ...common, WEBHOOK_INGRESS_PORT: String(ingressPort) }),
    logDir,
    options.cpuProf ? ['-r', join(BENCH_DIR, 'support', 'profiler-preload.cjs')] : [],
    options.cpuProf,
  );
  const profiler = options.cpuProf ? { app: 'webhook-ingress', child: ingressApp.child, dir: profileDir, files: [] } : undefined;
  await waitReady('control-api', control, controlApp.child, controlApp.log);
  console.log(`  control-api ${control} ready`);

  step('Setting up through control-api: operator, workspace, vault secrets, webhook routes (stripe, hmac-sha256)');
  const { operator, workspace } = await bootstrapWorkspace(control, bootstrapToken, REASON);
  const stripe = await makeRoute(control, operator, workspace.id, 'stripe');
  const hmac = {
    ...(await makeRoute(control, operator, workspace.id, 'hmac-sha256', { verification: { header_name: 'X-Bench-Signature', encoding: 'hex', prefix: HMAC_PREFIX, event_id_path: '$.event.id' } })),
    header: HMAC_HEADER,
    prefix: HMAC_PREFIX,
  };
  console.log(`  workspace ${workspace.id}; routes ${stripe.path} (stripe), ${hmac.path} (hmac-sha256, header ${HMAC_HEADER}, hex, prefix ${HMAC_PREFIX})`);

  await waitReady('webhook-ingress', ingress, ingressApp.child, ingressApp.log);
  console.log(`  webhook-ingress ${ingress} ready`);

  step('Starting the baseline: bare Fastify + node:crypto HMAC + pg INSERT + BullMQ add (child process)');
  const foreignKeys = await createBaselineTable(db);
  const baselinePrefix = `${redisPrefix}baseline`;
  const baselineRoutes = Object.fromEntries(
    [stripe, hmac].map((r) => [r.routeKey, { provider: r.provider, scheme: r.scheme, secret: r.secret, workspaceId: r.workspaceId, routeId: r.id, ...(r.header ? { header: r.header, prefix: r.prefix } : {}) }]),
  );
  const baseline = await forkServer('baseline', 'baseline-webhook.mjs', [JSON.stringify({ databaseUrl, redisUrl: redisUrl.href, prefix: baselinePrefix, queue: BASELINE_QUEUE, table: BASELINE_TABLE, routes: baselineRoutes })], logDir);
  console.log(`  baseline ${baseline.url}: table ${BASELINE_TABLE} (LIKE webhook_inbox INCLUDING ALL + its ${foreignKeys} foreign keys), queue ${baselinePrefix}:${BASELINE_QUEUE}`);

  const redisConnection = { host: redisUrl.hostname, port: Number(redisUrl.port || 6379), db: Number(redisUrl.pathname.slice(1) || 0) };
  const ingressQueue = new Queue('webhooks', { connection: redisConnection, prefix: `${redisPrefix}bull` });
  const baselineQueue = new Queue(BASELINE_QUEUE, { connection: redisConnection, prefix: baselinePrefix });
  onCleanup('queues', () => Promise.all([ingressQueue.close(), baselineQueue.close()]));
  const ctx = {
    run,
    runs: 0,
    db,
    ingressQueue,
    baselineQueue,
    cpuChildren: { 'webhook-ingress': ingressApp.child.pid, baseline: baseline.child.pid, 'control-api (idle)': controlApp.child.pid },
  };

  const scenarios = {
    baseStripe: { key: 'baseline-stripe', side: 'baseline', label: 'baseline stripe (fastify+pg+bullmq)', url: baseline.url, route: stripe },
    baseHmac: { key: 'baseline-hmac', side: 'baseline', label: 'baseline hmac-sha256 (fastify+pg+bullmq)', url: baseline.url, route: hmac },
    ingressStripe: { key: 'ingress-stripe', side: 'ingress', label: 'webhook-ingress stripe', url: ingress, route: stripe },
    ingressHmac: { key: 'ingress-hmac', side: 'ingress', label: 'webhook-ingress hmac-sha256', url: ingress, route: hmac },
    baseDup: { key: 'baseline-dup', side: 'baseline', duplicate: true, label: 'baseline stripe, one event repeated', url: baseline.url, route: stripe },
    ingressDup: { key: 'ingress-dup', side: 'ingress', duplicate: true, label: 'webhook-ingress stripe, one event repeated', url: ingress, route: stripe },
  };

  step('Checking one delivery per scenario (200, duplicate:false) and one repeat (duplicate:true)');
  let allOk = true;
  for (const scenario of [scenarios.baseStripe, scenarios.baseHmac, scenarios.ingressStripe, scenarios.ingressHmac]) {
    const delivery = deliveries(scenario.route, `${run}-probe-${scenario.key}`)();
    const first = await send(scenario.url, scenario.route.path, delivery);
    const again = await send(scenario.url, scenario.route.path, delivery);
    const ok = first.status === 200 && JSON.parse(first.body).duplicate === false && again.status === 200 && JSON.parse(again.body).duplicate === true;
    allOk &&= ok;
    console.log(`  ${scenario.label.padEnd(44)} ${first.status} ${first.body.slice(0, 200)}; again ${again.status} ${again.body.slice(0, 200)}`);
  }
  if (!allOk) throw new Error('a scenario does not answer 200 with duplicate false, then true (above): a benchmark of errors is worthless. Fix it, then rerun.');

  if (options.check) {
    step(`--check: 50 deliveries per scenario at 5 connections; every one must land as one row and one queued job`);
    const rows = [];
    for (const scenario of Object.values(scenarios)) rows.push(await runScenario(ctx, scenario, { connections: 5, amount: 50, warmup: 0 }));
    const assessed = assess(rows);
    printTable('--check (50 deliveries per scenario: no throughput figures)', assessed, { ratios: false });
    const ok = assessed.every((r) => r.valid && r.ok === 50);
    console.log(ok ? '  \x1b[32m✓ every delivery answered 2xx and landed (rows = queued jobs = deliveries; none for repeats)\x1b[0m' : '  \x1b[31m✗ see above\x1b[0m');
    return ok ? 0 : 1;
  }

  // Every ingress run between two baseline runs; the baseline is first and last.
  const order = [...Array.from({ length: options.rounds }, () => [scenarios.baseStripe, scenarios.ingressStripe, scenarios.baseHmac, scenarios.ingressHmac]).flat(), scenarios.baseStripe];
  step(`Throughput: ${options.connections} connections, warm-up ${options.warmup}s + ${options.duration}s each, order ${order.map((s) => s.key).join(' → ')}; nothing consumes either queue`);
  if (options.warmup > 0) {
    // The first runs after the set-up (fresh tables, cold JIT in every process) come out low whichever side runs first.
    process.stdout.write(`  warm-up round, discarded: each of the four scenarios for ${options.warmup}s… `);
    for (const scenario of [scenarios.baseStripe, scenarios.ingressStripe, scenarios.baseHmac, scenarios.ingressHmac]) {
      checkAborted();
      await drive({ url: scenario.url, path: scenario.route.path, next: deliveries(scenario.route, `${run}-warm-${scenario.key}`), connections: options.connections, duration: options.warmup });
    }
    console.log('done');
  }
  const results = [];
  for (const scenario of order) {
    results.push(await runScenario(ctx, scenario, { connections: options.connections, duration: options.duration, warmup: options.warmup, profile: scenario.side === 'ingress' ? profiler : undefined }));
  }
  const duplicates = [];
  if (options.duplicateDuration > 0) {
    step(`Duplicate path: one stripe event sent again and again, ${options.connections} connections, warm-up ${Math.min(options.warmup, 2)}s + ${options.duplicateDuration}s each`);
    for (const scenario of [scenarios.baseDup, scenarios.ingressDup]) {
      duplicates.push(await runScenario(ctx, scenario, { connections: options.connections, duration: options.duplicateDuration, warmup: Math.min(options.warmup, 2), profile: scenario.side === 'ingress' ? profiler : undefined }));
    }
  }

  const throughputRows = assess(results);
  const duplicateRows = assess(duplicates);
  printTable(`POST /v1/webhooks/:provider/:routeKey — unique events (${options.connections} connections, ${options.duration}s each; each ingress run against the mean of the baseline runs before and after it)`, throughputRows);
  const baselineRuns = results.filter((r) => r.side === 'baseline');
  const [b1, b2] = [baselineRuns[0], baselineRuns.at(-1)];
  const meanBase = baselineRuns.reduce((sum, r) => sum + r.rps, 0) / baselineRuns.length;
  const spread = (Math.max(...baselineRuns.map((r) => r.rps)) - Math.min(...baselineRuns.map((r) => r.rps))) / meanBase;
  for (const key of ['ingress-stripe', 'ingress-hmac']) {
    const runs = throughputRows.filter((r) => r.key === key);
    const rps = runs.reduce((sum, r) => sum + r.rps, 0) / runs.length;
    console.log(`  ${key}: ${fmt(rps, 0)} webhooks/s over ${runs.length} run(s) = ${fmt((rps / meanBase) * 100, 1)} % of the mean of all ${baselineRuns.length} baseline runs (${fmt(meanBase, 0)}/s)`);
  }
  console.log(`  baseline drift between first and last run: ${fmt(((b2.rps - b1.rps) / b1.rps) * 100, 1)} % RPS, ${fmt(b2.p50 - b1.p50, 2)} ms p50; spread of all baseline runs ${fmt(spread * 100, 1)} % of their mean`);
  if (duplicateRows.length > 0) printTable(`Duplicate path — one event repeated (${options.connections} connections, ${options.duplicateDuration}s each; ratio against the baseline's duplicate run)`, duplicateRows);
  printCpu([...results, ...duplicates]);
  console.log(`\n  machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, 1-min load ${loadAtStart.toFixed(2)} at the start, ${loadavg()[0].toFixed(2)} at the end; node ${process.version}; autocannon in this process, every server in its own process`);
  if (loadAtStart > cpus().length || spread > 0.1) {
    console.log('  \x1b[33m! other work was running or the baseline runs spread by more than 10 %: these figures are disturbed; rerun on a quiet machine\x1b[0m');
  }

  const resultsDir = join(BENCH_DIR, 'results');
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, `webhooks-${stamp}.json`);
  writeFileSync(
    file,
    `${JSON.stringify({ benchmark: 'webhooks', started_at: startedAt.toISOString(), commit: gitCommit(), node: process.version, cpus: cpus().length, load_1min: { start: loadAtStart, end: loadavg()[0] }, options, target_ratio: TARGET_RATIO, throughput: throughputRows, duplicates: duplicateRows }, null, 2)}\n`,
  );
  console.log(`  results: ${file}`);

  if (profiler) {
    const { summarise } = await import('./support/cpuprofile-summary.mjs');
    for (const f of profiler.files) {
      step(`webhook-ingress CPU profile: ${f.label}`);
      console.log(summarise(f.path, 25));
    }
  }
  // The verdicts are information, not a test result: a completed run exits 0 (README).
  return 0;
}

await runMain(main);
