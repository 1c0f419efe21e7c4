import { signStandardWebhook, standardWebhookHeaders, verifyStandardWebhook } from './webhook-signature';

// The test vector published with the Standard Webhooks specification's reference libraries.
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const ID = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
const TIMESTAMP = 1614265330;
const BODY = '{"test": 2432232314}';
const SIGNATURE = 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=';

describe('signStandardWebhook', () => {
  it('produces the specification test vector', () => {
    expect(signStandardWebhook(SECRET, ID, TIMESTAMP, BODY)).toBe(SIGNATURE);
  });

  it('accepts a secret without the whsec_ prefix', () => {
    expect(signStandardWebhook(SECRET.slice('whsec_'.length), ID, TIMESTAMP, BODY)).toBe(SIGNATURE);
  });

  it('refuses an empty secret', () => {
    expect(() => signStandardWebhook('whsec_', ID, TIMESTAMP, BODY)).toThrow('empty');
  });
});

describe('verifyStandardWebhook', () => {
  it('accepts the matching signature among several and refuses a changed body, id or timestamp', () => {
    expect(verifyStandardWebhook(SECRET, ID, TIMESTAMP, BODY, `v1,bm90LWl0 ${SIGNATURE}`)).toBe(true);
    expect(verifyStandardWebhook(SECRET, ID, TIMESTAMP, `${BODY} `, SIGNATURE)).toBe(false);
    expect(verifyStandardWebhook(SECRET, 'msg_other', TIMESTAMP, BODY, SIGNATURE)).toBe(false);
    expect(verifyStandardWebhook(SECRET, ID, TIMESTAMP + 1, BODY, SIGNATURE)).toBe(false);
  });
});

describe('standardWebhookHeaders', () => {
  it('returns the three Standard Webhooks headers', () => {
    expect(standardWebhookHeaders(SECRET, ID, TIMESTAMP, BODY)).toEqual({ 'webhook-id': ID, 'webhook-timestamp': String(TIMESTAMP), 'webhook-signature': SIGNATURE });
  });
});
