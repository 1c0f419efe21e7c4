import type { OutgoingHttpHeaders } from 'node:http';
import { type BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { DataSource } from 'typeorm';
import { DomainError } from '@orch/contracts';
import { EVENT_PAGE_DEFAULT, type EventFilters, EventHub, type EventPage, EventStream, type EventStreamSink, isEventCursor, listEvents } from '@orch/execution';
import { APP_CONFIG, MetricsService } from '@orch/platform';
import type { ExecApiConfig } from '../config';

export interface OpenStreamInput {
  workspaceId: string;
  filters: EventFilters;
  /** Last-Event-ID header, if any: it wins over `?after=` (a reconnecting EventSource repeats the original URL). */
  lastEventId: string | string[] | undefined;
  after: string | undefined;
  reply: FastifyReply;
}

/** The resume point of a stream: Last-Event-ID, else ?after=, else none (start after the latest event). */
export function resumePoint(lastEventId: string | string[] | undefined, after: string | undefined): string | undefined {
  if (Array.isArray(lastEventId)) throw invalidLastEventId();
  if (lastEventId !== undefined && lastEventId.trim() !== '') {
    if (!isEventCursor(lastEventId.trim())) throw invalidLastEventId();
    return lastEventId.trim();
  }
  return after;
}

function invalidLastEventId(): DomainError {
  return new DomainError('VALIDATION_FAILED', 'Request validation failed', { details: [{ path: '/last-event-id', message: 'must be an event id (digits only)' }] });
}

/**
 * GET /v1/events and the SSE stream. Streams write to the raw response (the reply is hijacked
 * once the guard, validation and the resume point have passed), so errors before that still
 * get the envelope. Every open stream is ended before the HTTP server closes at shutdown.
 */
@Injectable()
export class EventsService implements BeforeApplicationShutdown {
  private readonly logger = new Logger(EventsService.name);
  private readonly open = new Set<() => void>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly hub: EventHub,
    private readonly metrics: MetricsService,
    @Inject(APP_CONFIG) private readonly config: ExecApiConfig,
  ) {}

  list(workspaceId: string, query: EventFilters & { after?: string; limit?: number }): Promise<EventPage> {
    return listEvents(this.dataSource, workspaceId, { ...query, limit: query.limit ?? EVENT_PAGE_DEFAULT });
  }

  async stream(input: OpenStreamInput): Promise<void> {
    const after = resumePoint(input.lastEventId, input.after);
    const { reply } = input;
    const raw = reply.raw;
    reply.hijack();
    // Hijacked: Fastify sends nothing more, so the headers set by hooks (x-request-id) go out here.
    const headers: OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(reply.getHeaders())) if (value !== undefined) headers[name] = value;
    raw.writeHead(200, { ...headers, 'content-type': 'text/event-stream', 'cache-control': 'no-store', 'x-accel-buffering': 'no' });
    raw.write('retry: 2000\n\n');

    const sink: EventStreamSink = {
      write: (chunk) => raw.write(chunk),
      drained: () =>
        new Promise<void>((resolve) => {
          if (raw.destroyed || raw.writableEnded) return resolve();
          const done = (): void => {
            raw.off('drain', done);
            raw.off('close', done);
            resolve();
          };
          raw.on('drain', done);
          raw.on('close', done);
        }),
    };
    const stream = new EventStream(this.dataSource, this.hub, sink, {
      workspaceId: input.workspaceId,
      filters: input.filters,
      ...(after === undefined ? {} : { after }),
      logger: this.logger,
      onEnd: (reason, error) => {
        if (reason === 'error') this.logger.warn(`SSE stream ended on an error: ${error instanceof Error ? error.message : String(error)}`);
        finish();
      },
    });
    const keepAlive = setInterval(() => {
      // A client that does not read gets no more comments; the stream's own backpressure handles it.
      if (raw.writableNeedDrain) return;
      raw.write(': keep-alive\n\n');
    }, this.config.SSE_KEEPALIVE_MS);
    keepAlive.unref();
    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      clearInterval(keepAlive);
      stream.stop();
      this.open.delete(finish);
      if (raw.destroyed && !raw.writableFinished) {
        // The client went away: the response never finishes, so Fastify's onResponse hook (the
        // HTTP metrics) does not run; observe the stream here, under its route template.
        this.metrics.observeHttp(reply.request.routeOptions.url ?? 'UNMATCHED', reply.request.method, raw.statusCode, reply.elapsedTime / 1000);
      } else if (!raw.writableEnded) {
        raw.end();
      }
    };
    this.open.add(finish);
    // 'close' on the response: the client went away, or we ended it.
    raw.on('close', finish);

    try {
      await stream.start();
    } catch (error) {
      // Headers are gone already: end the stream; the client reconnects with its Last-Event-ID.
      this.logger.warn(`SSE stream could not start: ${error instanceof Error ? error.message : String(error)}`);
      finish();
    }
  }

  /** Before the HTTP server closes (it would wait for open streams for ever), then the subscriber. */
  async beforeApplicationShutdown(): Promise<void> {
    for (const finish of [...this.open]) finish();
    await this.hub.close();
  }
}
