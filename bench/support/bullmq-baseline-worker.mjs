// The baseline of bench/jobs.bench.mjs: a raw BullMQ Worker whose processor calls the fake
// upstream with undici request() over a keep-alive Agent — what a queue plus an HTTP call costs
// on this machine, without auth, policy, persistence or events. Runs in its own process; the
// bench adds the jobs from its own process with a plain BullMQ Queue.
//
// argv: <redis url> <bullmq prefix> <queue name> <upstream origin> <concurrency>
// IPC out: {type:'ready'} once the worker is connected; {type:'reached', count, at, failed} when
// `count` jobs completed since start (`at` = wall-clock ms, performance.timeOrigin + now()).
// IPC in: {type:'expect', count} — answer 'reached' once that many completed (or at once);
// {type:'stats'} — answer {type:'stats', completed, failed, firstError}; {type:'times', from} —
// answer {type:'times', times}: the wall-clock ms of completions from index `from` on (when
// several baseline processes share the queue, the bench merges them to find the N-th).

import { Worker } from 'bullmq';
import { Agent, request } from 'undici';

const [redisUrl, prefix, queueName, upstream, concurrencyArg] = process.argv.slice(2);
const concurrency = Number(concurrencyArg);
if (!redisUrl || !prefix || !queueName || !upstream || !Number.isInteger(concurrency) || concurrency < 1) {
  console.error('usage: bullmq-baseline-worker.mjs <redis url> <prefix> <queue> <upstream origin> <concurrency>');
  process.exit(2);
}

const agent = new Agent({ keepAliveTimeout: 60_000, keepAliveMaxTimeout: 600_000, connections: 256 });
const url = new URL(redisUrl);
const connection = { host: url.hostname, port: Number(url.port || 6379), db: Number(url.pathname.slice(1) || 0), ...(url.password ? { password: decodeURIComponent(url.password) } : {}), maxRetriesPerRequest: null };

let completed = 0;
let failed = 0;
let firstError;
let waiting; // {count}
const now = () => performance.timeOrigin + performance.now();

const worker = new Worker(
  queueName,
  async (job) => {
    const res = await request(`${upstream}/things/${encodeURIComponent(job.data.id)}`, { method: 'GET', dispatcher: agent });
    const output = await res.body.json();
    if (res.statusCode !== 200) throw new Error(`upstream answered ${res.statusCode}`);
    return output;
  },
  { connection, prefix, concurrency, autorun: true },
);

function check() {
  if (waiting && completed + failed >= waiting.count) {
    process.send?.({ type: 'reached', count: waiting.count, completed, failed, firstError, at: now() });
    waiting = undefined;
  }
}

const finishedAt = [];

worker.on('completed', () => {
  completed++;
  finishedAt.push(now());
  check();
});
worker.on('failed', (_job, error) => {
  failed++;
  finishedAt.push(now());
  firstError ??= error?.message;
  check();
});
worker.on('error', (error) => console.error(`worker error: ${error.message}`));

await worker.waitUntilReady();
process.send?.({ type: 'ready' });

process.on('message', (message) => {
  if (message?.type === 'expect') {
    waiting = { count: message.count };
    check();
  }
  if (message?.type === 'stats') process.send?.({ type: 'stats', completed, failed, firstError });
  if (message?.type === 'times') process.send?.({ type: 'times', times: finishedAt.slice(message.from) });
});
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => {
  void worker.close().then(() => agent.close()).then(() => process.exit(0));
});
