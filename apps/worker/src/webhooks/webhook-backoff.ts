/** Exponential backoff of webhook attempts. */
export interface WebhookBackoff {
  baseDelayMs: number;
  maxDelayMs: number;
}

/** Delay before the attempt after `attempt` (1-based): base · 2^(attempt-1), capped; never below `retryAfterMs` (a Retry-After), still capped. */
export function webhookRetryDelay(attempt: number, backoff: WebhookBackoff, retryAfterMs?: number): number {
  const exponent = Math.min(Math.max(0, attempt - 1), 40);
  const delay = Math.max(backoff.baseDelayMs * 2 ** exponent, retryAfterMs ?? 0);
  return Math.min(backoff.maxDelayMs, Math.round(delay));
}

/** last_error is for operators, not a log: one line, bounded. */
export const LAST_ERROR_MAX_CHARS = 500;

/** `CODE: message`, on one line, cut to LAST_ERROR_MAX_CHARS, with every given secret value masked. */
export function formatLastError(error: { code: string; message: string }, secrets: readonly string[] = []): string {
  const text = redactSecrets(`${error.code}: ${error.message}`.replace(/[\r\n]+/g, ' '), secrets);
  return text.length > LAST_ERROR_MAX_CHARS ? `${text.slice(0, LAST_ERROR_MAX_CHARS - 1)}…` : text;
}

/** `text` with every occurrence of the given secret values (8 characters or more) replaced by `[redacted]`. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let redacted = text;
  for (const secret of secrets) {
    if (secret.length >= 8) redacted = redacted.split(secret).join('[redacted]');
  }
  return redacted;
}
