// Shared by `npm start` and `npm test`: make sure Postgres and Redis answer on loopback,
// starting local ones when they are installed, otherwise explaining how.
import { execSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { connect } from 'node:net';

export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/orchestrator_dev';
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

export function reachable(host, port, timeoutMs = 1000) {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function hostPort(url, defaultPort) {
  const parsed = new URL(url);
  return { host: parsed.hostname, port: Number(parsed.port || defaultPort) };
}

function isLocal(host) {
  return host === '127.0.0.1' || host === 'localhost' || host === '::1';
}

function has(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

const START = {
  postgres: {
    can: () => has('pg_ctlcluster') && existsSync('/etc/postgresql'),
    run: () => {
      const version = readdirSync('/etc/postgresql')[0];
      execSync(`pg_ctlcluster --skip-systemctl-redirect ${version} main start`, { stdio: 'inherit' });
    },
    manual: 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start',
  },
  redis: {
    can: () => has('redis-server'),
    run: () =>
      execSync(
        'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --maxmemory-policy noeviction --dir /tmp --logfile /tmp/orchestrator-redis.log',
        { stdio: 'inherit' },
      ),
    manual: 'redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no --maxmemory-policy noeviction',
  },
};

async function waitReachable(host, port, seconds) {
  for (let i = 0; i < seconds * 10; i++) {
    if (await reachable(host, port)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

/** Resolves when both answer; exits the process with instructions when they cannot. */
export async function ensureServices({ databaseUrl, redisUrl, log = console.log }) {
  const wanted = [
    { name: 'postgres', ...hostPort(databaseUrl, 5432) },
    { name: 'redis', ...hostPort(redisUrl, 6379) },
  ];
  const missing = [];
  for (const service of wanted) {
    if (await reachable(service.host, service.port)) continue;
    const starter = START[service.name];
    if (isLocal(service.host) && starter.can()) {
      log(`${service.name} is not answering on ${service.host}:${service.port}; starting the local one`);
      try {
        starter.run();
      } catch {
        /* reported below */
      }
      if (await waitReachable(service.host, service.port, 15)) continue;
    }
    missing.push(service);
  }
  if (missing.length > 0) {
    console.error('\nThese services are not reachable:');
    for (const s of missing) console.error(`  - ${s.name} at ${s.host}:${s.port}   start it with: ${START[s.name].manual}`);
    console.error('Or run them in Docker: docker compose -f deploy/compose/docker-compose.yml up -d postgres redis');
    console.error('Or point DATABASE_URL / REDIS_URL at running ones.\n');
    process.exit(1);
  }
}
