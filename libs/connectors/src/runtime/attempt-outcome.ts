// Pure classification shared by every runtime: what a thrown error or a response means for the
// execution policy (DESIGN §5: retry on network errors and timeouts, never on blocked/invalid).
import { isEgressBlockedError, type EgressBlockedError } from '../egress/egress-blocked-error';
import type { AttemptResult } from './runtime';
import { InvalidCallError } from './invalid-call-error';

/** Response headers the execution policy or the caller may need; everything else is dropped. */
const KEPT_HEADERS = new Set(['retry-after', 'content-type', 'request-id', 'x-request-id', 'location']);

export function pickResponseHeaders(raw: Readonly<Record<string, string | string[] | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    const key = name.toLowerCase();
    if (value === undefined || !(KEPT_HEADERS.has(key) || key === 'ratelimit' || key.startsWith('ratelimit-'))) continue;
    out[key] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/**
 * The output of a response body. JSON when the content type says so and it parses; otherwise
 * `{ body: text }`. An empty body (204, HEAD, a bare 202) is `{}`, so an operation's output is
 * always an object, as the http output_schema requires.
 */
export function parseResponseBody(contentType: string | undefined, bytes: Buffer): unknown {
  if (bytes.length === 0) return {};
  const text = bytes.toString('utf8');
  if (contentType !== undefined && /[/+]json\b/i.test(contentType)) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return { body: text };
    }
  }
  return { body: text };
}

/** The error itself or one it wraps (`cause`, AggregateError members), depth-limited. */
export function findInChain<T>(err: unknown, match: (e: unknown) => e is T, depth = 5): T | undefined {
  if (depth < 0 || err === null || err === undefined) return undefined;
  if (match(err)) return err;
  if (err instanceof AggregateError) {
    for (const inner of err.errors) {
      const found = findInChain(inner, match, depth - 1);
      if (found !== undefined) return found;
    }
  }
  if (typeof err === 'object' && 'cause' in err) return findInChain((err as { cause?: unknown }).cause, match, depth - 1);
  return undefined;
}

function errorCode(err: unknown): string | undefined {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}

/** A short message for an error that is not ours: name/code and message, never request data. */
export function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = errorCode(err);
  return code !== undefined && !err.message.includes(code) ? `${code}: ${err.message}` : err.message;
}

const UNDICI_TIMEOUT_PHASE: Record<string, 'connect' | 'read'> = {
  UND_ERR_CONNECT_TIMEOUT: 'connect',
  UND_ERR_HEADERS_TIMEOUT: 'read',
  UND_ERR_BODY_TIMEOUT: 'read',
};

function undiciTimeoutPhase(err: unknown): 'connect' | 'read' | undefined {
  const code = errorCode(err);
  return code === undefined ? undefined : UNDICI_TIMEOUT_PHASE[code];
}

export interface AbortState {
  /** The attempt's own total_ms deadline fired. */
  totalExpired: boolean;
  /** The transport's own response deadline (connect_ms + read_ms) fired. */
  responseExpired?: boolean;
  /** The caller's signal fired (shutdown, cancellation). */
  callerAborted: boolean;
}

/** Outcomes every runtime shares: egress refusal, our own invalid-call error, total deadline, caller abort. */
export function classifyCommonError(err: unknown, aborts: AbortState, durationMs: number): AttemptResult | undefined {
  const blocked = findInChain(err, (e): e is EgressBlockedError => isEgressBlockedError(e));
  if (blocked !== undefined) return { kind: 'blocked', error: blocked, durationMs };
  if (err instanceof InvalidCallError) return { kind: 'invalid', message: err.message, durationMs };
  if (aborts.totalExpired) return { kind: 'timeout', phase: 'total', message: 'attempt exceeded its total time budget', durationMs };
  if (aborts.responseExpired === true) return { kind: 'timeout', phase: 'read', message: 'no complete response within read_ms', durationMs };
  // The caller gave up (shutdown, cancellation): reported as a network failure so a job is retried
  // later rather than failed for good; the execution layer knows it aborted and may ignore it.
  if (aborts.callerAborted) return { kind: 'network', message: 'attempt aborted by the caller', durationMs };
  return undefined;
}

/** Classifies an error thrown by the undici transport. */
export function classifyHttpError(err: unknown, aborts: AbortState, durationMs: number): AttemptResult {
  const common = classifyCommonError(err, aborts, durationMs);
  if (common !== undefined) return common;
  const timedOut = findInChain(err, (e): e is Error => e instanceof Error && undiciTimeoutPhase(e) !== undefined);
  const phase = undiciTimeoutPhase(timedOut);
  if (timedOut !== undefined && phase !== undefined) return { kind: 'timeout', phase, message: describeError(timedOut), durationMs };
  return { kind: 'network', message: describeError(err), durationMs };
}
