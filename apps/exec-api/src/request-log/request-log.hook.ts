import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuthenticatedRequest } from '@orch/auth';
import { RecordWriter } from '@orch/execution';

/**
 * One request_log row per authenticated exec-api request (workspace, route template, final
 * status, duration, connector/operation when the body names them), from a Fastify `onResponse`
 * hook: it sees the status the client got, whatever threw, and costs no interceptor chain per
 * request (D67). Rows are buffered by the RecordWriter and written in batches, never one INSERT
 * per request. Requests without a workspace-bound principal (401, operator tokens) are not rows.
 */
@Injectable()
export class RequestLogHook implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly records: RecordWriter,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    fastify.addHook('onResponse', (request, reply, done) => {
      this.log(request as FastifyRequest & AuthenticatedRequest, reply.statusCode, reply.elapsedTime);
      done();
    });
  }

  private log(request: FastifyRequest & AuthenticatedRequest, status: number, elapsedMs: number): void {
    const principal = request.principal;
    if (principal?.kind !== 'service' && principal?.kind !== 'impersonation') return;
    const body = (typeof request.body === 'object' && request.body !== null ? request.body : {}) as Record<string, unknown>;
    this.records.request({
      workspaceId: principal.workspaceId,
      requestId: String(request.id),
      method: request.method,
      route: request.routeOptions.url ?? 'UNMATCHED',
      status,
      durationMs: Math.round(elapsedMs),
      connector: typeof body['connector'] === 'string' ? body['connector'].slice(0, 128) : null,
      operation: typeof body['operation'] === 'string' ? body['operation'].slice(0, 64) : null,
    });
  }
}
