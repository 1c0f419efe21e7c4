import type { IncomingMessage } from 'node:http';
import { type DynamicModule, Module } from '@nestjs/common';
import { isSpanContextValid, trace } from '@opentelemetry/api';
import { LoggerModule } from 'nestjs-pino';
import { pino, type Logger as PinoLogger } from 'pino';
import type { BaseConfig } from '../config/base-config';
import { traceIdFromTraceparent } from '../http/request-id';
import { REDACT_PATHS } from './redaction';

/** What the auth layer learns about a request and pins onto the raw request for logging. */
export interface RequestLogContext {
  /** Set once the token is verified. */
  tenantId?: string;
}

type LoggedRequest = IncomingMessage & RequestLogContext;

/** The trace id of the active span, when OpenTelemetry runs and a span is active. */
function activeTraceId(): string | undefined {
  const context = trace.getActiveSpan()?.spanContext();
  return context && isSpanContextValid(context) ? context.traceId : undefined;
}

/** Added to every log line, in or out of a request (worker jobs too). */
export function traceMixin(): Record<string, string> {
  const traceId = activeTraceId();
  return traceId ? { trace_id: traceId } : {};
}

/**
 * Request log fields: the tenant once known, and the trace id of an incoming traceparent
 * when no span carries it (OpenTelemetry disabled), so requests still correlate.
 */
export function correlationFields(req: LoggedRequest): Record<string, string> {
  const fields: Record<string, string> = {};
  if (!activeTraceId()) {
    const traceId = traceIdFromTraceparent(req.headers['traceparent']);
    if (traceId) fields['trace_id'] = traceId;
  }
  if (req.tenantId) fields['tenant_id'] = req.tenantId;
  return fields;
}

/** Fields and formats shared by the boot logger and the request-aware one. */
function baseOptions(config: BaseConfig, serviceName: string) {
  return {
    level: config.LOG_LEVEL,
    base: { service: serviceName, env: config.ORCH_ENV },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    messageKey: 'msg',
    timestamp: () => `,"time":"${new Date().toISOString()}"`,
    mixin: traceMixin,
  };
}

/** For what happens before Nest exists (preflight checks): same JSON lines, same fields. */
export function createBootLogger(config: BaseConfig, serviceName: string): PinoLogger {
  return pino(baseOptions(config, serviceName));
}

/** The root pino logger of the app (the request log writes through it). */
export const ROOT_LOGGER = Symbol('ROOT_LOGGER');

/**
 * nestjs-pino for Nest's Logger (JSON lines through one pino root); its pino-http middleware is
 * not used: the request log and the per-request logger come from Fastify hooks
 * (installRequestLogging, D66), which cost a fraction of a middleware run through middie.
 */
@Module({})
export class PlatformLoggerModule {
  static forRoot(config: BaseConfig, serviceName: string): DynamicModule {
    const root = pino(baseOptions(config, serviceName));
    return {
      module: PlatformLoggerModule,
      imports: [LoggerModule.forRoot({ pinoHttp: { logger: root }, useExisting: true, forRoutes: [] })],
      providers: [{ provide: ROOT_LOGGER, useValue: root }],
      exports: [LoggerModule, ROOT_LOGGER],
    };
  }
}
