#!/usr/bin/env node
// `npm run bench:jobs` — the issue-6 benchmark of POST /v1/jobs end to end (bench/README.md).
//
// One command: builds control-api + exec-api + worker (Nx cache), makes a scratch Postgres
// database and Redis key prefix, starts a fake upstream, a raw BullMQ worker (the baseline) and
// the three apps as child processes, sets up a workspace, connector and service identity through
// control-api's real HTTP API, then, at the same worker concurrency:
//   baseline      this process adds N jobs to a plain BullMQ queue; the baseline worker calls the
//                 upstream per job; time from the first add to the N-th completion;
//   orchestrator  this process POSTs N jobs to exec-api (bounded in flight); the worker runs them;
//                 time from the first POST to the N-th row in status `succeeded` (Postgres).
// Prints jobs/s end to end, the submit rate, the ratio against the baseline (target ≥ 20 %), and
// where the CPU went. Everything it made is removed on exit, on failure and on Ctrl-C. Only
// 127.0.0.1 is ever contacted.
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import pg from 'pg';
import { Agent, request } from 'undici';
import { ask, BENCH_DIR, call, checkAborted, fmt, forkServer, freePort, gitCommit, onCleanup, parseEnvPairs, profiled, readBenchArgs, runMain, sleep, step, table, upstreamStats, waitReady } from './support/harness.mjs';
import { startPgActivitySampler } from './support/pg-activity.mjs';
import { cpuDelta, cpuSnapshot } from './support/proc-cpu.mjs';
import { appEnv, build, checkDist, clearRedisOnExit, createDatabase, infraUrls, runNames, scratchDir, serviceToken, setUpControlPlane, startApp } from './support/stack.mjs';

const APPS = ['control-api', 'exec-api', 'worker'];
const TARGET_RATIO = 0.2;
const REASON = 'bench/jobs.bench.mjs scratch setup';
const BASELINE_QUEUE = 'bench-baseline';
const jobBody = (id) => JSON.stringify({ connector: 'bench-api', operation: 'get_thing', payload: { id } });

// ---------------------------------------------------------------------------------------------
// Options

const USAGE = `usage: npm run bench:jobs -- [options]

  --jobs <n>              jobs per measured scenario (default 2000)
  --concurrency <n>       worker concurrency of both the baseline and the Orchestrator worker (default 10)
  --worker-processes <n>  run the baseline worker and the Orchestrator worker as n processes each,
                          splitting --concurrency between them (default 1)
  --in-flight <n>         adds / POSTs in flight at once while submitting (default 50)
  --warmup-jobs <n>       jobs per scenario before the measured ones, discarded (default 1000;
                          each side warms up with at least --jobs)
  --timeout <s>           give up on a scenario after this many seconds (default 300)
  --skip-build            use dist/ as it is instead of running the (cached) Nx build
  --cpu-prof              profile the worker and exec-api during the measured Orchestrator run
  --check                 set everything up, run a handful of jobs per scenario, print them, stop
  --baseline-only         run the raw BullMQ baseline alone (no build, no apps): what this machine does
  --env KEY=VALUE         extra environment for the three apps (repeatable)
  --keep-logs             copy the children's logs to bench/results/logs-<timestamp>/ before cleaning up
  -h, --help              this text

Postgres and Redis default to postgres://postgres@127.0.0.1:5432/postgres and
redis://127.0.0.1:6379 (BENCH_POSTGRES_URL, BENCH_REDIS_URL override; loopback only).`;

function readOptions() {
  const { values, number } = readBenchArgs(USAGE, {
    jobs: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '10' },
    'worker-processes': { type: 'string', default: '1' },
    'in-flight': { type: 'string', default: '50' },
    'warmup-jobs': { type: 'string', default: '1000' },
    timeout: { type: 'string', default: '300' },
    'baseline-only': { type: 'boolean', default: false },
  });
  const check = values.check;
  const workerProcesses = number('worker-processes', 1);
  if (number('concurrency', 1) % workerProcesses !== 0) throw new Error(`--concurrency must be a multiple of --worker-processes (${workerProcesses})`);
  return {
    workerProcesses,
    jobs: check ? 5 : number('jobs', 1),
    concurrency: number('concurrency', 1),
    inFlight: number('in-flight', 1),
    warmupJobs: check ? 0 : number('warmup-jobs', 0),
    timeout: number('timeout', 1),
    skipBuild: values['skip-build'],
    cpuProf: values['cpu-prof'],
    check,
    baselineOnly: values['baseline-only'],
    keepLogs: values['keep-logs'],
    appEnv: parseEnvPairs(values.env),
  };
}

// ---------------------------------------------------------------------------------------------
// Load

const now = () => performance.timeOrigin + performance.now();

/** Runs submit(i) for i in [0, count) with at most `inFlight` at once; times the first and last. */
async function submitAll(count, inFlight, submit) {
  let next = 0;
  let firstAt;
  let lastAt;
  const failures = [];
  const lane = async () => {
    while (next < count) {
      checkAborted();
      const i = next++;
      firstAt ??= now();
      try {
        await submit(i);
      } catch (error) {
        failures.push(error.message);
        if (failures.length > 20) throw new Error(`submitting failed ${failures.length} times; first: ${failures[0]}`);
      }
      lastAt = now();
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, count) }, lane));
  return { firstAt, lastAt, failures };
}

/**
 * With several baseline processes on one queue: polls their counters (IPC, every 10 ms) until
 * they completed `target` jobs together since they started, then merges their completion times:
 * the answer has the shape of a single process's `reached` (the target-th completion's time).
 */
async function nthCompletion(workers, target, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const stats = await Promise.all(workers.map((w) => ask(w.child, { type: 'stats' }, 'stats')));
    const done = stats.reduce((sum, st) => sum + st.completed + st.failed, 0);
    if (done >= target) {
      const times = (await Promise.all(workers.map((w) => ask(w.child, { type: 'times', from: 0 }, 'times')))).flatMap((t) => t.times).sort((a, b) => a - b);
      return { at: times[target - 1], failed: stats.reduce((sum, st) => sum + st.failed, 0), firstError: stats.find((st) => st.firstError)?.firstError };
    }
    if (Date.now() > deadline) throw new Error(`the baseline workers completed ${done} of ${target} jobs in ${timeoutMs / 1000} s`);
    checkAborted();
    await sleep(10);
  }
}

async function runBaseline(ctx, { count, label, measured }) {
  checkAborted();
  const { queue, workers, upstream } = ctx;
  process.stdout.write(`  ${label.padEnd(34)} ${count} jobs… `);
  const target = ctx.baselineDone + count;
  const before = await upstreamStats(upstream);
  const cpuBefore = cpuSnapshot(ctx.cpuChildren);
  const reached =
    workers.length === 1
      ? ask(workers[0].child, { type: 'expect', count: target }, 'reached', { timeoutMs: ctx.timeout * 1000 })
      : nthCompletion(workers, target, ctx.timeout * 1000);
  const submitted = await submitAll(count, ctx.inFlight, (i) => queue.add('run', { id: String(i) }, { removeOnComplete: true, removeOnFail: true, attempts: 1 }));
  const done = await reached;
  const cpu = cpuDelta(cpuBefore, cpuSnapshot(ctx.cpuChildren));
  const after = await upstreamStats(upstream);
  ctx.baselineDone = target;
  const seconds = (done.at - submitted.firstAt) / 1000;
  const row = {
    key: 'baseline',
    label,
    jobs: count,
    succeeded: count - (done.failed - ctx.baselineFailed),
    failed: done.failed - ctx.baselineFailed,
    submit_errors: submitted.failures.length,
    seconds,
    jobs_per_s: count / seconds,
    submit_per_s: count / ((submitted.lastAt - submitted.firstAt) / 1000),
    upstream_calls: after.served - before.served,
    first_error: done.firstError ?? submitted.failures[0],
    cpu,
  };
  ctx.baselineFailed = done.failed;
  console.log(`${fmt(row.jobs_per_s, 0)} jobs/s (adds ${fmt(row.submit_per_s, 0)}/s)${row.failed ? `, \x1b[31m${row.failed} failed\x1b[0m` : ''}`);
  if (!measured) return undefined;
  return row;
}

/** Counts the workspace's job rows by status, and the latest finished_at of the succeeded ones. */
async function jobCounts(db, workspaceId) {
  const { rows } = await db.query(
    `SELECT count(*) FILTER (WHERE status = 'succeeded')::int AS succeeded,
            count(*) FILTER (WHERE status IN ('failed', 'dead_lettered', 'cancelled'))::int AS failed,
            count(*)::int AS total,
            extract(epoch FROM max(finished_at) FILTER (WHERE status = 'succeeded')) * 1000 AS last_finished_ms
       FROM jobs WHERE workspace_id = $1`,
    [workspaceId],
  );
  return { ...rows[0], last_finished_ms: rows[0].last_finished_ms === null ? undefined : Number(rows[0].last_finished_ms) };
}

/**
 * Per-job phases of the jobs created since `sinceMs`: submit → start (queue wait), start → finish
 * (run); and the jobs that finished after the last POST answered (`lastPostMs`), the worker
 * draining the queue alone.
 */
async function jobPhases(db, workspaceId, sinceMs, lastPostMs) {
  const { rows } = await db.query(
    `WITH j AS (
       SELECT extract(epoch FROM started_at - created_at) * 1000 AS wait_ms,
              extract(epoch FROM finished_at - started_at) * 1000 AS run_ms,
              extract(epoch FROM finished_at) * 1000 AS finished_ms
         FROM jobs
        WHERE workspace_id = $1 AND status = 'succeeded' AND created_at >= to_timestamp($2 / 1000.0))
     SELECT count(*)::int AS n,
            avg(wait_ms) AS wait_mean, percentile_cont(0.5) WITHIN GROUP (ORDER BY wait_ms) AS wait_p50,
            avg(run_ms) AS run_mean, percentile_cont(0.5) WITHIN GROUP (ORDER BY run_ms) AS run_p50,
            percentile_cont(0.99) WITHIN GROUP (ORDER BY run_ms) AS run_p99,
            count(*) FILTER (WHERE finished_ms > $3)::int AS drained,
            (max(finished_ms) - $3) / 1000.0 AS drain_s
       FROM j`,
    [workspaceId, sinceMs - 5, lastPostMs],
  );
  return Object.fromEntries(Object.entries(rows[0]).map(([k, v]) => [k, v === null ? NaN : Number(v)]));
}

/** Transactions and row changes in the bench database so far (pg_stat_database), to divide per job. */
async function dbStats(db, database) {
  const { rows } = await db.query(
    `SELECT xact_commit AS commits, xact_rollback AS rollbacks, tup_inserted AS rows_inserted, tup_updated AS rows_updated, tup_deleted AS rows_deleted, tup_fetched AS rows_fetched
       FROM pg_stat_database WHERE datname = $1`,
    [database],
  );
  return Object.fromEntries(Object.entries(rows[0]).map(([k, v]) => [k, Number(v)]));
}

/**
 * Tuples read so far per index scan target and per sequentially scanned table
 * (pg_stat_user_indexes / pg_stat_user_tables): which plan reads what.
 */
async function readStats(db) {
  const { rows } = await db.query(
    `SELECT 'index ' || indexrelname AS target, idx_scan AS scans, idx_tup_read AS tuples FROM pg_stat_user_indexes
     UNION ALL
     SELECT 'seq scan ' || relname, seq_scan, seq_tup_read FROM pg_stat_user_tables`,
  );
  return new Map(rows.map((r) => [r.target, { scans: Number(r.scans), tuples: Number(r.tuples) }]));
}

/** The targets that read the most tuples between two readStats snapshots, per job. */
function readsPerJob(before, after, count, top = 6) {
  return [...after]
    .map(([target, a]) => {
      const b = before.get(target) ?? { scans: 0, tuples: 0 };
      return { target, scans: (a.scans - b.scans) / count, tuples: (a.tuples - b.tuples) / count };
    })
    .filter((r) => r.tuples > 0)
    .sort((x, y) => y.tuples - x.tuples)
    .slice(0, top);
}

async function firstFailure(db, workspaceId) {
  const { rows } = await db.query(`SELECT id, status, attempts, error FROM jobs WHERE workspace_id = $1 AND status IN ('failed', 'dead_lettered', 'cancelled') ORDER BY updated_at LIMIT 1`, [workspaceId]);
  return rows[0] ? JSON.stringify(rows[0]) : undefined;
}

async function postJob(ctx, id) {
  const res = await request(`${ctx.exec}/v1/jobs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${ctx.token}` },
    body: jobBody(id),
    dispatcher: ctx.agent,
  });
  const text = await res.body.text();
  if (res.statusCode !== 202) throw new Error(`POST /v1/jobs → ${res.statusCode}: ${text.slice(0, 400)}`);
  return text;
}

async function runOrchestrator(ctx, { count, label, measured }) {
  checkAborted();
  const { db, workspaceId, upstream } = ctx;
  process.stdout.write(`  ${label.padEnd(34)} ${count} jobs… `);
  const target = ctx.orchDone + count;
  const before = await upstreamStats(upstream);
  const startedMs = Date.now();
  const profile = measured ? ctx.profilers : [];
  const work = async () => {
    const sampler = measured && !ctx.check ? await startPgActivitySampler(ctx.databaseUrl, ctx.databaseName) : undefined;
    const cpuBefore = cpuSnapshot(ctx.cpuChildren);
    const submitted = await submitAll(count, ctx.inFlight, (i) => postJob(ctx, `${ctx.run}-${ctx.orchDone + i}`));
    const cpuSubmitted = cpuSnapshot(ctx.cpuChildren);
    if (submitted.failures.length === count) throw new Error(`every POST /v1/jobs failed; first: ${submitted.failures[0]}`);
    const deadline = Date.now() + ctx.timeout * 1000;
    const expected = count - submitted.failures.length;
    let counts;
    let polledAt;
    let lastDbPoll = 0;
    for (;;) {
      // No job can succeed before the upstream served its call: ask the upstream (IPC) until it
      // has served them all, and Postgres only then (or once a second, for failures), so the
      // observer's count(*) over the workspace's jobs does not load the database under test.
      const served = (await upstreamStats(upstream)).served - before.served;
      if (served >= expected || Date.now() - lastDbPoll >= 1000) {
        counts = await jobCounts(db, workspaceId);
        polledAt = now();
        lastDbPoll = Date.now();
        if (counts.succeeded + counts.failed >= target - submitted.failures.length) break;
      }
      if (Date.now() > deadline) throw new Error(`${label}: only ${counts.succeeded} of ${target} jobs succeeded (${counts.failed} failed, ${counts.total} rows) after ${ctx.timeout} s; first failure: ${await firstFailure(db, workspaceId)}`);
      checkAborted();
      await sleep(served >= expected ? 10 : 20);
    }
    const cpuAfter = cpuSnapshot(ctx.cpuChildren);
    const cpu = { ...cpuDelta(cpuBefore, cpuAfter), drain: cpuDelta(cpuSubmitted, cpuAfter) };
    return { submitted, counts, polledAt, cpu, pgActivity: await sampler?.stop() };
  };
  // Both profilers run over the same window (started one after the other, stopped likewise).
  const nested = profile.reduceRight((fn, p) => () => profiled(p, `${p.app}-orchestrator`, `${p.app} — ${label}`, fn), work);
  const dbBefore = await dbStats(db, ctx.databaseName);
  const readsBefore = await readStats(db);
  const { submitted, counts, polledAt, cpu, pgActivity } = await nested();
  const after = await upstreamStats(upstream);
  await sleep(1100); // backends flush their statistics at most once a second
  const dbAfter = await dbStats(db, ctx.databaseName);
  const perJob = Object.fromEntries(Object.keys(dbAfter).map((k) => [k, (dbAfter[k] - dbBefore[k]) / count]));
  const reads = readsPerJob(readsBefore, await readStats(db), count);
  ctx.orchDone = target;
  const failed = counts.failed - ctx.orchFailed;
  ctx.orchFailed = counts.failed;
  // The last success as the worker stamped it (finished_at); the poll time bounds it from above.
  const lastAt = counts.last_finished_ms && counts.last_finished_ms <= polledAt + 5 ? Math.max(counts.last_finished_ms, submitted.lastAt ?? 0) : polledAt;
  const seconds = (lastAt - submitted.firstAt) / 1000;
  const phases = await jobPhases(db, workspaceId, startedMs, submitted.lastAt);
  const row = {
    key: 'orchestrator',
    label,
    jobs: count,
    succeeded: count - failed - submitted.failures.length,
    failed,
    submit_errors: submitted.failures.length,
    seconds,
    seconds_by_poll: (polledAt - submitted.firstAt) / 1000,
    jobs_per_s: (count - failed - submitted.failures.length) / seconds,
    submit_per_s: count / ((submitted.lastAt - submitted.firstAt) / 1000),
    upstream_calls: after.served - before.served,
    phases,
    pg_activity: pgActivity,
    postgres_per_job: perJob,
    postgres_reads_per_job: reads,
    first_error: submitted.failures[0] ?? (failed > 0 ? await firstFailure(db, workspaceId) : undefined),
    cpu,
  };
  console.log(`${fmt(row.jobs_per_s, 0)} jobs/s (POSTs ${fmt(row.submit_per_s, 0)}/s)${failed || row.submit_errors ? `, \x1b[31m${failed} failed, ${row.submit_errors} POST errors\x1b[0m` : ''}`);
  if (!measured) return undefined;
  return row;
}

// ---------------------------------------------------------------------------------------------
// Report

function printReport(rows, options) {
  const baselines = rows.filter((r) => r.key === 'baseline');
  const base = baselines.reduce((s, r) => s + r.jobs_per_s, 0) / baselines.length;
  for (const r of rows) {
    r.ratio = r.jobs_per_s / base;
    r.valid = r.failed === 0 && r.submit_errors === 0;
    if (r.key === 'orchestrator') r.verdict = !r.valid ? 'INVALID' : options.check ? '(--check)' : r.ratio >= TARGET_RATIO ? 'PASS' : 'MISS';
  }
  console.log(`\n\x1b[1mJobs end to end — ${options.jobs} jobs per run, worker concurrency ${options.concurrency}, ${options.inFlight} submissions in flight; ratio against the mean of both baseline runs\x1b[0m`);
  const headers = ['scenario', 'jobs/s', 'seconds', 'submit/s', 'succeeded', 'failed', 'submit errors', 'upstream calls', 'vs base', `≥ ${TARGET_RATIO * 100} %`];
  console.log(
    table(
      headers,
      rows.map((r) => [
        r.label,
        fmt(r.jobs_per_s, 0),
        fmt(r.seconds, 2),
        fmt(r.submit_per_s, 0),
        r.succeeded,
        r.failed,
        r.submit_errors,
        r.upstream_calls,
        r.key === 'baseline' ? '(base)' : `${fmt(r.ratio * 100, 1)} %`,
        r.verdict ?? '',
      ]),
    ),
  );
  const [b1, b2] = baselines;
  if (b2) console.log(`  baseline drift between first and last run: ${fmt(((b2.jobs_per_s - b1.jobs_per_s) / b1.jobs_per_s) * 100, 1)} %`);
  for (const r of rows) if (r.first_error) console.log(`  ${r.label}: first error: ${String(r.first_error).slice(0, 500)}`);

  const orch = rows.find((r) => r.key === 'orchestrator');
  if (orch) {
    const p = orch.phases;
    console.log(`\n\x1b[1mWhere the time goes (Orchestrator run)\x1b[0m`);
    console.log(`  per job (from the jobs rows, ${p.n} succeeded): queue wait created→started mean ${fmt(p.wait_mean, 1)} ms (p50 ${fmt(p.wait_p50, 1)}), run started→finished mean ${fmt(p.run_mean, 1)} ms (p50 ${fmt(p.run_p50, 1)}, p99 ${fmt(p.run_p99, 1)})`);
    if (p.drained > 0) {
      const d = orch.cpu.drain;
      const busy = Object.values(d.cpu_s).reduce((sum, v) => sum + (Math.max(0, v) || 0), 0);
      const secondsOf = (label) => Math.max(0, d.cpu_s[label] ?? 0) || 0;
      const of = (label) => fmt((secondsOf(label) * 1000) / p.drained, 2);
      const workerMs = fmt((Object.keys(d.cpu_s).filter((label) => /^worker( \d+)?$/.test(label)).reduce((sum, label) => sum + secondsOf(label), 0) * 1000) / p.drained, 2);
      console.log(
        `  after the last POST answered: ${p.drained} jobs finished in ${fmt(p.drain_s, 2)} s (${fmt(p.drained / p.drain_s, 0)} jobs/s, the worker alone), ${fmt(busy / d.wall_s, 2)} cores busy; CPU ms per drained job: worker ${workerMs}, postgres ${of('postgres (all processes)')}, redis ${of('redis-server (all processes)')}`,
      );
    }
    console.log(`  ${options.concurrency} slots ÷ mean run time = ${fmt((options.concurrency * 1000) / p.run_mean, 0)} jobs/s at most if the worker's slots were the limit; measured ${fmt(orch.jobs_per_s, 0)}; POSTs went at ${fmt(orch.submit_per_s, 0)}/s`);
    const pj = orch.postgres_per_job;
    console.log(`  Postgres per job (pg_stat_database, whole run incl. this bench's polling): ${fmt(pj.commits, 1)} commits, ${fmt(pj.rows_inserted, 1)} rows inserted, ${fmt(pj.rows_updated, 1)} updated, ${fmt(pj.rows_deleted, 1)} deleted, ${fmt(pj.rows_fetched, 0)} fetched`);
    const reads = orch.postgres_reads_per_job ?? [];
    if (reads.length > 0) console.log(`  tuples read per job, by index or sequential scan (pg_stat_user_*): ${reads.map((r) => `${r.target.replace(/^index /, '')} ${fmt(r.tuples, 1)} in ${fmt(r.scans, 2)} scans`).join('; ')}`);
    console.log(`  last success by poll: ${fmt(orch.seconds_by_poll, 2)} s after the first POST (by finished_at: ${fmt(orch.seconds, 2)} s)`);
    if (orch.pg_activity) {
      const a = orch.pg_activity;
      console.log(`\n  Postgres sessions of the bench database, sampled every ${a.every_ms} ms (${a.samples} samples; average sessions in that state over the run):`);
      const width = Math.max(12, ...a.rows.slice(0, 14).map((r) => r.wait.length));
      console.log(`  ${'sessions'.padStart(8)}  ${'state / wait'.padEnd(width)}  statement`);
      for (const r of a.rows.slice(0, 14)) console.log(`  ${fmt(r.sessions, 2).padStart(8)}  ${r.wait.padEnd(width)}  ${r.statement}`);
    }
  }
  console.log(`\n\x1b[1mCPU seconds per process during each measured run\x1b[0m (wall seconds in the header; 1.00 = one core busy for one second; in brackets the part spent in the kernel)`);
  const labels = [...new Set(rows.flatMap((r) => Object.keys(r.cpu.cpu_s)))];
  const cpuOf = (r, label) => Math.max(0, r.cpu.cpu_s[label] ?? 0) || 0;
  for (const r of rows) {
    r.cpu.total_s = labels.reduce((sum, label) => sum + cpuOf(r, label), 0);
    r.cpu.ms_per_job = (r.cpu.total_s * 1000) / r.jobs;
  }
  console.log(
    table(
      ['process', ...rows.map((r) => `${r.label} (${fmt(r.cpu.wall_s, 1)} s)`)],
      [
        ...labels.map((label) => [label, ...rows.map((r) => `${fmt(Math.max(0, r.cpu.cpu_s[label]), 2)} (${fmt(Math.max(0, r.cpu.kernel_s?.[label] ?? NaN), 2)})`)]),
        ['total', ...rows.map((r) => fmt(r.cpu.total_s, 2))],
        ['total CPU ms per job', ...rows.map((r) => fmt(r.cpu.ms_per_job, 2))],
        [`jobs/s if CPU-bound on ${cpus().length} cores`, ...rows.map((r) => fmt((cpus().length * 1000) / r.cpu.ms_per_job, 0))],
      ],
    ),
  );
  console.log('  (postgres and redis-server count every process of those servers: other databases in use on this machine inflate them)');
  // Every message between processes costs a write, a read and usually a wake-up on both sides:
  // on this VM each of those is dear, so round trips per job matter as much as code paths.
  const ioLabels = labels.filter((label) => rows.some((r) => r.cpu.io?.[label]));
  if (ioLabels.length === 0) return;
  console.log(`\n\x1b[1mSystem calls and waits per job\x1b[0m (read syscalls / write syscalls / voluntary context switches, from /proc; the bench driver is not counted)`);
  const perJob = (r, label) => {
    const counts = r.cpu.io?.[label];
    return counts ? counts.map((n) => fmt(n / r.jobs, 1)).join(' / ') : 'n/a';
  };
  console.log(table(['process', ...rows.map((r) => r.label)], ioLabels.map((label) => [label, ...rows.map((r) => perJob(r, label))])));
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
  const profileDir = join(BENCH_DIR, 'results', `profile-jobs-${stamp}`);

  if (!options.baselineOnly) {
    if (!options.skipBuild) await build(APPS, logDir);
    checkDist(APPS);
  }

  const databaseUrl = await createDatabase(adminUrl, name, logDir);
  clearRedisOnExit(redisUrl, redisPrefix);
  const db = new pg.Client({ connectionString: databaseUrl });
  db.on('error', () => undefined); // the database is dropped WITH (FORCE) on clean-up
  await db.connect();
  onCleanup('bench database connection', () => db.end());

  step('Starting the fake upstream and the raw BullMQ baseline worker (child processes)');
  const upstream = await forkServer('upstream', 'fake-upstream.mjs', [], logDir);
  const baselinePrefix = `${redisPrefix}baseline`;
  const perProcess = options.concurrency / options.workerProcesses;
  const baselineWorkers = [];
  for (let i = 0; i < options.workerProcesses; i++) {
    const name = options.workerProcesses === 1 ? 'bullmq-baseline' : `bullmq-baseline-${i + 1}`;
    baselineWorkers.push(await forkServer(name, 'bullmq-baseline-worker.mjs', [redisUrl.href, baselinePrefix, BASELINE_QUEUE, upstream.url, String(perProcess)], logDir, { ready: 'ready' }));
  }
  const queueUrl = new URL(redisUrl.href);
  const queue = new Queue(BASELINE_QUEUE, {
    connection: { host: queueUrl.hostname, port: Number(queueUrl.port || 6379), db: Number(queueUrl.pathname.slice(1) || 0), ...(queueUrl.password ? { password: decodeURIComponent(queueUrl.password) } : {}) },
    prefix: baselinePrefix,
  });
  onCleanup('baseline queue', () => queue.close());
  console.log(`  upstream ${upstream.url}; baseline worker${options.workerProcesses === 1 ? '' : `s (${options.workerProcesses} processes)`} on queue ${baselinePrefix}:${BASELINE_QUEUE}, concurrency ${options.concurrency}`);

  const rows = [];
  const scenario = async (fn, label, count, measured) => {
    const row = await fn(ctx, { count, label, measured });
    if (row) rows.push(row);
  };
  const ctx = {
    run,
    db,
    databaseUrl,
    databaseName: name,
    check: options.check,
    queue,
    workers: baselineWorkers,
    upstream,
    inFlight: options.inFlight,
    timeout: options.timeout,
    profilers: [],
    baselineDone: 0,
    baselineFailed: 0,
    orchDone: 0,
    orchFailed: 0,
    cpuChildren: {
      ...Object.fromEntries(baselineWorkers.map((w, i) => [options.workerProcesses === 1 ? 'baseline worker' : `baseline worker ${i + 1}`, w.child.pid])),
      'fake upstream': upstream.child.pid,
    },
  };
  if (options.check || options.baselineOnly) {
    step(options.check ? `--check: ${options.jobs} jobs through the baseline` : 'Baseline only');
    if (options.warmupJobs > 0 && !options.check) await scenario(runBaseline, 'baseline warm-up', options.warmupJobs, false);
    await scenario(runBaseline, 'baseline (raw BullMQ)', options.jobs, true);
    if (options.baselineOnly) {
      await scenario(runBaseline, 'baseline (raw BullMQ) again', options.jobs, true);
      printReport(rows, options);
      return 0;
    }
  }

  step('Starting control-api, exec-api and the worker from dist/ (child processes)');
  const [controlPort, execPort] = [await freePort(), await freePort()];
  const workerPorts = [];
  for (let i = 0; i < options.workerProcesses; i++) workerPorts.push(await freePort());
  const control = `http://127.0.0.1:${controlPort}`;
  const exec = `http://127.0.0.1:${execPort}`;
  const bootstrapToken = randomBytes(24).toString('base64url');
  // Production's log level (the apps' default), not stack.mjs' quieter `warn`: what a deployment
  // pays per request and per job is part of the comparison. `--env LOG_LEVEL=warn` for a what-if.
  const common = {
    LOG_LEVEL: 'info',
    ...options.appEnv,
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl.href,
    REDIS_KEY_PREFIX: redisPrefix,
    ORCH_MASTER_KEY: `bench-1:${randomBytes(32).toString('base64')}`,
    EGRESS_ALLOW_CIDRS: '127.0.0.0/8',
    ORCH_JWKS_URL: `${control}/.well-known/jwks.json`,
  };
  const jwtDir = join(tmp, 'jwt');
  mkdirSync(jwtDir);
  if (options.cpuProf) mkdirSync(profileDir, { recursive: true });
  const preload = options.cpuProf ? ['-r', join(BENCH_DIR, 'support', 'profiler-preload.cjs')] : [];
  const controlApp = await startApp('control-api', appEnv({ ...common, CONTROL_API_PORT: String(controlPort), ORCH_JWT_KEYS_DIR: jwtDir, ORCH_BOOTSTRAP_TOKEN: bootstrapToken }), logDir);
  const execApp = await startApp('exec-api', appEnv({ ...common, EXEC_API_PORT: String(execPort) }), logDir, preload, options.cpuProf);
  // One workspace only: its fairness cap must not be lower than the concurrency being compared.
  // With several processes, each takes its share of the concurrency (the first one is profiled).
  const workerLabel = (i) => (options.workerProcesses === 1 ? 'worker' : `worker ${i + 1}`);
  const workerApps = [];
  for (const [i, port] of workerPorts.entries()) {
    const app = await startApp(
      'worker',
      appEnv({ ...common, WORKER_PORT: String(port), WORKER_CONCURRENCY: String(perProcess), WORKER_WORKSPACE_CONCURRENCY: String(perProcess) }),
      logDir,
      i === 0 ? preload : [],
      i === 0 && options.cpuProf,
      workerLabel(i).replace(' ', '-'),
    );
    workerApps.push({ ...app, url: `http://127.0.0.1:${port}` });
  }
  const [workerApp] = workerApps;
  const profilers = options.cpuProf
    ? [
        { app: 'worker', child: workerApp.child, dir: profileDir, files: [] },
        { app: 'exec-api', child: execApp.child, dir: profileDir, files: [] },
      ]
    : [];
  await waitReady('control-api', control, controlApp.child, controlApp.log);
  console.log(`  control-api ${control} ready`);

  const identity = await setUpControlPlane(control, bootstrapToken, upstream.url, {
    reason: REASON,
    scopes: ['jobs:write', 'jobs:read'],
    quotas: { rps: 100_000, concurrency: 10_000, queue_depth: 10_000_000 },
  });
  const token = await serviceToken(control, identity);
  console.log(`  workspace ${identity.workspaceId}, service identity ${identity.clientId} (jobs:write jobs:read), token minted`);

  await waitReady('exec-api', exec, execApp.child, execApp.log);
  console.log(`  exec-api ${exec} ready`);
  for (const [i, app] of workerApps.entries()) {
    await waitReady(workerLabel(i), app.url, app.child, app.log);
    console.log(`  ${workerLabel(i)} ${app.url} ready (WORKER_CONCURRENCY=${perProcess})`);
  }

  const agent = new Agent({ keepAliveTimeout: 60_000, keepAliveMaxTimeout: 600_000, connections: options.inFlight });
  onCleanup('HTTP agent', () => agent.close());
  Object.assign(ctx, {
    exec,
    token,
    agent,
    workspaceId: identity.workspaceId,
    profilers,
    cpuChildren: { 'exec-api': execApp.child.pid, ...Object.fromEntries(workerApps.map((app, i) => [workerLabel(i), app.child.pid])), 'control-api': controlApp.child.pid, ...ctx.cpuChildren },
  });

  step('Checking one job through the Orchestrator');
  const answer = await postJob(ctx, `${run}-probe`).catch((error) => error.message);
  console.log(`  POST /v1/jobs → ${answer.slice(0, 300)}`);
  ctx.orchDone = 1;
  const probeId = /"id"\s*:\s*"([^"]+)"/.exec(answer)?.[1];
  for (let waited = 0; probeId && waited < 15_000; waited += 250) {
    const counts = await jobCounts(db, identity.workspaceId);
    if (counts.succeeded + counts.failed >= 1) break;
    await sleep(250);
  }
  if (probeId) {
    const job = await call(exec, 'GET', `/v1/jobs/${probeId}`, { token }).catch((error) => ({ error: error.message }));
    console.log(`  GET /v1/jobs/${probeId} → ${JSON.stringify(job).slice(0, 400)}`);
    if (job.status !== 'succeeded') throw new Error(`the probe job did not reach succeeded (above): a benchmark of errors is worthless. Fix it, then rerun.`);
  } else {
    throw new Error('POST /v1/jobs did not answer 202 with an id (above): a benchmark of errors is worthless. Fix it, then rerun.');
  }
  ctx.orchFailed = (await jobCounts(db, identity.workspaceId)).failed;

  if (options.check) {
    step(`--check: ${options.jobs} jobs through the Orchestrator`);
    await scenario(runOrchestrator, 'orchestrator POST /v1/jobs', options.jobs, true);
    printReport(rows, options);
    return rows.every((r) => r.failed === 0 && r.submit_errors === 0) ? 0 : 1;
  }

  if (options.warmupJobs > 0) {
    // Both sides get at least one measured run's worth, so their JIT is warm alike (at 1000 jobs
    // exec-api was still compiling during the measured run: `perf` showed TurboFan at work).
    const warmup = Math.max(options.warmupJobs, options.jobs);
    step(`Warm-up (discarded): ${warmup} jobs each`);
    await scenario(runBaseline, 'baseline warm-up', warmup, false);
    await scenario(runOrchestrator, 'orchestrator warm-up', warmup, false);
  }
  await db.query('VACUUM ANALYZE');
  step(`Measured: ${options.jobs} jobs each, concurrency ${options.concurrency}, ${options.inFlight} in flight, order baseline → orchestrator → baseline`);
  await scenario(runBaseline, 'baseline (raw BullMQ)', options.jobs, true);
  await scenario(runOrchestrator, 'orchestrator POST /v1/jobs', options.jobs, true);
  await scenario(runBaseline, 'baseline (raw BullMQ) again', options.jobs, true);

  printReport(rows, options);
  console.log(`\n  machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, 1-min load ${loadAtStart.toFixed(2)} at the start, ${loadavg()[0].toFixed(2)} at the end; node ${process.version}; submissions from this process, every server in its own process`);
  const [b1, b2] = rows.filter((r) => r.key === 'baseline');
  if (loadAtStart > cpus().length || Math.abs((b2.jobs_per_s - b1.jobs_per_s) / b1.jobs_per_s) > 0.1) {
    console.log('  \x1b[33m! other work was running or the baseline drifted by more than 10 %: these figures are disturbed; rerun on a quiet machine\x1b[0m');
  }

  const resultsDir = join(BENCH_DIR, 'results');
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, `jobs-${stamp}.json`);
  writeFileSync(
    file,
    `${JSON.stringify({ benchmark: 'jobs', started_at: startedAt.toISOString(), commit: gitCommit(), node: process.version, cpus: cpus().length, load_1min: { start: loadAtStart, end: loadavg()[0] }, options, target_ratio: TARGET_RATIO, body: JSON.parse(jobBody('<n>')), runs: rows }, null, 2)}\n`,
  );
  console.log(`  results: ${file}`);

  if (profilers.length > 0) {
    const { summarise } = await import('./support/cpuprofile-summary.mjs');
    for (const profiler of profilers) {
      for (const f of profiler.files) {
        step(`CPU profile: ${f.label}`);
        console.log(summarise(f.path, 25));
      }
    }
  }
  return 0;
}

await runMain(main);
