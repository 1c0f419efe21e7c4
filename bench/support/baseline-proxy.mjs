// The baseline of bench/execute.bench.mjs: what a minimal proxy costs. A bare Fastify server
// (the version Nest uses here) with one route, POST /v1/execute, that reads the JSON body and
// forwards it to the upstream with undici request() over a keep-alive Agent, then answers the
// upstream's JSON. No auth, no policy, no persistence. Runs in its own process; argv[2] is the
// upstream origin. Reports its port over IPC.
import Fastify from 'fastify';
import { Agent, request } from 'undici';

const upstream = process.argv[2];
if (!upstream) {
  console.error('usage: baseline-proxy.mjs <upstream origin>');
  process.exit(2);
}

const agent = new Agent({ keepAliveTimeout: 60_000, keepAliveMaxTimeout: 600_000, connections: 256 });
const app = Fastify({ logger: false });

app.post('/v1/execute', async (req, reply) => {
  const id = req.body?.payload?.id;
  if (typeof id !== 'string') return reply.code(400).send({ error: 'payload.id required' });
  const res = await request(`${upstream}/things/${encodeURIComponent(id)}`, { method: 'GET', dispatcher: agent });
  const output = await res.body.json();
  return reply.code(res.statusCode).send(output);
});

const address = await app.listen({ port: 0, host: '127.0.0.1' });
process.send?.({ type: 'listening', port: Number(new URL(address).port) });

process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => {
  void app.close().then(() => agent.close()).then(() => process.exit(0));
});
