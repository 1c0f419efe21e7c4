import { type ArgumentsHost, Catch, type ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { MetricsService } from '../metrics/metrics.service';
import { toErrorResponse } from './error-response';

/** The global filter: every error of every app leaves as the envelope of DESIGN §4. */
@Catch()
export class EnvelopeExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  constructor(private readonly metrics?: MetricsService) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const { status, envelope, headers, unexpected } = toErrorResponse(exception, String(request.id));
    this.metrics?.observeError(envelope.error.code);
    if (unexpected) {
      this.logger.error(
        { request_id: request.id, err: exception instanceof Error ? { name: exception.name, message: exception.message, stack: exception.stack } : String(exception) },
        'Unexpected error',
      );
    }
    if (reply.sent) return;
    void reply.status(status).headers(headers).header('content-type', 'application/json; charset=utf-8').send(envelope);
  }
}
