import { createHmac } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { verifyWebhook } from './verify-webhook';
import type { HmacSignatureHeaderConfig, VerifyInput, VerifyResult, WebhookSecret } from './webhook-verification.types';

const NOW = new Date('2026-11-27T05:00:00.000Z');
const NOW_S = NOW.getTime() / 1000;
const at = (offsetSeconds: number) => new Date(NOW.getTime() + offsetSeconds * 1000);

const stripe = new Stripe('sk_test_x');
const STRIPE_SECRET = 'whsec_current_0123456789abcdef';
const STRIPE_OLD_SECRET = 'whsec_previous_fedcba9876543210';
const STD_SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
const STD_OLD_SECRET = `whsec_${Buffer.alloc(24, 9).toString('base64')}`;
const HMAC_SECRET = 'shpss_plain-utf8-secret-ü';

const payloadOf = (id = 'evt_1') => JSON.stringify({ id, object: 'event', type: 'payment_intent.succeeded', data: { object: { id: 'pi_1', amount: 1000 } } });
/** Same object, different whitespace: what a framework's body parser + JSON.stringify would hand over. */
const reserialized = (payload: string) => JSON.stringify(JSON.parse(payload), null, 2);
const flipOneByte = (body: Buffer) => {
  const copy = Buffer.from(body);
  copy[10] ^= 0x01;
  return copy;
};
const secrets = (...values: string[]): WebhookSecret[] => values.map((value) => ({ value }));

function stripeHeader(payload: string, secret = STRIPE_SECRET, timestamp = NOW_S): string {
  return stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp });
}

function stripeInput(overrides: Partial<VerifyInput> & { payload?: string } = {}): VerifyInput {
  const payload = overrides.payload ?? payloadOf();
  return {
    scheme: 'stripe',
    rawBody: Buffer.from(payload),
    headers: { 'stripe-signature': stripeHeader(payload) },
    secrets: secrets(STRIPE_SECRET),
    now: NOW,
    ...overrides,
  };
}

function standardHeaders(payload: string, secret = STD_SECRET, timestamp = NOW, msgId = 'msg_2Kp1') {
  return { 'webhook-id': msgId, 'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)), 'webhook-signature': new Webhook(secret).sign(msgId, timestamp, payload) };
}

function standardInput(overrides: Partial<VerifyInput> & { payload?: string } = {}): VerifyInput {
  const payload = overrides.payload ?? payloadOf();
  return { scheme: 'standard-webhooks', rawBody: Buffer.from(payload), headers: standardHeaders(payload), secrets: secrets(STD_SECRET), now: NOW, ...overrides };
}

const HMAC_HEX_PREFIXED: HmacSignatureHeaderConfig = { header: 'x-hub-signature-256', encoding: 'hex', prefix: 'sha256=' };

function hmacSignature(body: Buffer, config: HmacSignatureHeaderConfig, secret = HMAC_SECRET): string {
  return `${config.prefix ?? ''}${createHmac('sha256', Buffer.from(secret, 'utf8')).update(body).digest(config.encoding)}`;
}

function hmacInput(config: HmacSignatureHeaderConfig = HMAC_HEX_PREFIXED, overrides: Partial<VerifyInput> = {}): VerifyInput {
  const rawBody = Buffer.from(payloadOf());
  return { scheme: 'hmac-sha256', rawBody, headers: { [config.header.toLowerCase()]: hmacSignature(rawBody, config) }, secrets: secrets(HMAC_SECRET), now: NOW, hmac: config, ...overrides };
}

const failed = (reason: string) => ({ ok: false, reason });

describe(verifyWebhook.name, () => {
  describe('stripe', () => {
    it('accepts a body signed by the Stripe SDK and reports the signed timestamp', () => {
      expect(verifyWebhook(stripeInput())).toEqual({ ok: true, timestamp: NOW_S });
    });

    it('refuses a body with one flipped byte', () => {
      const input = stripeInput();
      expect(verifyWebhook({ ...input, rawBody: flipOneByte(input.rawBody) })).toEqual(failed('no_matching_signature'));
    });

    it('refuses the same JSON re-serialized with different whitespace', () => {
      const input = stripeInput();
      expect(verifyWebhook({ ...input, rawBody: Buffer.from(reserialized(payloadOf())) })).toEqual(failed('no_matching_signature'));
    });

    it('refuses a signature made with another secret', () => {
      expect(verifyWebhook(stripeInput({ secrets: secrets('whsec_someone_else') }))).toEqual(failed('no_matching_signature'));
    });

    it.each([
      ['stale (received 301 s after signing)', 301],
      ['from the future (received 301 s before the signed time)', -301],
    ])('refuses a timestamp %s', (_label, receivedAfter) => {
      expect(verifyWebhook(stripeInput({ now: at(receivedAfter) }))).toEqual(failed('timestamp_out_of_tolerance'));
    });

    it.each([300, -300])('accepts a timestamp exactly %i s away', (receivedAfter) => {
      expect(verifyWebhook(stripeInput({ now: at(receivedAfter) }))).toMatchObject({ ok: true });
    });

    it('honours a custom tolerance and falls back to 300 s for a nonsensical one', () => {
      expect(verifyWebhook(stripeInput({ now: at(11), toleranceSeconds: 10 }))).toEqual(failed('timestamp_out_of_tolerance'));
      expect(verifyWebhook(stripeInput({ now: at(10), toleranceSeconds: 10 }))).toMatchObject({ ok: true });
      for (const toleranceSeconds of [Number.NaN, -1, Number.POSITIVE_INFINITY]) {
        expect(verifyWebhook(stripeInput({ now: at(301), toleranceSeconds }))).toEqual(failed('timestamp_out_of_tolerance'));
        expect(verifyWebhook(stripeInput({ now: at(300), toleranceSeconds }))).toMatchObject({ ok: true });
      }
    });

    it('refuses when the clock is invalid instead of waving the timestamp through', () => {
      expect(verifyWebhook(stripeInput({ now: new Date(Number.NaN) }))).toMatchObject({ ok: false });
    });

    it('refuses a forged signature as forged even when its timestamp is also stale', () => {
      expect(verifyWebhook(stripeInput({ now: at(1000), secrets: secrets('whsec_other') }))).toEqual(failed('no_matching_signature'));
    });

    it('reports a missing or empty header', () => {
      expect(verifyWebhook(stripeInput({ headers: {} }))).toEqual(failed('missing_header'));
      expect(verifyWebhook(stripeInput({ headers: { 'stripe-signature': '' } }))).toEqual(failed('missing_header'));
      expect(verifyWebhook(stripeInput({ headers: { 'stripe-signature': [] } }))).toEqual(failed('missing_header'));
    });

    it.each([
      ['garbage', 'not a signature'],
      ['no timestamp', `v1=${'a'.repeat(64)}`],
      ['a non-numeric timestamp', `t=soon,v1=${'a'.repeat(64)}`],
      ['two timestamps', `t=${NOW_S},t=${NOW_S},v1=${'a'.repeat(64)}`],
      ['an item without "="', `t=${NOW_S},v1`],
      ['the header twice', ['t=1,v1=aa', 't=2,v1=bb']],
    ])('reports a malformed header: %s', (_label, value) => {
      expect(verifyWebhook(stripeInput({ headers: { 'stripe-signature': value } }))).toEqual(failed('malformed_header'));
    });

    it('finds no match when the header carries only v0 or non-hex v1 values', () => {
      const v1 = stripeHeader(payloadOf()).split(',')[1].slice(3);
      expect(verifyWebhook(stripeInput({ headers: { 'stripe-signature': `t=${NOW_S},v0=${v1}` } }))).toEqual(failed('no_matching_signature'));
      expect(verifyWebhook(stripeInput({ headers: { 'stripe-signature': `t=${NOW_S},v1=zz${v1.slice(2)}` } }))).toEqual(failed('no_matching_signature'));
    });

    describe('rotation', () => {
      const payload = payloadOf();
      const v1Of = (header: string) => header.split(',').find((part) => part.startsWith('v1='));
      // What Stripe sends while an endpoint secret is being rolled: one v1 per active secret.
      const rollingHeader = `t=${NOW_S},${v1Of(stripeHeader(payload, STRIPE_OLD_SECRET))},${v1Of(stripeHeader(payload, STRIPE_SECRET))},v0=${'0'.repeat(64)}`;

      it.each([
        ['only the new secret', [STRIPE_SECRET]],
        ['only the old secret', [STRIPE_OLD_SECRET]],
        ['both', [STRIPE_SECRET, STRIPE_OLD_SECRET]],
      ])('accepts two v1 values (old + new secret) when we hold %s', (_label, values) => {
        expect(verifyWebhook(stripeInput({ payload, headers: { 'stripe-signature': rollingHeader }, secrets: secrets(...values) }))).toEqual({ ok: true, timestamp: NOW_S });
      });

      it('accepts our previous secret until its expiresAt and refuses it after', () => {
        const signedWithOld = { 'stripe-signature': stripeHeader(payload, STRIPE_OLD_SECRET) };
        const ours = [{ value: STRIPE_SECRET }, { value: STRIPE_OLD_SECRET, expiresAt: at(60) }];
        expect(verifyWebhook(stripeInput({ payload, headers: signedWithOld, secrets: ours, now: at(59) }))).toMatchObject({ ok: true });
        expect(verifyWebhook(stripeInput({ payload, headers: signedWithOld, secrets: ours, now: at(60) }))).toEqual(failed('no_matching_signature'));
        expect(verifyWebhook(stripeInput({ payload, headers: signedWithOld, secrets: ours, now: at(61) }))).toEqual(failed('no_matching_signature'));
      });

      it('keeps accepting the current secret (expiresAt null) throughout', () => {
        const ours = [{ value: STRIPE_SECRET, expiresAt: null }, { value: STRIPE_OLD_SECRET, expiresAt: at(-1) }];
        expect(verifyWebhook(stripeInput({ payload, secrets: ours }))).toMatchObject({ ok: true });
      });
    });

    it('reports no usable secret when there is none or all have expired', () => {
      expect(verifyWebhook(stripeInput({ secrets: [] }))).toEqual(failed('no_usable_secret'));
      expect(verifyWebhook(stripeInput({ secrets: [{ value: '' }] }))).toEqual(failed('no_usable_secret'));
      expect(verifyWebhook(stripeInput({ secrets: [{ value: STRIPE_SECRET, expiresAt: at(-1) }] }))).toEqual(failed('no_usable_secret'));
      expect(verifyWebhook(stripeInput({ secrets: [{ value: STRIPE_SECRET, expiresAt: new Date(Number.NaN) }] }))).toEqual(failed('no_usable_secret'));
    });
  });

  describe('standard-webhooks', () => {
    it('accepts a body signed by the standardwebhooks library and returns webhook-id as the event id', () => {
      expect(verifyWebhook(standardInput())).toEqual({ ok: true, eventId: 'msg_2Kp1', timestamp: NOW_S });
    });

    it('accepts a secret given without the whsec_ prefix', () => {
      expect(verifyWebhook(standardInput({ secrets: secrets(STD_SECRET.slice('whsec_'.length)) }))).toMatchObject({ ok: true });
    });

    it('refuses a body with one flipped byte', () => {
      const input = standardInput();
      expect(verifyWebhook({ ...input, rawBody: flipOneByte(input.rawBody) })).toEqual(failed('no_matching_signature'));
    });

    it('refuses the same JSON re-serialized with different whitespace', () => {
      expect(verifyWebhook({ ...standardInput(), rawBody: Buffer.from(reserialized(payloadOf())) })).toEqual(failed('no_matching_signature'));
    });

    it('refuses a signature made with another secret', () => {
      expect(verifyWebhook(standardInput({ secrets: secrets(`whsec_${Buffer.alloc(32, 1).toString('base64')}`) }))).toEqual(failed('no_matching_signature'));
    });

    it('refuses a changed webhook-id (it is part of the signed content)', () => {
      const input = standardInput();
      expect(verifyWebhook({ ...input, headers: { ...input.headers, 'webhook-id': 'msg_other' } })).toEqual(failed('no_matching_signature'));
    });

    it.each([
      ['stale', 301],
      ['from the future', -301],
    ])('refuses a timestamp %s by 301 s', (_label, receivedAfter) => {
      expect(verifyWebhook(standardInput({ now: at(receivedAfter) }))).toEqual(failed('timestamp_out_of_tolerance'));
    });

    it.each([300, -300])('accepts a timestamp exactly %i s away', (receivedAfter) => {
      expect(verifyWebhook(standardInput({ now: at(receivedAfter) }))).toMatchObject({ ok: true });
    });

    it.each(['webhook-id', 'webhook-timestamp', 'webhook-signature'])('reports a missing %s header', (name) => {
      const input = standardInput();
      const headers = { ...input.headers, [name]: undefined };
      expect(verifyWebhook({ ...input, headers })).toEqual(failed('missing_header'));
    });

    it.each([
      ['a non-numeric timestamp', { 'webhook-timestamp': '2026-11-27T05:00:00Z' }],
      ['a signature entry without a version', { 'webhook-signature': 'c2lnbmF0dXJl' }],
      ['a repeated header', { 'webhook-id': ['a', 'b'] }],
    ])('reports a malformed header: %s', (_label, override) => {
      const input = standardInput();
      expect(verifyWebhook({ ...input, headers: { ...input.headers, ...override } })).toEqual(failed('malformed_header'));
    });

    it('ignores other signature versions and invalid base64, and finds no match without a v1', () => {
      const input = standardInput();
      const good = String(input.headers['webhook-signature']);
      const withNoise = `v1a,${Buffer.alloc(64, 3).toString('base64')} v1,@@notbase64@@  ${good} v2,${good.slice(3)}`;
      expect(verifyWebhook({ ...input, headers: { ...input.headers, 'webhook-signature': withNoise } })).toMatchObject({ ok: true });
      expect(verifyWebhook({ ...input, headers: { ...input.headers, 'webhook-signature': `v2,${good.slice(3)}` } })).toEqual(failed('no_matching_signature'));
    });

    it('accepts either of two v1 signatures (old + new secret) with either of our secrets', () => {
      const payload = payloadOf();
      const newSig = standardHeaders(payload)['webhook-signature'];
      const oldSig = standardHeaders(payload, STD_OLD_SECRET)['webhook-signature'];
      const headers = { ...standardHeaders(payload), 'webhook-signature': `${oldSig} ${newSig}` };
      for (const ours of [[STD_SECRET], [STD_OLD_SECRET], [STD_OLD_SECRET, STD_SECRET]]) {
        expect(verifyWebhook(standardInput({ payload, headers, secrets: secrets(...ours) }))).toMatchObject({ ok: true, eventId: 'msg_2Kp1' });
      }
    });

    it('accepts our previous secret until its expiresAt and refuses it after', () => {
      const payload = payloadOf();
      const headers = standardHeaders(payload, STD_OLD_SECRET);
      const ours = [{ value: STD_SECRET }, { value: STD_OLD_SECRET, expiresAt: at(30) }];
      expect(verifyWebhook(standardInput({ payload, headers, secrets: ours }))).toMatchObject({ ok: true });
      expect(verifyWebhook(standardInput({ payload, headers, secrets: ours, now: at(31) }))).toEqual(failed('no_matching_signature'));
    });

    it('reports no usable secret when none decodes to a key or all have expired', () => {
      expect(verifyWebhook(standardInput({ secrets: [] }))).toEqual(failed('no_usable_secret'));
      expect(verifyWebhook(standardInput({ secrets: secrets('whsec_', 'whsec_not base64!') }))).toEqual(failed('no_usable_secret'));
      expect(verifyWebhook(standardInput({ secrets: [{ value: STD_SECRET, expiresAt: at(-5) }] }))).toEqual(failed('no_usable_secret'));
    });
  });

  describe('hmac-sha256', () => {
    it.each<[string, HmacSignatureHeaderConfig]>([
      ['hex with prefix', { header: 'x-hub-signature-256', encoding: 'hex', prefix: 'sha256=' }],
      ['hex without prefix', { header: 'x-signature', encoding: 'hex' }],
      ['base64 with prefix', { header: 'x-signature', encoding: 'base64', prefix: 'sha256=' }],
      ['base64 without prefix', { header: 'x-shopify-hmac-sha256', encoding: 'base64' }],
    ])('accepts %s, with no timestamp to check', (_label, config) => {
      expect(verifyWebhook(hmacInput(config))).toEqual({ ok: true });
      expect(verifyWebhook(hmacInput(config, { now: at(86_400 * 365) }))).toEqual({ ok: true });
    });

    it('matches the configured header name and prefix case-insensitively', () => {
      const config: HmacSignatureHeaderConfig = { header: 'X-Hub-Signature-256', encoding: 'hex', prefix: 'sha256=' };
      const input = hmacInput(config);
      const value = String(input.headers['x-hub-signature-256']);
      expect(verifyWebhook(input)).toEqual({ ok: true });
      expect(verifyWebhook({ ...input, headers: { 'x-hub-signature-256': value.replace('sha256=', 'SHA256=') } })).toEqual({ ok: true });
    });

    it('refuses a flipped byte, re-serialized JSON and another secret', () => {
      const input = hmacInput();
      expect(verifyWebhook({ ...input, rawBody: flipOneByte(input.rawBody) })).toEqual(failed('no_matching_signature'));
      expect(verifyWebhook({ ...input, rawBody: Buffer.from(reserialized(payloadOf())) })).toEqual(failed('no_matching_signature'));
      expect(verifyWebhook({ ...input, secrets: secrets('another') })).toEqual(failed('no_matching_signature'));
    });

    it('refuses a digest of the wrong length', () => {
      expect(verifyWebhook(hmacInput(HMAC_HEX_PREFIXED, { headers: { 'x-hub-signature-256': `sha256=${'ab'.repeat(20)}` } }))).toEqual(failed('no_matching_signature'));
    });

    it('reports a missing header, and a route without header settings as missing_header', () => {
      expect(verifyWebhook(hmacInput(HMAC_HEX_PREFIXED, { headers: { 'x-other': 'sha256=00' } }))).toEqual(failed('missing_header'));
      expect(verifyWebhook(hmacInput(HMAC_HEX_PREFIXED, { hmac: undefined }))).toEqual(failed('missing_header'));
    });

    it.each([
      ['the prefix absent', HMAC_HEX_PREFIXED, 'abcdef'],
      ['non-hex characters', HMAC_HEX_PREFIXED, 'sha256=xyz0'],
      ['an odd number of hex digits', HMAC_HEX_PREFIXED, 'sha256=abc'],
      ['invalid base64', { header: 'x-signature', encoding: 'base64' } as const, 'not/base64!'],
      ['nothing after the prefix', HMAC_HEX_PREFIXED, 'sha256='],
    ])('reports a malformed header with %s', (_label, config, value) => {
      expect(verifyWebhook(hmacInput(config, { headers: { [config.header]: value } }))).toEqual(failed('malformed_header'));
    });

    it('accepts the previous secret until its expiresAt', () => {
      const signedWithOld = hmacSignature(Buffer.from(payloadOf()), HMAC_HEX_PREFIXED, 'old-secret');
      const ours = [{ value: HMAC_SECRET }, { value: 'old-secret', expiresAt: at(1) }];
      const input = hmacInput(HMAC_HEX_PREFIXED, { headers: { 'x-hub-signature-256': signedWithOld }, secrets: ours });
      expect(verifyWebhook(input)).toEqual({ ok: true });
      expect(verifyWebhook({ ...input, now: at(1) })).toEqual(failed('no_matching_signature'));
      expect(verifyWebhook({ ...input, secrets: [{ value: 'old-secret', expiresAt: at(-1) }] })).toEqual(failed('no_usable_secret'));
    });
  });

  describe('hostile or broken input', () => {
    const cases: Array<[string, VerifyInput]> = [
      ['headers of the wrong shape', { ...stripeInput(), headers: { 'stripe-signature': 42 as unknown as string } }],
      ['null headers', { ...standardInput(), headers: null as unknown as VerifyInput['headers'] }],
      ['secrets that are not a list', { ...stripeInput(), secrets: null as unknown as WebhookSecret[] }],
      ['a secret without a value', { ...hmacInput(), secrets: [{} as WebhookSecret] }],
      ['a body that is not a Buffer', { ...stripeInput(), rawBody: 'text' as unknown as Buffer }],
      ['an unknown scheme', { ...stripeInput(), scheme: 'md5' as unknown as VerifyInput['scheme'] }],
      ['an unknown hmac encoding', { ...hmacInput(), hmac: { header: 'x-hub-signature-256', encoding: 'hex8' as 'hex' } }],
      ['a huge timestamp', { ...stripeInput(), headers: { 'stripe-signature': `t=${'9'.repeat(400)},v1=${'a'.repeat(64)}` } }],
    ];

    it.each(cases)('returns a reason instead of throwing for %s', (_label, input) => {
      let result: VerifyResult | undefined;
      expect(() => (result = verifyWebhook(input))).not.toThrow();
      expect(result).toMatchObject({ ok: false });
    });

    it('never puts a secret or a signature in the result', () => {
      const inputs = [stripeInput(), stripeInput({ secrets: secrets('whsec_other') }), standardInput(), standardInput({ now: at(999) }), hmacInput(), hmacInput(HMAC_HEX_PREFIXED, { secrets: secrets('x') })];
      for (const input of inputs) {
        const serialized = JSON.stringify(verifyWebhook(input));
        const sensitive = [...input.secrets.map((s) => s.value), ...Object.values(input.headers).flat().filter((v): v is string => typeof v === 'string' && v.length > 20)];
        for (const value of sensitive) expect(serialized).not.toContain(value);
        expect(Object.keys(JSON.parse(serialized)).sort()).toEqual(expect.arrayContaining(['ok']));
        expect(Object.keys(JSON.parse(serialized)).every((k) => ['ok', 'reason', 'eventId', 'timestamp'].includes(k))).toBe(true);
      }
    });
  });
});
