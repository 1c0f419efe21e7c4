import { formatLastError, LAST_ERROR_MAX_CHARS, webhookRetryDelay } from './webhook-backoff';

describe('webhookRetryDelay', () => {
  const backoff = { baseDelayMs: 1000, maxDelayMs: 300_000 };

  it('doubles from the base delay per attempt', () => {
    expect([1, 2, 3, 4].map((attempt) => webhookRetryDelay(attempt, backoff))).toEqual([1000, 2000, 4000, 8000]);
  });

  it('stops at the cap, even for huge attempt counts', () => {
    expect(webhookRetryDelay(10, backoff)).toBe(300_000);
    expect(webhookRetryDelay(10_000, backoff)).toBe(300_000);
  });

  it('waits at least a Retry-After, still capped', () => {
    expect(webhookRetryDelay(1, backoff, 5000)).toBe(5000);
    expect(webhookRetryDelay(1, backoff, 10_000_000)).toBe(300_000);
    expect(webhookRetryDelay(3, backoff, 10)).toBe(4000);
  });
});

describe('formatLastError', () => {
  it('joins code and message on one line', () => {
    expect(formatLastError({ code: 'WEBHOOK_FORWARD_REJECTED', message: 'the forward URL answered 500\nagain' })).toBe('WEBHOOK_FORWARD_REJECTED: the forward URL answered 500 again');
  });

  it('truncates to LAST_ERROR_MAX_CHARS', () => {
    const text = formatLastError({ code: 'X', message: 'a'.repeat(5000) });
    expect(text).toHaveLength(LAST_ERROR_MAX_CHARS);
    expect(text.endsWith('…')).toBe(true);
  });

  it('masks secret values it is given', () => {
    expect(formatLastError({ code: 'X', message: 'bad whsec_abcdefgh123 here' }, ['whsec_abcdefgh123'])).toBe('X: bad [redacted] here');
  });
});
