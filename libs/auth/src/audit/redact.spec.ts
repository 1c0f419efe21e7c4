import { redactSecrets } from './redact';

describe(redactSecrets.name, () => {
  it('replaces the values of secret-looking keys and keeps the shape', () => {
    expect(
      redactSecrets({ name: 'svc:a-backend', client_secret: 's3cr3t', clientSecretHash: 'abc', password: 'pw', refresh_token: 't', private_key: 'k', api_key: 'x', apiKey: 'y', credentials: { user: 'u' } }),
    ).toEqual({ name: 'svc:a-backend', client_secret: '[redacted]', clientSecretHash: '[redacted]', password: '[redacted]', refresh_token: '[redacted]', private_key: '[redacted]', api_key: '[redacted]', apiKey: '[redacted]', credentials: '[redacted]' });
  });

  it('looks into nested objects and arrays', () => {
    expect(redactSecrets({ items: [{ id: 1, secret: 'a' }], nested: { deeper: { Token: 'b', keep: true } } })).toEqual({ items: [{ id: 1, secret: '[redacted]' }], nested: { deeper: { Token: '[redacted]', keep: true } } });
  });

  it('keeps null and undefined secrets as they are (absence is not a secret)', () => {
    expect(redactSecrets({ password: null, secret: undefined })).toEqual({ password: null, secret: undefined });
  });

  it('writes Dates as ISO strings and passes scalars through', () => {
    expect(redactSecrets({ at: new Date('2026-01-02T03:04:05.000Z') })).toEqual({ at: '2026-01-02T03:04:05.000Z' });
    expect(redactSecrets('token')).toBe('token');
    expect(redactSecrets(42)).toBe(42);
    expect(redactSecrets(null)).toBeNull();
  });

  it('does not modify its input', () => {
    const input = { secret: 'a', nested: { password: 'b' } };
    redactSecrets(input);
    expect(input).toEqual({ secret: 'a', nested: { password: 'b' } });
  });
});
