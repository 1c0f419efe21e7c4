// Stripe: the fixed operations of the stripe type, form-encoded, through the shared guarded transport.
import { assembleHeaders, fillPathTemplate, remainingPayload, requireSecret, resolveUrl } from './http-request-builder';
import type { HttpTransport, TransportRequest } from './http-transport';
import { InvalidCallError, invalidResult } from './invalid-call-error';
import type { AttemptRequest, AttemptResult, ConnectorRuntime } from './runtime';
import { encodeStripeForm } from './stripe-form';

export const STRIPE_DEFAULT_BASE_URL = 'https://api.stripe.com';
export const STRIPE_API_KEY_POINTER = '/api_key_ref';

/** Pure: the request an attempt sends. Throws InvalidCallError when it cannot be built. */
export function buildStripeRequest(request: AttemptRequest): TransportRequest {
  const spec = request.operation.http;
  if (spec === undefined) throw new InvalidCallError(`operation ${request.operation.operation_id} has no http mapping`);
  const baseUrl = typeof request.connector.config['base_url'] === 'string' ? request.connector.config['base_url'] : STRIPE_DEFAULT_BASE_URL;
  const { path, used } = fillPathTemplate(spec.path_template, request.payload);
  const url = resolveUrl(baseUrl, path);
  const rest = remainingPayload(request.payload, used);
  const headers = assembleHeaders({
    auth: ['authorization', `Bearer ${requireSecret(request.secrets, STRIPE_API_KEY_POINTER)}`],
    executionId: request.executionId,
  });
  if (spec.method === 'GET' || spec.method === 'DELETE' || spec.method === 'HEAD') {
    const query = encodeStripeForm(rest);
    if (query !== '') url.search = query;
    return { method: spec.method, url, headers };
  }
  // Stable across every attempt of the execution: Stripe replays the first result instead of acting twice.
  headers['idempotency-key'] = request.upstreamIdempotencyKey;
  headers['content-type'] = 'application/x-www-form-urlencoded';
  return { method: spec.method, url, headers, body: encodeStripeForm(rest) };
}

export class StripeRuntime implements ConnectorRuntime {
  readonly type: string = 'stripe';

  constructor(private readonly transport: HttpTransport) {}

  async attempt(request: AttemptRequest): Promise<AttemptResult> {
    let outgoing: TransportRequest;
    try {
      outgoing = buildStripeRequest(request);
    } catch (err) {
      return invalidResult(err);
    }
    return this.transport.send(outgoing, request.limits, request.signal);
  }
}
