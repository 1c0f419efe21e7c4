// Loopback-only test servers for the runtime e2e specs (not exported from the lib).
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';

export interface LoopbackServer {
  server: http.Server;
  host: string;
  port: number;
  /** TCP connections accepted so far. */
  connections: number;
  requests: Array<{ method: string; url: string; headers: http.IncomingHttpHeaders; body: string }>;
  url(path: string): string;
  close(): Promise<void>;
}

/** An HTTP server on a loopback address that records connections and requests (with bodies). */
export async function startLoopbackServer(host: string, handler: (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void): Promise<LoopbackServer> {
  const server = http.createServer();
  const up: LoopbackServer = {
    server,
    host,
    port: 0,
    connections: 0,
    requests: [],
    url: (path) => `http://${host}:${up.port}${path}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  server.on('connection', () => up.connections++);
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      up.requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      handler(req, res, body);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, resolve);
  });
  up.port = (server.address() as AddressInfo).port;
  return up;
}

/** A loopback port with nothing listening (bound, then released). */
export async function freeLoopbackPort(host = '127.0.0.1'): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, host, resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

export interface BlackholeListener {
  port: number;
  stop(): void;
}

/**
 * A loopback port where a TCP connect never completes, without leaving loopback: a child process
 * listens with backlog 1 and blocks its event loop so it never accepts; two filler connections
 * fill the accept queue, after which Linux drops further SYNs and connect() hangs.
 */
export async function startBlackholeListener(): Promise<BlackholeListener> {
  const script = `const s=require('net').createServer();s.listen({port:0,host:'127.0.0.1',backlog:1},()=>{process.stdout.write(s.address().port+'\\n');Atomics.wait(new Int32Array(new SharedArrayBuffer(4)),0,0,60000)})`;
  const child: ChildProcess = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'ignore'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.stdout?.once('data', (d: Buffer) => resolve(Number(String(d).trim())));
  });
  const fillers: net.Socket[] = [];
  for (let i = 0; i < 3; i++) {
    const socket = net.connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    fillers.push(socket);
    const connected = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 300);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
    if (!connected) break;
  }
  return {
    port,
    stop: () => {
      for (const s of fillers) s.destroy();
      child.kill('SIGKILL');
    },
  };
}
