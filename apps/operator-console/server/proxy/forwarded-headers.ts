import type { IncomingHttpHeaders } from 'node:http';

/**
 * Browser headers worth passing to control-api / exec-api. Everything else stays at the BFF:
 * the cookie (it is ours), any authorization the browser made up, hop-by-hop headers.
 */
export const FORWARDED_REQUEST_HEADERS = ['accept', 'content-type', 'idempotency-key', 'x-reason', 'last-event-id', 'traceparent', 'tracestate'] as const;

/** Upstream headers the browser may see; never Set-Cookie, authorization or anything else. */
const RETURNED_RESPONSE_HEADERS = new Set(['content-type', 'x-request-id', 'retry-after', 'idempotent-replayed', 'location', 'cache-control']);
const RETURNED_RESPONSE_PREFIXES = ['ratelimit-'];

/** Methods that change state: they need the session's x-csrf-token. Anything but a read counts. */
export function isMutating(method: string): boolean {
  return method !== 'GET' && method !== 'HEAD';
}

export function upstreamRequestHeaders(incoming: IncomingHttpHeaders, extra: { requestId: string; token: string; ip: string | undefined }): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name of FORWARDED_REQUEST_HEADERS) {
    const value = incoming[name];
    const first = Array.isArray(value) ? value[0] : value;
    if (typeof first === 'string' && first.length > 0) headers[name] = first;
  }
  headers['x-request-id'] = extra.requestId;
  headers['authorization'] = `Bearer ${extra.token}`;
  if (extra.ip) headers['x-forwarded-for'] = extra.ip;
  return headers;
}

export function returnedResponseHeaders(upstream: Record<string, string | string[] | undefined>): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [rawName, value] of Object.entries(upstream)) {
    const name = rawName.toLowerCase();
    if (value === undefined) continue;
    if (!RETURNED_RESPONSE_HEADERS.has(name) && !RETURNED_RESPONSE_PREFIXES.some((prefix) => name.startsWith(prefix))) continue;
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

/**
 * `/api/control/v1/x?y=1` → `v1/x?y=1` (relative to the upstream base). Undefined for a path that
 * tries to climb out with dot segments (raw or percent-encoded): the URL parser would resolve them.
 */
export function upstreamPathOf(rawUrl: string, prefix: string): string | undefined {
  if (!rawUrl.startsWith(`${prefix}/`)) return undefined;
  const rest = rawUrl.slice(prefix.length + 1);
  const path = rest.split('?')[0];
  const segments = path.split('/').map((segment) => {
    try {
      return decodeURIComponent(segment);
    } catch {
      return segment;
    }
  });
  if (segments.some((segment) => segment === '.' || segment === '..' || segment.includes('\\'))) return undefined;
  if (rest.startsWith('/')) return undefined;
  return rest;
}
