import { DomainError } from '@orch/contracts';

export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
}

/** application/x-www-form-urlencoded decoding of one value ('+' is a space). */
function formDecode(value: string): string | null {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return null;
  }
}

/**
 * Client credentials from `Authorization: Basic base64(client_id:client_secret)`, each part
 * form-urlencoded first (RFC 6749 §2.3.1). `absent` when the header is not Basic auth at all,
 * `malformed` when it is but cannot be read.
 */
export function parseBasicCredentials(header: string | undefined): ClientCredentials | 'absent' | 'malformed' {
  const match = header ? /^Basic\s+(\S*)\s*$/i.exec(header) : null;
  if (!match) return 'absent';
  const encoded = match[1];
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) return 'malformed';
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return 'malformed';
  const clientId = formDecode(decoded.slice(0, colon));
  const clientSecret = formDecode(decoded.slice(colon + 1));
  if (!clientId || !clientSecret) return 'malformed';
  return { clientId, clientSecret };
}

export function invalidClient(basicAuth: boolean): DomainError {
  // RFC 6749 §5.2: a 401 to a client that used HTTP Basic names the scheme it must use.
  return new DomainError('UNAUTHENTICATED', 'Invalid client credentials', basicAuth ? { headers: { 'www-authenticate': 'Basic realm="orchestrator"' } } : {});
}

export interface AuthenticatingClient {
  credentials: ClientCredentials;
  basicAuth: boolean;
}

/**
 * The client's credentials from HTTP Basic or from the body: exactly one method per request
 * (RFC 6749 §2.3), and nothing usable is an authentication failure.
 */
export function clientCredentialsOf(body: { client_id?: string; client_secret?: string }, authorization: string | undefined): AuthenticatingClient {
  const basic = parseBasicCredentials(authorization);
  const inBody = body.client_id !== undefined || body.client_secret !== undefined;
  if (basic !== 'absent' && inBody) {
    throw new DomainError('VALIDATION_FAILED', 'Send the client credentials either in the Authorization header or in the body, not both', {
      details: [{ path: '/client_id', message: 'must not be sent with HTTP Basic client authentication' }],
    });
  }
  if (basic === 'malformed') throw invalidClient(true);
  if (basic !== 'absent') return { credentials: basic, basicAuth: true };
  if (!body.client_id || !body.client_secret) throw invalidClient(false);
  return { credentials: { clientId: body.client_id, clientSecret: body.client_secret }, basicAuth: false };
}
