import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One request as the fake upstream received it. */
export interface RecordedRequest {
  method: string;
  /** Path and query as sent (`/v1/things?a=1`). */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** Milliseconds since the upstream started (for timing assertions). */
  at: number;
}

/**
 * What the upstream does with one request. Defaults: 200, JSON `{ ok: true }`.
 * - `delayMs`: wait before sending headers (read timeout tests);
 * - `bodyDelayMs`: send headers, then wait before the body (timeouts while reading the body);
 * - `destroy`: close the socket without answering (network error);
 * - `hang`: never answer (the socket stays open until the test closes the upstream);
 * - `body`: an object is sent as JSON, a string/Buffer as is.
 */
export interface UpstreamReply {
  status?: number;
  headers?: Record<string, string>;
  body?: unknown;
  delayMs?: number;
  bodyDelayMs?: number;
  destroy?: boolean;
  hang?: boolean;
}

export type UpstreamHandler = (request: RecordedRequest) => UpstreamReply | Promise<UpstreamReply>;

/**
 * A real HTTP server on a loopback address that a test scripts: replies are taken from a queue
 * (`enqueue`), else from the handler (`setHandler`), else the default 200. Every request is
 * recorded. Listens on 127.0.0.1 unless told otherwise (e.g. 127.0.0.2 to test the egress guard's
 * allowlist with a second loopback address).
 */
export class FakeUpstream {
  readonly requests: RecordedRequest[] = [];
  /** TCP connections accepted so far (the egress tests assert none was made). */
  connections = 0;
  private readonly queue: UpstreamReply[] = [];
  private handler: UpstreamHandler = () => ({});
  private readonly sockets = new Set<Socket>();
  private readonly started = Date.now();

  private constructor(
    private readonly server: Server,
    readonly host: string,
    readonly port: number,
  ) {}

  static async start(options: { host?: string; port?: number } = {}): Promise<FakeUpstream> {
    const host = options.host ?? '127.0.0.1';
    const holder: { upstream?: FakeUpstream } = {};
    const server = createServer((req, res) => void holder.upstream?.handle(req, res));
    server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => resolve());
    });
    const upstream = new FakeUpstream(server, host, (server.address() as AddressInfo).port);
    holder.upstream = upstream;
    server.on('connection', (socket) => {
      upstream.connections += 1;
      upstream.sockets.add(socket);
      socket.on('close', () => upstream.sockets.delete(socket));
    });
    return upstream;
  }

  /** `http://host:port` (IPv6 hosts bracketed). */
  get url(): string {
    return `http://${this.host.includes(':') ? `[${this.host}]` : this.host}:${this.port}`;
  }

  /** Replies used first, in order, one per request. */
  enqueue(...replies: UpstreamReply[]): this {
    this.queue.push(...replies);
    return this;
  }

  /** The reply for requests once the queue is empty. */
  setHandler(handler: UpstreamHandler): this {
    this.handler = handler;
    return this;
  }

  /** Forgets recorded requests, queued replies and the handler. */
  reset(): void {
    this.requests.length = 0;
    this.queue.length = 0;
    this.handler = () => ({});
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const recorded: RecordedRequest = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() - this.started };
    this.requests.push(recorded);
    let reply: UpstreamReply;
    try {
      reply = this.queue.shift() ?? (await this.handler(recorded));
    } catch {
      reply = { status: 500, body: { error: 'fake upstream handler threw' } };
    }
    if (reply.hang) return;
    if (reply.delayMs) await sleep(reply.delayMs);
    if (reply.destroy) {
      req.socket.destroy();
      return;
    }
    const isRaw = typeof reply.body === 'string' || Buffer.isBuffer(reply.body);
    const payload = isRaw ? (reply.body as string | Buffer) : JSON.stringify(reply.body ?? { ok: true });
    const headers: Record<string, string> = { ...(isRaw ? {} : { 'content-type': 'application/json' }), ...(reply.headers ?? {}) };
    if (res.destroyed) return;
    res.writeHead(reply.status ?? 200, { ...headers, 'content-length': String(Buffer.byteLength(payload)) });
    if (reply.bodyDelayMs) {
      res.flushHeaders();
      await sleep(reply.bodyDelayMs);
    }
    if (!res.destroyed) res.end(payload);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
