import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { storage } from 'nestjs-pino/storage';
import type { Logger as PinoLogger } from 'pino';
import { correlationFields, type RequestLogContext } from './logger.module';

/** Probes and scrapes would drown the request log. */
const QUIET_ROUTES = new Set(['/health', '/ready', '/metrics']);

function isQuiet(url: string | undefined): boolean {
  return QUIET_ROUTES.has((url ?? '').split('?')[0] ?? '');
}

/**
 * What nestjs-pino's PinoLogger reads for the request in progress: the request's logger, made
 * on first use (most requests log nothing but their completion line, which needs no child).
 */
class RequestStore {
  private child?: PinoLogger;
  readonly responseLogger = undefined;

  constructor(
    private readonly root: PinoLogger,
    private readonly requestId: string,
  ) {}

  get logger(): PinoLogger {
    this.child ??= this.root.child({ request_id: this.requestId });
    return this.child;
  }

  /** PinoLogger.assign() replaces it with a child carrying more fields. */
  set logger(logger: PinoLogger) {
    this.child = logger;
  }
}

/**
 * The request log, as Fastify hooks rather than pino-http behind Nest's middleware layer (D66):
 * every line logged while a request is handled carries its `request_id` (nestjs-pino's
 * AsyncLocalStorage, entered here), and one completion line per request —
 * `{request_id, req: {method, url, headers: {user-agent}}, res: {status}, responseTime,
 * tenant_id?, trace_id?}`, "request completed", or "request errored" with `err` for a 5xx.
 * Health, readiness and metrics requests are not logged.
 */
export function installRequestLogging(fastify: FastifyInstance, root: PinoLogger): void {
  // The completion line is built here from fixed fields (method, url, user-agent, status, ids,
  // timing): none is a path the redaction censors, so it skips redaction (≈ 15 µs a line, D67).
  const access = root.child({}, { redact: { paths: [], censor: '[redacted]' } });
  fastify.addHook('onRequest', (request, _reply, done) => {
    // Not for probes and scrapes, which log nothing: on Node 20 the first AsyncLocalStorage.run()
    // turns on async hooks for every promise of the process for good, and a worker whose only
    // requests are probes would pay that on every job (D67).
    if (isQuiet(request.raw.url)) done();
    else storage.run(new RequestStore(root, request.id) as never, done);
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    const raw = request.raw as IncomingMessage & RequestLogContext;
    const url = raw.url ?? '';
    const status = reply.statusCode;
    // Level info whatever the status, as pino-http without a custom level (docs/06_observability.md).
    if (!isQuiet(url) && root.isLevelEnabled('info')) {
      const line = {
        request_id: request.id,
        req: { method: raw.method, url, headers: { 'user-agent': raw.headers['user-agent'] } },
        res: { status },
        responseTime: Math.round(reply.elapsedTime),
        ...correlationFields(raw),
      };
      if (status >= 500) access.info({ ...line, err: new Error(`failed with status code ${status}`) }, 'request errored');
      else access.info(line, 'request completed');
    }
    done();
  });
}
