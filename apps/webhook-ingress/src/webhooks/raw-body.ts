import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';

/** Every webhook endpoint lives under this path; only there is the body kept as raw bytes. */
export const WEBHOOK_PATH_PREFIX = '/v1/webhooks/';

function isWebhookRequest(request: FastifyRequest): boolean {
  return request.url.startsWith(WEBHOOK_PATH_PREFIX);
}

function unsupportedMediaType(contentType: string | undefined): Error {
  return Object.assign(new Error(`Unsupported Media Type: ${contentType ?? ''}`), { statusCode: 415, code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE' });
}

/**
 * Signatures cover the bytes as sent, so webhook requests get their body as a Buffer (any content
 * type, bodyLimit still enforced by Fastify → 413) and the handler parses JSON only after the
 * signature check. Other routes keep Nest's parsers: JSON is parsed as before, urlencoded as
 * before, and other content types are still refused with 415.
 */
export function configureWebhookRawBody(app: NestFastifyApplication): void {
  const adapter = app.getHttpAdapter();
  // Nest's default json + urlencoded parsers first (and its "registered" flag, so init() does not add them again)…
  adapter.registerParserMiddleware();
  const fastify = adapter.getInstance();
  const { bodyLimit, onProtoPoisoning, onConstructorPoisoning } = fastify.initialConfig;
  const defaultJson = fastify.getDefaultJsonParser(onProtoPoisoning ?? 'error', onConstructorPoisoning ?? 'error');
  // …then JSON replaced by one that leaves webhook bodies raw.
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit }, (request, body, done) => {
    if (isWebhookRequest(request)) {
      done(null, body);
      return;
    }
    // Fastify types the default parser for strings; it accepts the buffer as Nest passes it too.
    void defaultJson(request, body as unknown as string, done);
  });
  fastify.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, (request, body, done) => {
    if (isWebhookRequest(request)) {
      done(null, body);
      return;
    }
    done(unsupportedMediaType(request.headers['content-type']), undefined);
  });
}
