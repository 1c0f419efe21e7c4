// Pure pieces of turning (config, operation, payload, secrets) into an HTTP request for the
// `http` and `stripe` runtimes. No I/O here: everything is unit-tested.
import type { HttpMethod } from '../connector-type';
import { InvalidCallError } from './invalid-call-error';

/** Sent on every outbound call so upstream operators can tell who is calling. */
export const USER_AGENT = 'orchestrator/1.0 (+connector-runtime)';
export const EXECUTION_ID_HEADER = 'x-orchestrator-execution-id';

type Payload = Readonly<Record<string, unknown>>;

const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

export interface FilledPath {
  path: string;
  /** Payload fields consumed by the template: they are not sent again in the query or body. */
  used: ReadonlySet<string>;
}

/** Fills `{name}` placeholders from the payload, each value URL-encoded as one path segment. */
export function fillPathTemplate(template: string, payload: Payload): FilledPath {
  const used = new Set<string>();
  const path = template.replace(PLACEHOLDER, (_match, name: string) => {
    const value = payload[name];
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      throw new InvalidCallError(`path placeholder {${name}} needs a string, number or boolean payload field "${name}"`);
    }
    used.add(name);
    return encodeURIComponent(String(value));
  });
  return { path, used };
}

/** The payload without the fields a path template consumed. */
export function remainingPayload(payload: Payload, used: ReadonlySet<string>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(payload).filter(([key]) => !used.has(key)));
}

/**
 * base_url + path. Paths are appended to the base URL's own path (`https://h/v2` + `/x` →
 * `https://h/v2/x`), which `new URL(path, base)` would not do. An absolute http(s) path stands
 * alone (the schema allows it when there is no base_url).
 */
export function resolveUrl(baseUrl: string | undefined, path: string): URL {
  if (/^https?:\/\//i.test(path)) return new URL(path);
  if (baseUrl === undefined || baseUrl === '') {
    throw new InvalidCallError('operation path is relative but the connector has no base_url');
  }
  return new URL(baseUrl.replace(/\/+$/, '') + path);
}

function isScalar(value: unknown): value is string | number | boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

/** Adds payload fields as query parameters: scalars once, arrays of scalars as repeated keys; null/undefined are left out. */
export function appendQuery(url: URL, fields: Readonly<Record<string, unknown>>): void {
  for (const [key, value] of Object.entries(fields)) {
    if (value === null || value === undefined) continue;
    const values: unknown[] = Array.isArray(value) ? value : [value];
    for (const item of values) {
      if (!isScalar(item)) {
        throw new InvalidCallError(`payload field "${key}" cannot be sent in a query string (only scalars and arrays of scalars)`);
      }
      url.searchParams.append(key, String(item));
    }
  }
}

/** Methods whose remaining payload goes in the query string rather than a body. */
export function sendsPayloadInQuery(method: HttpMethod): boolean {
  return method === 'GET' || method === 'HEAD' || method === 'DELETE';
}

/** The `auth` block of an http connector's config (validated by its config_schema). */
export type HttpAuthConfig =
  | { kind: 'none' }
  | { kind: 'bearer'; secret_ref: string }
  | { kind: 'header'; header_name: string; secret_ref: string }
  | { kind: 'basic'; username: string; secret_ref: string };

export const HTTP_AUTH_SECRET_POINTER = '/auth/secret_ref';

/** Looks a secret up by its JSON Pointer; a missing one is an invalid call, named by pointer only. */
export function requireSecret(secrets: Readonly<Record<string, string>>, pointer: string): string {
  const value = secrets[pointer];
  if (value === undefined || value === '') throw new InvalidCallError(`secret for ${pointer} is not available`);
  return value;
}

/** The header carrying the credential, or none. */
export function authHeader(auth: HttpAuthConfig | undefined, secrets: Readonly<Record<string, string>>): [string, string] | undefined {
  if (auth === undefined) return undefined;
  switch (auth.kind) {
    case 'none':
      return undefined;
    case 'bearer':
      return ['authorization', `Bearer ${requireSecret(secrets, HTTP_AUTH_SECRET_POINTER)}`];
    case 'header':
      return [auth.header_name.toLowerCase(), requireSecret(secrets, HTTP_AUTH_SECRET_POINTER)];
    case 'basic': {
      const token = Buffer.from(`${auth.username}:${requireSecret(secrets, HTTP_AUTH_SECRET_POINTER)}`, 'utf8').toString('base64');
      return ['authorization', `Basic ${token}`];
    }
  }
}

function lowerCaseKeys(headers: Readonly<Record<string, string>> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
}

export interface HeaderParts {
  defaults?: Readonly<Record<string, string>>;
  operation?: Readonly<Record<string, string>>;
  auth?: [string, string];
  executionId: string;
}

/**
 * Later layers win: connector defaults, then the operation's headers, then auth (so a configured
 * header can never replace the credential), then the execution id. The user-agent is ours unless
 * the connector sets one.
 */
export function assembleHeaders(parts: HeaderParts): Record<string, string> {
  const headers: Record<string, string> = { 'user-agent': USER_AGENT, ...lowerCaseKeys(parts.defaults), ...lowerCaseKeys(parts.operation) };
  if (parts.auth !== undefined) headers[parts.auth[0]] = parts.auth[1];
  headers[EXECUTION_ID_HEADER] = parts.executionId;
  return headers;
}
