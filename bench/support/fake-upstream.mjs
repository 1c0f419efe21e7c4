// The fake upstream of bench/execute.bench.mjs: GET /things/:id → {"ok":true,"id":"…"}.
// Runs in its own process (forked by the bench) so it shares no event loop with the load
// generator or the proxies. Reports its port over IPC; answers {type:'stats'} with its counters.
import { createServer } from 'node:http';

let served = 0;
let other = 0;

const server = createServer((req, res) => {
  const match = req.method === 'GET' ? /^\/things\/([^/?]+)/.exec(req.url ?? '') : null;
  if (!match) {
    other++;
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
    return;
  }
  served++;
  const body = JSON.stringify({ ok: true, id: decodeURIComponent(match[1]) });
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
});

// Keep-alive on both proxies' pools: idle sockets stay open well beyond a run's pauses.
server.keepAliveTimeout = 120_000;
server.headersTimeout = 125_000;
server.requestTimeout = 0;

server.listen(0, '127.0.0.1', () => {
  process.send?.({ type: 'listening', port: server.address().port });
});

process.on('message', (message) => {
  if (message?.type === 'stats') process.send?.({ type: 'stats', served, other });
  if (message?.type === 'reset') {
    served = 0;
    other = 0;
  }
});
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
