import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeUpstream {
  url: string;
  /** Paths it was asked for, in order. */
  paths: string[];
  close(): Promise<void>;
}

/** A loopback HTTP server answering GET /health like the real APIs do; 404 for anything else. */
export async function startFakeUpstream(health: { status: number; delayMs?: number } = { status: 200 }): Promise<FakeUpstream> {
  const paths: string[] = [];
  const pending = new Set<NodeJS.Timeout>();
  const server: Server = createServer((req, res) => {
    paths.push(req.url ?? '');
    const answer = () => {
      if (req.url === '/health') res.writeHead(health.status, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'ok' }));
      else res.writeHead(404).end();
    };
    if (!health.delayMs) return answer();
    const timer = setTimeout(() => {
      pending.delete(timer);
      answer();
    }, health.delayMs);
    pending.add(timer);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    paths,
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of pending) clearTimeout(timer);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A loopback port nothing listens on: bound once to learn a free port, then released. */
export async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}
