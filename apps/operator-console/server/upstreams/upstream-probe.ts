import { request } from 'undici';
import type { UpstreamState } from './dto/upstreams-response.dto';

export const UPSTREAM_PROBE_TIMEOUT_MS = 1000;

/** The liveness URL of an API given its base URL (which may carry a path prefix). */
export function healthUrlOf(baseUrl: string): URL {
  return new URL('health', baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
}

/**
 * One GET of the upstream's /health: up on a 2xx within the timeout, down on anything else
 * (refused, timed out, non-2xx). The reason is not returned: it would only leak topology.
 */
export async function probeUpstream(baseUrl: string, timeoutMs = UPSTREAM_PROBE_TIMEOUT_MS): Promise<UpstreamState> {
  try {
    const response = await request(healthUrlOf(baseUrl), {
      method: 'GET',
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(timeoutMs),
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    await response.body.dump();
    return response.statusCode >= 200 && response.statusCode < 300 ? 'up' : 'down';
  } catch {
    return 'down';
  }
}
