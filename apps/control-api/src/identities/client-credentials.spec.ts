import { parseBasicCredentials } from './client-credentials';

const basic = (value: string) => `Basic ${Buffer.from(value).toString('base64')}`;

describe('parseBasicCredentials', () => {
  it('reads id and secret, splitting at the first colon', () => {
    expect(parseBasicCredentials(basic('ci_abc:cs_x:y'))).toEqual({ clientId: 'ci_abc', clientSecret: 'cs_x:y' });
  });

  it('form-decodes both parts (RFC 6749 §2.3.1)', () => {
    expect(parseBasicCredentials(basic('ci%3Aa:s+%2B'))).toEqual({ clientId: 'ci:a', clientSecret: 's +' });
  });

  it('is absent without a Basic header', () => {
    expect(parseBasicCredentials(undefined)).toBe('absent');
    expect(parseBasicCredentials('Bearer abc')).toBe('absent');
  });

  it('is malformed when the value cannot be read', () => {
    expect(parseBasicCredentials('Basic !!!')).toBe('malformed');
    expect(parseBasicCredentials(basic('no-colon'))).toBe('malformed');
    expect(parseBasicCredentials(basic(':secret'))).toBe('malformed');
    expect(parseBasicCredentials(basic('id:'))).toBe('malformed');
    expect(parseBasicCredentials(basic('id:%E0%A4%A'))).toBe('malformed');
  });
});
