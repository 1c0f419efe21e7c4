// The connector runtime contract (DESIGN §5): one attempt of one operation against the upstream.
// The execution library (libs/execution) owns everything around an attempt — payload validation,
// quotas, rate limits, the breaker, retries and the total deadline; a runtime only performs the
// call it is given, within the per-attempt limits it is given, and classifies what happened.
import type { ConnectorOperation } from '../connector-type';
import type { EgressBlockedError } from '../egress/egress-blocked-error';

export interface AttemptLimits {
  /** Time allowed to establish the connection (TCP + TLS). */
  connect_ms: number;
  /** Time allowed between request sent and the response (headers and body) arriving. */
  read_ms: number;
  /** Hard cap for the whole attempt: what is left of the execution's total budget. */
  total_ms: number;
  /** Response bodies larger than this are not read to the end: the attempt fails with `too_large`. */
  max_response_bytes: number;
}

export interface AttemptRequest {
  workspaceId: string;
  /** Stable across the attempts of one execution (stripe derives its Idempotency-Key from it). */
  executionId: string;
  /** 1-based. */
  attempt: number;
  connector: { name: string; type: string; config: Readonly<Record<string, unknown>> };
  operation: ConnectorOperation;
  /** Already validated against `operation.payload_schema`, defaults filled in. */
  payload: Readonly<Record<string, unknown>>;
  /**
   * Secret values resolved at call time, keyed like ConnectorEntity.secretRefs: the JSON Pointer
   * of the config field naming the ref (`/auth/secret_ref`, `/api_key_ref`, `/password_ref`,
   * `/secret_access_key_ref`). Never logged, never put in an error message or an output.
   */
  secrets: Readonly<Record<string, string>>;
  /**
   * A key stable for the whole execution (and for a job across its runs), for upstreams that
   * accept one (Stripe's `Idempotency-Key`), so a retried attempt cannot act twice.
   */
  upstreamIdempotencyKey: string;
  limits: AttemptLimits;
  /** Aborted when the caller gives up (shutdown, cancellation). */
  signal?: AbortSignal;
}

/** How one attempt ended. Only `response` with a 2xx status is a success. */
export type AttemptResult =
  | {
      kind: 'response';
      /** HTTP status, or the protocol's equivalent mapped to one (smtp accepted → 200). */
      status: number;
      /** Lower-cased response headers useful to the policy (`retry-after`) — never request headers. */
      headers: Readonly<Record<string, string>>;
      /** Parsed body (JSON object, or `{ body: text }` when not JSON); the operation's output on success. */
      output: unknown;
      durationMs: number;
    }
  /** Could not connect / connection reset / DNS failure / protocol error before a response. */
  | { kind: 'network'; message: string; durationMs: number }
  /** `connect`: no connection within connect_ms; `read`: no (complete) response within read_ms; `total`: the attempt's total_ms ran out. */
  | { kind: 'timeout'; phase: 'connect' | 'read' | 'total'; message: string; durationMs: number }
  /** The body exceeded `max_response_bytes`; not retryable. */
  | { kind: 'too_large'; status: number; durationMs: number }
  /** The egress guard refused the destination; no connection was made; not retryable. */
  | { kind: 'blocked'; error: EgressBlockedError; durationMs: number }
  /** The connector cannot run this call as configured (missing secret, bad template value…); not retryable. */
  | { kind: 'invalid'; message: string; durationMs: number };

/** Runs attempts for one connector type. Implementations are stateless apart from pooled clients. */
export interface ConnectorRuntime {
  readonly type: string;
  attempt(request: AttemptRequest): Promise<AttemptResult>;
  /** Closes pooled connections (graceful shutdown). */
  close?(): Promise<void>;
}
