import type { IncomingMessage, ServerResponse } from 'node:http';
import { type DynamicModule, Module } from '@nestjs/common';
import { isSpanContextValid, trace } from '@opentelemetry/api';
import { LoggerModule } from 'nestjs-pino';
import { pino, type Logger as PinoLogger } from 'pino';
import type { BaseConfig } from '../config/base-config';
import { resolveRequestId, traceIdFromTraceparent } from '../http/request-id';
import { REDACT_PATHS } from './redaction';

/** What the auth layer learns about a request and pins onto the raw request for logging. */
export interface RequestLogContext {
  /** Set once the token is verified. */
  tenantId?: string;
}

type LoggedRequest = IncomingMessage & RequestLogContext;

const QUIET_ROUTES = new Set(['/health', '/ready', '/metrics']);

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

@Module({})
export class PlatformLoggerModule {
  static forRoot(config: BaseConfig, serviceName: string): DynamicModule {
    return {
      module: PlatformLoggerModule,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: {
            ...baseOptions(config, serviceName),
            genReqId: (req: IncomingMessage) => (typeof req.id === 'string' ? req.id : resolveRequestId(req.headers['x-request-id'])),
            // Request-bound lines (and the completion line) carry request_id instead of the whole req.
            quietReqLogger: true,
            customAttributeKeys: { reqId: 'request_id' },
            customProps: (req: LoggedRequest) => correlationFields(req),
            // Probes and scrapes would drown the request log. Middleware (middie) rewrites req.url
            // relative to its mount point; originalUrl keeps the path as received.
            autoLogging: { ignore: (req: IncomingMessage & { originalUrl?: string }) => QUIET_ROUTES.has((req.originalUrl ?? req.url ?? '').split('?')[0]) },
            serializers: {
              req: (req: { method: string; url: string; headers: Record<string, unknown> }) => ({ method: req.method, url: req.url, headers: { 'user-agent': req.headers['user-agent'] } }),
              res: (res: ServerResponse & { statusCode: number }) => ({ status: res.statusCode }),
            },
          },
        }),
      ],
      exports: [LoggerModule],
    };
  }
}
