#!/usr/bin/env node
// `npm start`: install if needed, check Postgres and Redis (start local ones when possible),
// create + migrate + seed the dev database, build every app, start them all with readable
// prefixed logs. Ctrl-C stops them all. `--json` prints the raw JSON log lines instead.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_DATABASE_URL, DEFAULT_REDIS_URL, ensureServices } from './lib/services.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const rawJson = process.argv.includes('--json');

// The vault master key of this clone, generated once into .dev-keys (git-ignored). Dev only:
// losing the file makes the dev vault's secrets unreadable, and control-api refuses to start.
function devMasterKey() {
  const file = join(root, '.dev-keys', 'master.key');
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `dev-1:${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
  }
  return readFileSync(file, 'utf8').trim();
}

// The demo operator of this clone (when ORCH_BOOTSTRAP_ADMIN_* are not set): control-api creates it
// at its first start while no operator exists. Its password is generated once into .dev-keys, so
// every later start prints the same one.
const DEMO_ADMIN_EMAIL = 'admin@demo.local';
function demoAdminPassword() {
  const file = join(root, '.dev-keys', 'demo-admin.password');
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `demo-${randomBytes(12).toString('base64url')}\n`, { mode: 0o600 });
  }
  return readFileSync(file, 'utf8').trim();
}
const demoAdmin = process.env.ORCH_BOOTSTRAP_ADMIN_EMAIL ? undefined : { email: DEMO_ADMIN_EMAIL, password: demoAdminPassword() };

// The seeded connector `demo-upstream` of workspace demo-dev points here (libs/data/src/seed/seed-demo.ts).
const DEMO_UPSTREAM_PORT = 4010;

const env = {
  ...process.env,
  ...(demoAdmin ? { ORCH_BOOTSTRAP_ADMIN_EMAIL: demoAdmin.email, ORCH_BOOTSTRAP_ADMIN_PASSWORD: demoAdmin.password } : {}),
  ORCH_ENV: process.env.ORCH_ENV ?? 'dev',
  DATABASE_URL: process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL,
  REDIS_URL: process.env.REDIS_URL ?? DEFAULT_REDIS_URL,
  ORCH_MASTER_KEY: process.env.ORCH_MASTER_KEY || devMasterKey(),
  // Local fake upstreams run on this machine: the dev stack lets connectors reach loopback.
  EGRESS_ALLOW_CIDRS: process.env.EGRESS_ALLOW_CIDRS ?? '127.0.0.0/8,::1/128',
  // The console shows webhook routes' URLs under webhook-ingress's address.
  CONSOLE_WEBHOOK_INGRESS_URL: process.env.CONSOLE_WEBHOOK_INGRESS_URL ?? `http://127.0.0.1:${process.env.WEBHOOK_INGRESS_PORT ?? 4003}`,
  NX_DAEMON: 'false',
  NX_NO_CLOUD: 'true',
};

const APPS = [
  { name: 'control-api', portVar: 'CONTROL_API_PORT', port: 4000, color: 36 },
  { name: 'exec-api', portVar: 'EXEC_API_PORT', port: 4001, color: 32 },
  { name: 'operator-console', portVar: 'CONSOLE_PORT', port: 4002, color: 35 },
  { name: 'webhook-ingress', portVar: 'WEBHOOK_INGRESS_PORT', port: 4003, color: 33 },
  { name: 'worker', portVar: 'WORKER_PORT', port: 4004, color: 34 },
];

function step(message) {
  console.log(`\x1b[1m▸ ${message}\x1b[0m`);
}

function run(command, args) {
  const result = spawnSync(command, args, { cwd: root, env, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`\n✗ ${command} ${args.join(' ')} failed (exit ${result.status})`);
    process.exit(result.status ?? 1);
  }
}

function installNeeded() {
  const marker = join(root, 'node_modules', '.package-lock.json');
  return !existsSync(marker) || statSync(marker).mtimeMs < statSync(join(root, 'package-lock.json')).mtimeMs;
}

const LEVELS = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO ', 40: 'WARN ', 50: 'ERROR', 60: 'FATAL' };

function format(app, line) {
  const prefix = `\x1b[${app.color}m[${app.name.padEnd(16)}]\x1b[0m`;
  if (rawJson) return `${prefix} ${line}`;
  try {
    const entry = JSON.parse(line);
    const time = (entry.time ?? new Date().toISOString()).slice(11, 19);
    const extra = [entry.request_id && `req=${entry.request_id}`, entry.req && `${entry.req.method} ${entry.req.url}`, entry.res && `→ ${entry.res.status}`, entry.responseTime !== undefined && `${entry.responseTime}ms`]
      .filter(Boolean)
      .join(' ');
    return `${prefix} ${time} ${LEVELS[entry.level] ?? entry.level} ${entry.msg ?? ''}${extra ? `  (${extra})` : ''}`;
  } catch {
    return `${prefix} ${line}`;
  }
}

async function waitHealthy(app, seconds = 60) {
  for (let i = 0; i < seconds * 4; i++) {
    try {
      const res = await fetch(`http://127.0.0.1:${app.port}/health`);
      if (res.ok) return true;
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

/**
 * The demo upstream the seeded connector calls: POST /echo answers the JSON it received (with
 * the time), anything else 404. Loopback only; the stack's egress allowlist opens 127.0.0.0/8.
 */
function startDemoUpstream() {
  const server = createServer((req, res) => {
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size <= 64 * 1024) chunks.push(chunk);
    });
    req.on('end', () => {
      const reply = (status, body) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (req.method !== 'POST' || req.url?.split('?')[0] !== '/echo') return reply(404, { error: 'POST /echo only' });
      if (size > 64 * 1024) return reply(413, { error: 'payload over 64 KiB' });
      let payload;
      try {
        payload = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : null;
      } catch {
        return reply(400, { error: 'body is not JSON' });
      }
      reply(200, { echo: payload, received_at: new Date().toISOString() });
    });
  });
  return new Promise((resolve) => {
    server.once('error', (error) => {
      console.warn(`! demo upstream not started on 127.0.0.1:${DEMO_UPSTREAM_PORT} (${error.code ?? error.message}); the demo connector will fail until something answers there`);
      resolve(undefined);
    });
    server.listen(DEMO_UPSTREAM_PORT, '127.0.0.1', () => resolve(server));
  });
}

async function main() {
  if (installNeeded()) {
    step('Installing dependencies (npm ci)');
    run('npm', ['ci', '--no-audit', '--no-fund']);
  }
  step('Checking Postgres and Redis');
  await ensureServices({ databaseUrl: env.DATABASE_URL, redisUrl: env.REDIS_URL });
  step('Creating, migrating and seeding the dev database');
  run('npm', ['run', '--silent', 'db:create']);
  run('npm', ['run', '--silent', 'db:migrate']);
  run('npm', ['run', '--silent', 'db:seed']);
  step('Building the apps');
  run('npx', ['nx', 'run-many', '-t', 'build', '-p', APPS.map((a) => a.name).join(','), '--outputStyle=static']);

  step(`Starting the demo upstream on 127.0.0.1:${DEMO_UPSTREAM_PORT} (POST /echo)`);
  const demoUpstream = await startDemoUpstream();

  step('Starting every app (Ctrl-C stops them all)');
  const children = APPS.map((app) => {
    app.port = Number(process.env[app.portVar] ?? app.port);
    const child = spawn(process.execPath, [join(root, 'dist', 'apps', app.name, 'main.js')], {
      cwd: root,
      env: { ...env, [app.portVar]: String(app.port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    for (const stream of [child.stdout, child.stderr]) {
      let buffer = '';
      stream.on('data', (chunk) => {
        buffer += chunk.toString();
        const lines = buffer.split('\n');
        buffer = lines.pop();
        for (const line of lines) if (line.trim()) console.log(format(app, line));
      });
    }
    child.on('exit', (code, signal) => {
      console.log(format(app, `exited (${signal ?? code})`));
      if (!stopping) stopAll(1);
    });
    return child;
  });

  let stopping = false;
  function stopAll(code = 0) {
    if (stopping) return;
    stopping = true;
    console.log('\nStopping…');
    for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
    demoUpstream?.close();
    const timer = setTimeout(() => children.forEach((c) => c.kill('SIGKILL')), 10_000);
    Promise.all(children.map((c) => (c.exitCode !== null || c.signalCode !== null ? null : new Promise((r) => c.once('exit', r))))).then(() => {
      clearTimeout(timer);
      process.exit(code);
    });
  }
  process.on('SIGINT', () => stopAll(0));
  process.on('SIGTERM', () => stopAll(0));

  const healthy = await Promise.all(APPS.map((app) => waitHealthy(app)));
  if (healthy.every(Boolean)) {
    console.log('\n\x1b[1mOrchestrator is up (workspace "demo-dev" seeded):\x1b[0m');
    for (const app of APPS) console.log(`  ${app.name.padEnd(17)} http://127.0.0.1:${app.port}${app.name === 'worker' ? '/health' : app.name === 'operator-console' ? '/' : '/docs'}`);
    if (demoAdmin) {
      console.log(`\n  Console login (demo OperatorAdmin, created at the first start while no operator exists):`);
      console.log(`    email     ${demoAdmin.email}`);
      console.log(`    password  ${demoAdmin.password}   (kept in .dev-keys/demo-admin.password)`);
    }
    console.log(`  Demo: workspace demo-dev → connector demo-upstream, operation echo → http://127.0.0.1:${DEMO_UPSTREAM_PORT}/echo`);
    console.log('');
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
