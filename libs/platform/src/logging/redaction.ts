/**
 * Paths pino censors in every log line. Secrets never reach a log: auth headers, cookies,
 * anything named like a password, secret, token or key, at the top level or one object deep.
 */
const SENSITIVE_FIELDS = ['password', 'secret', 'client_secret', 'token', 'access_token', 'refresh_token', 'api_key', 'apiKey', 'value', 'signing_secret'];

export const REDACT_PATHS: string[] = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'req.headers["stripe-signature"]',
  'req.headers["webhook-signature"]',
  'res.headers["set-cookie"]',
  ...SENSITIVE_FIELDS.flatMap((f) => [f, `*.${f}`]),
];
