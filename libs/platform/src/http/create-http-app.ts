import type { IncomingMessage } from 'node:http';
import { type DynamicModule, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import type { Logger as PinoLogger } from 'pino';
import { REQUEST_ID_HEADER } from '@orch/contracts';
import type { BaseConfig } from '../config/base-config';
import { MetricsService } from '../metrics/metrics.service';
import { setUpOpenApi } from '../openapi/openapi';
import { EnvelopeExceptionFilter } from './exception-filter';
import { resolveRequestId } from './request-id';
import { createValidationPipe } from './validation-pipe';
import { ROOT_LOGGER } from '../logging/logger.module';
import { installRequestLogging } from '../logging/request-logging';
import { installAsyncResourceBind } from '../runtime/async-resource-bind';

export interface HttpAppOptions {
  serviceName: string;
  description: string;
  config: BaseConfig;
  /** Extra Fastify setup before Nest registers routes (raw body parsers, static files…). */
  configureFastify?: (app: NestFastifyApplication) => Promise<void> | void;
}

/**
 * The one way every app becomes an HTTP server, used by main.ts and by the e2e harness alike:
 * Fastify with the body limit, request ids, the envelope filter, DTO validation, metrics per
 * route template and OpenAPI. Returns an initialised app that is not listening yet.
 */
export async function createHttpApp(module: Type<unknown> | DynamicModule, options: HttpAppOptions): Promise<NestFastifyApplication> {
  installAsyncResourceBind();
  const adapter = new FastifyAdapter({
    bodyLimit: options.config.BODY_LIMIT_BYTES,
    trustProxy: true,
    // Fastify's own logger stays off: installRequestLogging writes the request log.
    logger: false,
    genReqId: (raw: IncomingMessage) => {
      // Pinned on the raw request too, for code that only sees the Node request.
      const id = resolveRequestId(raw.headers[REQUEST_ID_HEADER]);
      raw.id = id;
      return id;
    },
  });
  const app = await NestFactory.create<NestFastifyApplication>(module, adapter, { bufferLogs: true, abortOnError: false });
  app.useLogger(app.get(Logger));
  const metrics = app.get(MetricsService);
  app.useGlobalFilters(new EnvelopeExceptionFilter(metrics));
  app.useGlobalPipes(createValidationPipe());
  app.enableShutdownHooks();

  const fastify = app.getHttpAdapter().getInstance();
  installRequestLogging(fastify, app.get<PinoLogger>(ROOT_LOGGER));
  // Callback hooks, not async ones: no promise per request for work that never waits.
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header(REQUEST_ID_HEADER, request.id);
    done();
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    // The route template, never the raw URL: ids in paths would explode label cardinality.
    const route = request.routeOptions.url ?? 'UNMATCHED';
    metrics.observeHttp(route, request.method, reply.statusCode, reply.elapsedTime / 1000);
    done();
  });

  await options.configureFastify?.(app);
  setUpOpenApi(app, options.serviceName, options.description);
  await app.init();
  await fastify.ready();
  // Boot lines were buffered until our logger was in place; write them now, not at listen().
  app.flushLogs();
  return app;
}
