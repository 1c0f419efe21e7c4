// Samples pg_stat_activity of the bench database during a measured run: what the apps' Postgres
// sessions are doing (running, waiting on a lock, on a WAL flush, on the client…) and in which
// statement. Reported as average active sessions per (wait, statement): 1.00 = one session in
// that state for the whole run. Statements are labelled by their first words, parameters aside.
import pg from 'pg';
import { onCleanup } from './harness.mjs';

const label = (query) =>
  query
    .replace(/\s+/g, ' ')
    .replace(/\$\d+(, ?\$\d+)*/g, '$n')
    .trim()
    .slice(0, 90);

export async function startPgActivitySampler(databaseUrl, database, everyMs = 50) {
  const client = new pg.Client({ connectionString: databaseUrl, application_name: 'bench-sampler' });
  // The database is dropped WITH (FORCE) on clean-up, which may end this session first.
  client.on('error', () => undefined);
  await client.connect();
  const tally = new Map();
  let samples = 0;
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const started = Date.now();
      try {
        const { rows } = await client.query(
          `SELECT state, wait_event_type, wait_event, query FROM pg_stat_activity
            WHERE datname = $1 AND pid <> pg_backend_pid() AND backend_type = 'client backend' AND state NOT IN ('idle')`,
          [database],
        );
        samples++;
        for (const row of rows) {
          const wait = row.state === 'idle in transaction' ? 'idle in transaction (app busy)' : row.wait_event_type ? `${row.wait_event_type}:${row.wait_event}` : 'on CPU';
          const key = `${wait}\u0000${label(row.query ?? '')}`;
          tally.set(key, (tally.get(key) ?? 0) + 1);
        }
      } catch {
        // a sample lost: ignore
      }
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, everyMs - (Date.now() - started))));
    }
  })();
  let stopping;
  const stop = () => {
    stopped = true;
    stopping ??= loop.then(() => client.end()).catch(() => undefined);
    return stopping;
  };
  onCleanup('pg_stat_activity sampler', stop);
  return {
    async stop() {
      await stop();
      const rows = [...tally.entries()]
        .map(([key, count]) => {
          const [wait, statement] = key.split('\u0000');
          return { wait, statement, sessions: count / Math.max(1, samples) };
        })
        .sort((a, b) => b.sessions - a.sessions);
      return { samples, every_ms: everyMs, rows };
    },
  };
}
