import { Inject, Injectable, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type Dispatcher, request as undiciRequest } from 'undici';
import { DomainError } from '@orch/contracts';
import { APP_CONFIG } from '@orch/platform';
import type { ConsoleConfig } from '../config';
import { callerOf } from '../session/control-api-client';
import { CSRF_HEADER, sessionIdFromCookieHeader } from '../session/session-cookie';
import { activeImpersonation, SessionService } from '../session/session.service';
import type { StoredSession } from '../session/session.store';
import { isMutating, returnedResponseHeaders, upstreamPathOf, upstreamRequestHeaders } from './forwarded-headers';

export type ProxyTarget = 'control' | 'exec';

export const PROXY_PREFIX: Readonly<Record<ProxyTarget, string>> = { control: '/api/control', exec: '/api/exec' };
const UPSTREAM_NAME: Readonly<Record<ProxyTarget, string>> = { control: 'control-api', exec: 'exec-api' };

export const EXEC_NEEDS_IMPERSONATION = 'Start impersonating the workspace to call exec-api';

type UpstreamResponse = Awaited<ReturnType<typeof undiciRequest>>;

function isEventStream(contentType: string | string[] | undefined): boolean {
  const value = Array.isArray(contentType) ? contentType[0] : contentType;
  return typeof value === 'string' && value.toLowerCase().startsWith('text/event-stream');
}

function errorCodeOf(error: unknown): string | undefined {
  return (error as { code?: string; name?: string } | undefined)?.code ?? (error as { name?: string } | undefined)?.name;
}

/**
 * The BFF's two proxies. The browser authenticates with its session cookie (+ x-csrf-token on
 * anything but a read); upstream, the call carries the operator token (control-api) or the
 * impersonation's exec token (exec-api), the request id and trace context. Answers come back
 * with their status, body and a short list of safe headers; event streams are piped through
 * chunk by chunk and the upstream call ends when the browser goes away.
 */
@Injectable()
export class ProxyService {
  private readonly logger = new Logger(ProxyService.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: ConsoleConfig,
    private readonly sessions: SessionService,
  ) {}

  async forward(target: ProxyTarget, request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const caller = callerOf(request);
    const sessionId = sessionIdFromCookieHeader(request.headers.cookie);
    const session = isMutating(request.method)
      ? await this.sessions.liveForMutation(sessionId, request.headers[CSRF_HEADER], caller)
      : await this.sessions.live(sessionId, caller);
    const token = target === 'control' ? session.access_token : execTokenOf(session);
    const path = upstreamPathOf(request.raw.url ?? '', PROXY_PREFIX[target]);
    if (path === undefined) throw new DomainError('NOT_FOUND', 'Resource not found');
    const base = target === 'control' ? this.config.CONTROL_API_URL : this.config.EXEC_API_URL;
    const url = new URL(path, base.endsWith('/') ? base : `${base}/`);

    const headers = upstreamRequestHeaders(request.headers, { requestId: String(request.id), token, ip: request.ip });
    let body: string | undefined;
    if (isMutating(request.method) && request.body !== undefined) {
      body = typeof request.body === 'string' ? request.body : JSON.stringify(request.body);
      if (typeof request.body !== 'string') headers['content-type'] = 'application/json';
    } else {
      delete headers['content-type'];
    }

    // The browser going away (tab closed, EventSource closed) ends the upstream call too.
    const abort = new AbortController();
    const onClientGone = (): void => abort.abort();
    reply.raw.once('close', onClientGone);
    const streaming = isEventStream(request.headers.accept);
    let upstream: UpstreamResponse;
    try {
      upstream = await undiciRequest(url, {
        // Fastify only routes methods it knows, all of them HTTP methods undici sends as they are.
        method: request.method as Dispatcher.HttpMethod,
        headers,
        body,
        signal: abort.signal,
        headersTimeout: this.config.CONSOLE_PROXY_TIMEOUT_MS,
        // An event stream is idle between events (keep-alive comments aside): no body timeout.
        bodyTimeout: streaming ? 0 : this.config.CONSOLE_PROXY_TIMEOUT_MS,
      });
    } catch (error) {
      reply.raw.off('close', onClientGone);
      if (abort.signal.aborted) return;
      throw this.upstreamFailure(target, error);
    }

    void reply.status(upstream.statusCode).headers(returnedResponseHeaders(upstream.headers));
    if (isEventStream(upstream.headers['content-type'])) {
      // Unbuffered: nginx-style proxies in front must not hold events back either.
      void reply.header('cache-control', 'no-cache').header('x-accel-buffering', 'no');
      upstream.body.once('error', (error: Error) => {
        if (!abort.signal.aborted) this.logger.warn({ err: error, upstream: UPSTREAM_NAME[target] }, 'Event stream from upstream broke off');
      });
      return reply.send(upstream.body);
    }
    let payload: Buffer;
    try {
      payload = Buffer.from(await upstream.body.arrayBuffer());
    } catch (error) {
      if (abort.signal.aborted) return;
      throw this.upstreamFailure(target, error);
    } finally {
      reply.raw.off('close', onClientGone);
    }
    return reply.send(upstream.statusCode === 204 || upstream.statusCode === 304 ? undefined : payload);
  }

  private upstreamFailure(target: ProxyTarget, error: unknown): DomainError {
    const code = errorCodeOf(error);
    if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'TimeoutError') {
      return new DomainError('UPSTREAM_TIMEOUT', `${UPSTREAM_NAME[target]} did not answer in time`, { cause: error });
    }
    return new DomainError('UPSTREAM_UNREACHABLE', `${UPSTREAM_NAME[target]} is unreachable`, { cause: error });
  }
}

/** exec-api only takes workspace-bound tokens: the operator's is the running impersonation's. */
function execTokenOf(session: StoredSession): string {
  const impersonation = activeImpersonation(session);
  if (!impersonation) throw new DomainError('FORBIDDEN', EXEC_NEEDS_IMPERSONATION);
  return impersonation.exec_token;
}
