// Shared machinery of the benchmarks (bench/*.bench.mjs): the loopback rule, clean-up on exit
// and Ctrl-C, child processes, HTTP calls, report formatting. Everything here is generic; the
// Orchestrator-specific set-up (build, scratch database, apps, control plane) is in stack.mjs.
import { fork, spawn } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BENCH_DIR = join(ROOT, 'bench');

// ---------------------------------------------------------------------------------------------
// The loopback rule

/** The hard rule of the benchmarks: they talk to loopback only, whatever the environment says. */
export function loopbackUrl(name, value) {
  const url = new URL(value);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!(host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host))) {
    console.error(`${name} must point at a loopback address (127.0.0.0/8, ::1, localhost), got ${url.host}`);
    process.exit(2);
  }
  return url;
}

/** `--env KEY=VALUE` pairs → an object; URL values must be loopback. */
/** Options every benchmark takes, in `node:util` parseArgs form. */
const COMMON_OPTIONS = {
  'skip-build': { type: 'boolean', default: false },
  'cpu-prof': { type: 'boolean', default: false },
  check: { type: 'boolean', default: false },
  'keep-logs': { type: 'boolean', default: false },
  env: { type: 'string', multiple: true, default: [] },
  help: { type: 'boolean', short: 'h', default: false },
};

/**
 * Parses a benchmark's command line (its own options plus the common ones), prints `usage` and
 * exits on --help, and returns the values with `number(name, min)`, which reads an integer
 * option or exits 2 naming it.
 */
export function readBenchArgs(usage, options) {
  const { values } = parseArgs({ options: { ...options, ...COMMON_OPTIONS } });
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  const number = (name, min) => {
    const value = Number(values[name]);
    if (!Number.isInteger(value) || value < min) {
      console.error(`--${name} must be an integer ≥ ${min}\n\n${usage}`);
      process.exit(2);
    }
    return value;
  };
  return { values, number };
}

export function parseEnvPairs(pairs) {
  return Object.fromEntries(
    pairs.map((pair) => {
      const at = pair.indexOf('=');
      if (at < 1) {
        console.error(`--env takes KEY=VALUE, got "${pair}"`);
        process.exit(2);
      }
      const [key, value] = [pair.slice(0, at), pair.slice(at + 1)];
      if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) loopbackUrl(`--env ${key}`, value);
      return [key, value];
    }),
  );
}

// ---------------------------------------------------------------------------------------------
// Clean-up: every resource registers how to undo itself; they run last-in first-out, once.

const cleanups = [];
let cleaning;
let activeLoad;
let aborted = false;

export function onCleanup(label, fn) {
  cleanups.push({ label, fn });
}

/** The load generator running now (anything with stop()), stopped first on clean-up. */
export function setActiveLoad(instance) {
  activeLoad = instance;
}

export function cleanUp() {
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

export function isAborted() {
  return aborted;
}

/** Between steps: after Ctrl-C, stop instead of starting anything new. */
export function checkAborted() {
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

/** Runs main(), prints its error, always cleans up, exits with main's code (1 on failure). */
export async function runMain(main) {
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
}

// ---------------------------------------------------------------------------------------------
// Small helpers

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export function step(message) {
  checkAborted();
  console.log(`\x1b[1m▸ ${message}\x1b[0m`);
}

export function tail(file, lines = 40) {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Runs a command to completion with its output in a log file; rejects with the log's tail. */
export function runLogged(command, args, { env, log }) {
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

export async function freePort() {
  const server = createServer();
  await new Promise((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Stops a child: SIGTERM, then SIGKILL after a grace period. */
export async function stopChild(child, graceMs = 8000) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/**
 * Forks one of bench/support/*.mjs and waits for its first `ready` message over IPC
 * (`listening` by default, with the port it listens on). Resolves with the message too.
 */
export async function forkServer(name, script, args, logDir, { ready = 'listening', env } = {}) {
  const log = join(logDir, `${name}.log`);
  const out = createWriteStream(log);
  const child = fork(join(BENCH_DIR, 'support', script), args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe', 'ipc'], ...(env ? { env } : {}) });
  child.stdout.pipe(out);
  child.stderr.pipe(out);
  onCleanup(name, () => stopChild(child));
  const message = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start in 10 s:\n${tail(log)}`)), 10_000);
    child.on('message', (message) => {
      if (message?.type === ready) {
        clearTimeout(timer);
        resolve(message);
      }
    });
    child.once('exit', (code) => reject(new Error(`${name} exited (${code}) before ${ready}:\n${tail(log)}`)));
  });
  const { port } = message;
  return { child, port, url: port ? `http://127.0.0.1:${port}` : undefined, log, message };
}

/** Sends `message` to a child and resolves with its first reply of type `answer`. */
export function ask(child, message, answer, { timeoutMs = 30_000, failure } = {}) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`no ${answer} answer to ${message.type} in ${timeoutMs / 1000} s`)), timeoutMs);
    const onMessage = (reply) => {
      if (reply?.type === answer) done(undefined, reply);
      if (failure && reply?.type === failure) done(new Error(reply.message ?? `${message.type} failed`));
    };
    const done = (error, reply) => {
      clearTimeout(timer);
      child.off('message', onMessage);
      if (error) reject(error);
      else resolve(reply);
    };
    child.on('message', onMessage);
    child.send(message);
  });
}

export function upstreamStats(upstream) {
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

export async function waitReady(name, url, child, log, seconds = 90) {
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
export async function call(base, method, path, { token, body, form, headers = {} } = {}) {
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
// Report

export function fmt(value, digits) {
  return Number.isFinite(value) ? value.toFixed(digits) : 'n/a';
}

export function table(headers, rows) {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ');
  return [line(headers), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function gitCommit() {
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
// CPU profiles

/**
 * Profiles an app started with support/profiler-preload.cjs and an IPC channel while fn runs.
 * `profiler` is {app, child, dir, files}, or undefined (then fn just runs). The profile lands in
 * <dir>/<name>.cpuprofile and is listed in `files` with `label`.
 */
export async function profiled(profiler, name, label, fn) {
  if (!profiler) return fn();
  await askProfiler(profiler, { type: 'profile:start' }, 'profile:started');
  const result = await fn();
  const path = join(profiler.dir, `${name}.cpuprofile`);
  await askProfiler(profiler, { type: 'profile:stop', file: path }, 'profile:written');
  profiler.files.push({ label, path });
  return result;
}

async function askProfiler(profiler, message, answer) {
  try {
    await ask(profiler.child, message, answer, { timeoutMs: 30_000, failure: 'profile:failed' });
  } catch (error) {
    throw new Error(`${profiler.app}'s profiler: ${error.message}`);
  }
}

export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index];
}

/**
 * One autocannon run with the given options (the caller's module imports autocannon and passes
 * it, so this file stays free of load-tool dependencies). Latency percentiles come from every 2xx
 * response time (float ms), not from autocannon's histogram, which rounds to whole milliseconds.
 * The run is registered as the active load, so a clean-up (Ctrl-C, failure) stops it.
 */
export async function measureLoad(autocannon, options) {
  const latencies = [];
  const statuses = {};
  const instance = autocannon(options);
  setActiveLoad(instance);
  instance.on('response', (_client, statusCode, _bytes, responseTime) => {
    statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
    if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
  });
  const result = await instance;
  setActiveLoad(undefined);
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
