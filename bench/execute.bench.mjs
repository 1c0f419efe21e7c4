#!/usr/bin/env node
// `npm run bench:execute` — the issue-5 benchmark of POST /v1/execute (bench/README.md).
//
// One command: builds control-api + exec-api (Nx cache), makes a scratch Postgres database and
// Redis key prefix, starts a fake upstream, a bare Fastify+undici proxy (the baseline) and the
// two apps as child processes, sets up a workspace, connector and service identity through
// control-api's real HTTP API, then drives the baseline and exec-api with autocannon in this
// process and prints RPS, p50/p99 and the ratios against the targets. Everything it made is
// removed on exit, on failure and on Ctrl-C. Only 127.0.0.1 is ever contacted.
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { BENCH_DIR, call, checkAborted, fmt, forkServer, freePort, gitCommit, parseEnvPairs, profiled, readBenchArgs, runMain, measureLoad, step, table, upstreamStats, waitReady } from './support/harness.mjs';
import { appEnv, build, checkDist, clearRedisOnExit, createDatabase, infraUrls, runNames, scratchDir, serviceToken, setUpControlPlane, startApp } from './support/stack.mjs';

const APPS = ['control-api', 'exec-api'];
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
  const { values, number } = readBenchArgs(USAGE, {
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    connections: { type: 'string', default: '50' },
    'latency-duration': { type: 'string', default: '5' },
  });
  return {
    duration: number('duration', 1),
    warmup: number('warmup', 0),
    connections: number('connections', 1),
    latencyDuration: number('latency-duration', 0),
    skipBuild: values['skip-build'],
    cpuProf: values['cpu-prof'],
    check: values.check,
    keepLogs: values['keep-logs'],
    appEnv: parseEnvPairs(values.env),
  };
}

// ---------------------------------------------------------------------------------------------
// Load

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
  return measureLoad(autocannon, options);
}

/** The first answer of a scenario, sent by hand: shows what a non-2xx run was made of. */
async function probe(scenario) {
  const headers = { 'content-type': 'application/json', ...scenario.headers() };
  if (scenario.idempotencyKey) headers['idempotency-key'] = scenario.idempotencyKey();
  const res = await fetch(`${scenario.url}/v1/execute`, { method: 'POST', headers, body: EXECUTE_BODY });
  return { status: res.status, body: await res.text() };
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
  const profileDir = join(BENCH_DIR, 'results', `profile-${stamp}`);

  if (!options.skipBuild) await build(APPS, logDir);
  checkDist(APPS);

  const databaseUrl = await createDatabase(adminUrl, name, logDir);
  clearRedisOnExit(redisUrl, redisPrefix);

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
    REDIS_KEY_PREFIX: redisPrefix,
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
  const profiler = options.cpuProf ? { app: 'exec-api', child: execApp.child, dir: profileDir, files: [] } : undefined;
  // control-api first: the set-up below only needs it, and works even while exec-api does not boot.
  await waitReady('control-api', control, controlApp.child, controlApp.log);
  console.log(`  control-api ${control} ready`);

  const identity = await setUpControlPlane(control, bootstrapToken, upstream.url, { reason: REASON });
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

await runMain(main);
