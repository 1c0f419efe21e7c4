// The one guarded HTTP path shared by the `http` and `stripe` runtimes: undici `request()` through
// the egress-guarded dispatcher, per-attempt timeouts, a capped body read and error classification.
//
// Redirects are never followed: undici's `request()` does not follow them and no redirect
// interceptor is installed, so a 3xx comes back as a response (its `location` in the headers).
import { request, type Agent, type Dispatcher } from 'undici';
import type { HttpMethod } from '../connector-type';
import type { EgressPolicy } from '../egress/address-policy';
import { assertUrlAllowed, createGuardedDispatcher, type ResolveAll } from '../egress/guarded-dispatcher';
import { AttemptDeadline } from './attempt-deadline';
import { classifyHttpError, parseResponseBody, pickResponseHeaders } from './attempt-outcome';
import type { AttemptLimits, AttemptResult } from './runtime';

export interface TransportRequest {
  method: HttpMethod;
  url: URL;
  /** Lower-cased names. */
  headers: Readonly<Record<string, string>>;
  body?: string;
}

export interface HttpTransportOptions {
  policy: EgressPolicy;
  /** DNS resolution for the guard (tests map names to loopback without touching DNS). */
  resolveAll?: ResolveAll;
  /** Pool settings for every dispatcher (keep-alive, connections per origin). */
  agent?: Omit<Agent.Options, 'connect'>;
  /** How many distinct connect timeouts keep a pool at once. */
  maxPools?: number;
}

const DEFAULT_AGENT: Omit<Agent.Options, 'connect'> = {
  keepAliveTimeout: 4_000,
  keepAliveMaxTimeout: 60_000,
  connections: 128,
  pipelining: 1,
};

export class HttpTransport {
  // undici's connect timeout is fixed per Agent (buildConnector's `timeout`), while connect_ms
  // arrives with each attempt from the connector's policy. Rather than racing a timer against an
  // opaque pool (which cannot tell "connecting" from "queued" or abort the socket), we keep one
  // guarded Agent per distinct connect_ms. Policies share a handful of values, so this is a few
  // pools; the least recently used one is closed (gracefully) beyond `maxPools`.
  private readonly pools = new Map<number, Agent>();
  private readonly maxPools: number;

  constructor(private readonly options: HttpTransportOptions) {
    this.maxPools = options.maxPools ?? 8;
  }

  async send(req: TransportRequest, limits: AttemptLimits, callerSignal?: AbortSignal): Promise<AttemptResult> {
    // undici's headers/body timeouts run on its coarse "fast timers" (~1 s resolution) and measure
    // idle gaps; a precise bound on the whole response is our own deadline at connect_ms + read_ms
    // (the connect part is enforced separately by the guarded connector, with a native timer).
    const deadline = new AttemptDeadline(limits.total_ms, callerSignal, limits.connect_ms + limits.read_ms);
    try {
      // Literal hosts (and localhost) are refused here with a clear error; the dispatcher checks
      // again, on the address actually connected to, for everything else.
      assertUrlAllowed(req.url, this.options.policy);
      const res = await request(req.url, {
        method: req.method,
        headers: req.headers,
        ...(req.body !== undefined ? { body: req.body } : {}),
        dispatcher: this.dispatcherFor(limits.connect_ms),
        headersTimeout: limits.read_ms,
        bodyTimeout: limits.read_ms,
        signal: deadline.signal,
      });
      return await readResponse(res, limits.max_response_bytes, deadline);
    } catch (err) {
      return classifyHttpError(err, deadline.state, deadline.elapsedMs());
    } finally {
      deadline.dispose();
    }
  }

  async close(): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map((pool) => pool.close()));
  }

  private dispatcherFor(connectMs: number): Dispatcher {
    const existing = this.pools.get(connectMs);
    if (existing !== undefined) {
      this.pools.delete(connectMs); // re-insert: Map order is our LRU order
      this.pools.set(connectMs, existing);
      return existing;
    }
    const pool = createGuardedDispatcher({
      policy: this.options.policy,
      ...(this.options.resolveAll !== undefined ? { resolveAll: this.options.resolveAll } : {}),
      connect: { timeout: connectMs },
      agent: { ...DEFAULT_AGENT, ...(this.options.agent ?? {}) },
    });
    this.pools.set(connectMs, pool);
    this.evictBeyondLimit();
    return pool;
  }

  private evictBeyondLimit(): void {
    while (this.pools.size > this.maxPools) {
      const [oldestKey, oldest] = this.pools.entries().next().value as [number, Agent];
      this.pools.delete(oldestKey);
      // close() lets in-flight requests finish; a failure to close an idle pool is not actionable.
      oldest.close().catch(() => undefined);
    }
  }
}

async function readResponse(res: Dispatcher.ResponseData, maxBytes: number, deadline: AttemptDeadline): Promise<AttemptResult> {
  const status = res.statusCode;
  const declared = Number(res.headers['content-length']);
  // Destroying the body makes undici emit an abort error on it; nobody else listens, so absorb it.
  res.body.on('error', () => undefined);
  if (Number.isFinite(declared) && declared > maxBytes) {
    res.body.destroy();
    return { kind: 'too_large', status, durationMs: deadline.elapsedMs() };
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > maxBytes) {
      res.body.destroy();
      return { kind: 'too_large', status, durationMs: deadline.elapsedMs() };
    }
    chunks.push(buf);
  }
  const headers = pickResponseHeaders(res.headers);
  return { kind: 'response', status, headers, output: parseResponseBody(headers['content-type'], Buffer.concat(chunks)), durationMs: deadline.elapsedMs() };
}
