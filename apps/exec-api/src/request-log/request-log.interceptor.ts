import { type CallHandler, type ExecutionContext, HttpException, Injectable, type NestInterceptor } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type Observable, tap } from 'rxjs';
import type { AuthenticatedRequest } from '@orch/auth';
import { DomainError } from '@orch/contracts';
import { RecordWriter } from '@orch/execution';

/**
 * One request_log row per authenticated exec-api request (workspace, route template, status,
 * duration, connector/operation when the body names them). Rows are buffered by the
 * RecordWriter and written in batches, never one INSERT per request.
 */
@Injectable()
export class RequestLogInterceptor implements NestInterceptor {
  constructor(private readonly records: RecordWriter) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest & AuthenticatedRequest>();
    const reply = http.getResponse<FastifyReply>();
    const started = performance.now();
    const log = (status: number): void => {
      const principal = request.principal;
      if (principal?.kind !== 'service' && principal?.kind !== 'impersonation') return;
      const body = (typeof request.body === 'object' && request.body !== null ? request.body : {}) as Record<string, unknown>;
      this.records.request({
        workspaceId: principal.workspaceId,
        requestId: String(request.id),
        method: request.method,
        route: request.routeOptions.url ?? 'UNMATCHED',
        status,
        durationMs: Math.round(performance.now() - started),
        connector: typeof body['connector'] === 'string' ? body['connector'].slice(0, 128) : null,
        operation: typeof body['operation'] === 'string' ? body['operation'].slice(0, 64) : null,
      });
    };
    return next.handle().pipe(
      tap({
        next: () => log(reply.statusCode),
        error: (error: unknown) => log(error instanceof DomainError ? error.status : error instanceof HttpException ? error.getStatus() : 500),
      }),
    );
  }
}
