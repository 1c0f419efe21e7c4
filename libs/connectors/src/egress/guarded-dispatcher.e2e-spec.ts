import type { LookupAddress } from 'node:dns';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { EgressPolicy } from './address-policy';
import { EgressBlockedError } from './egress-blocked-error';
import { assertUrlAllowed, createGuardedDispatcher, type ResolveAll } from './guarded-dispatcher';

// Loopback only: a server on 127.0.0.2 (allowlisted) and one on 127.0.0.1 (must never be reached).
interface Upstream {
  server: http.Server;
  port: number;
  connections: number;
  requests: number;
}

async function startUpstream(host: string, handler: http.RequestListener): Promise<Upstream> {
  const server = http.createServer(handler);
  const up: Upstream = { server, port: 0, connections: 0, requests: 0 };
  server.on('connection', () => up.connections++);
  server.on('request', () => up.requests++);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, resolve);
  });
  up.port = (server.address() as AddressInfo).port;
  return up;
}

async function stop(up: Upstream): Promise<void> {
  up.server.closeAllConnections();
  await new Promise<void>((resolve) => up.server.close(() => resolve()));
}

describe('guarded dispatcher (loopback e2e)', () => {
  let allowed: Upstream;
  let forbidden: Upstream;
  const policy = EgressPolicy.fromEnv({ EGRESS_ALLOW_CIDRS: '127.0.0.2/32' });
  // Every name resolves through this table (localhost as /etc/hosts has it: 127.0.0.1 and ::1),
  // so no DNS query can leave the machine.
  const table: Record<string, LookupAddress[]> = {
    localhost: [
      { address: '127.0.0.1', family: 4 },
      { address: '::1', family: 6 },
    ],
  };
  const resolveAll: ResolveAll = (hostname, _options, callback) => {
    const answer = table[hostname];
    if (answer !== undefined) return process.nextTick(() => callback(null, answer));
    return process.nextTick(() => callback(Object.assign(new Error(`ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), []));
  };
  const dispatcher = createGuardedDispatcher({ policy, resolveAll, connect: { timeout: 2_000 } });

  beforeAll(async () => {
    forbidden = await startUpstream('127.0.0.1', (_req, res) => res.end('forbidden upstream reached'));
    allowed = await startUpstream('127.0.0.2', (req, res) => {
      if (req.url === '/redirect') {
        res.writeHead(302, { location: `http://127.0.0.1:${forbidden.port}/` });
        return res.end();
      }
      res.setHeader('content-type', 'text/plain');
      res.end('ok from 127.0.0.2');
    });
    table['allowed.test'] = [{ address: '127.0.0.1', family: 4 }, { address: '127.0.0.2', family: 4 }];
    table['rebind.test'] = [{ address: '127.0.0.1', family: 4 }];
  });

  afterAll(async () => {
    await dispatcher.close();
    await stop(allowed);
    await stop(forbidden);
  });

  afterEach(() => {
    // Whatever was attempted, the 127.0.0.1 server never saw a TCP connection.
    expect(forbidden.connections).toBe(0);
  });

  it('reaches the allowlisted 127.0.0.2', async () => {
    const res = await request(`http://127.0.0.2:${allowed.port}/`, { dispatcher });
    expect(res.statusCode).toBe(200);
    expect(await res.body.text()).toBe('ok from 127.0.0.2');
  });

  it.each([
    ['127.0.0.1', (p: number) => `http://127.0.0.1:${p}/`],
    ['decimal', (p: number) => `http://2130706433:${p}/`],
    ['hex', (p: number) => `http://0x7f000001:${p}/`],
    ['octal', (p: number) => `http://0177.0.0.1:${p}/`],
    ['short', (p: number) => `http://127.1:${p}/`],
    ['short hex', (p: number) => `http://0x7f.1:${p}/`],
    ['mapped IPv6', (p: number) => `http://[::ffff:127.0.0.1]:${p}/`],
    ['localhost', (p: number) => `http://localhost:${p}/`],
    ['DNS name resolving to 127.0.0.1', (p: number) => `http://rebind.test:${p}/`],
  ])('blocks %s with EgressBlockedError and opens no connection', async (_label, url) => {
    const err = await request(url(forbidden.port), { dispatcher }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(EgressBlockedError);
    expect(err).toMatchObject({ code: 'EGRESS_BLOCKED', reason: 'loopback' });
  });

  it('a name resolving to both connects only to the allowed address', async () => {
    const res = await request(`http://allowed.test:${allowed.port}/`, { dispatcher });
    expect(res.statusCode).toBe(200);
    expect(await res.body.text()).toBe('ok from 127.0.0.2');
  });

  it('a 302 to 127.0.0.1 is not followed, and the hop is refused', async () => {
    const requestsBefore = allowed.requests;
    const res = await request(`http://127.0.0.2:${allowed.port}/redirect`, { dispatcher });
    await res.body.dump();
    expect(res.statusCode).toBe(302);
    expect(allowed.requests).toBe(requestsBefore + 1);
    const location = res.headers['location'];
    expect(location).toBe(`http://127.0.0.1:${forbidden.port}/`);
    expect(() => assertUrlAllowed(String(location), policy, `http://127.0.0.2:${allowed.port}/redirect`)).toThrow(EgressBlockedError);
    // And were a runtime to send the hop anyway, the dispatcher refuses it at connect.
    await expect(request(String(location), { dispatcher })).rejects.toMatchObject({ code: 'EGRESS_BLOCKED' });
    expect(forbidden.requests).toBe(0);
  });
});
