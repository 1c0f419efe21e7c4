// The generic `http` connector type: operations declared in the connector's config
// (method + path template + headers), sent through the shared guarded transport.
import { appendQuery, assembleHeaders, authHeader, fillPathTemplate, remainingPayload, resolveUrl, sendsPayloadInQuery, type HttpAuthConfig } from './http-request-builder';
import type { HttpTransport, TransportRequest } from './http-transport';
import { InvalidCallError, invalidResult } from './invalid-call-error';
import type { AttemptRequest, AttemptResult, ConnectorRuntime } from './runtime';

/** The fields of an http connector's config this runtime reads (validated by its config_schema). */
interface HttpConnectorConfig {
  base_url?: string;
  default_headers?: Record<string, string>;
  auth?: HttpAuthConfig;
}

/** Pure: the request an attempt sends. Throws InvalidCallError when it cannot be built. */
export function buildHttpRequest(request: AttemptRequest): TransportRequest {
  const spec = request.operation.http;
  if (spec === undefined) throw new InvalidCallError(`operation ${request.operation.operation_id} has no http mapping`);
  const config = request.connector.config as HttpConnectorConfig;
  const { path, used } = fillPathTemplate(spec.path_template, request.payload);
  const url = resolveUrl(config.base_url, path);
  const rest = remainingPayload(request.payload, used);
  const headers = assembleHeaders({
    defaults: config.default_headers,
    operation: spec.headers,
    auth: authHeader(config.auth, request.secrets),
    executionId: request.executionId,
  });
  if (sendsPayloadInQuery(spec.method)) {
    appendQuery(url, rest);
    return { method: spec.method, url, headers };
  }
  return { method: spec.method, url, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(rest) };
}

export class HttpRuntime implements ConnectorRuntime {
  readonly type: string = 'http';

  constructor(private readonly transport: HttpTransport) {}

  async attempt(request: AttemptRequest): Promise<AttemptResult> {
    let outgoing: TransportRequest;
    try {
      outgoing = buildHttpRequest(request);
    } catch (err) {
      return invalidResult(err);
    }
    return this.transport.send(outgoing, request.limits, request.signal);
  }
}
