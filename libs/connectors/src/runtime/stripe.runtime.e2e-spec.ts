import { EgressPolicy } from '../egress/address-policy';
import { STRIPE_CONNECTOR_TYPE } from '../types/stripe.connector-type';
import { ConnectorRuntimes } from './connector-runtimes';
import type { ConnectorRuntime } from './runtime';
import { attemptRequest } from './testing/attempt-request.factory';
import { startLoopbackServer, type LoopbackServer } from './testing/loopback-http';

const API_KEY = 'sk_test_NEVER_LEAK';

const operation = (id: string) => {
  const found = STRIPE_CONNECTOR_TYPE.operations.find((o) => o.operation_id === id);
  if (found === undefined) throw new Error(id);
  return found;
};

describe('StripeRuntime (loopback fake Stripe)', () => {
  let fake: LoopbackServer;
  let runtimes: ConnectorRuntimes;
  let stripe: ConnectorRuntime;
  let failNext = 0;

  beforeAll(async () => {
    // Answers like Stripe: 401 without the right key, 400 without a form body, 503 while failNext > 0.
    fake = await startLoopbackServer('127.0.0.1', (req, res, body) => {
      res.setHeader('content-type', 'application/json');
      if (req.headers['authorization'] !== `Bearer ${API_KEY}`) {
        res.statusCode = 401;
        return res.end('{"error":{"type":"invalid_request_error"}}');
      }
      if (req.method === 'GET') return res.end(JSON.stringify({ id: req.url?.split('/').pop(), status: 'succeeded' }));
      if (req.headers['content-type'] !== 'application/x-www-form-urlencoded') {
        res.statusCode = 400;
        return res.end('{}');
      }
      if (failNext > 0) {
        failNext--;
        res.statusCode = 503;
        return res.end('{"error":{"type":"api_error"}}');
      }
      const form = new URLSearchParams(body);
      return res.end(JSON.stringify({ id: 'pi_123', status: 'requires_payment_method', amount: Number(form.get('amount')), metadata_order: form.get('metadata[order]'), pmt0: form.get('payment_method_types[0]') }));
    });
    runtimes = new ConnectorRuntimes({ policy: new EgressPolicy('127.0.0.1/32') });
    const runtime = runtimes.get('stripe');
    if (runtime === undefined) throw new Error('no stripe runtime');
    stripe = runtime;
  });

  afterAll(async () => {
    await runtimes.close();
    await fake.close();
  });

  const connector = () => ({ name: 'stripe', type: 'stripe', config: { api_key_ref: 'stripe-key', base_url: fake.url('') } });

  it('creates a PaymentIntent: form body, bearer key, one Idempotency-Key across the attempts of an execution', async () => {
    failNext = 1;
    const base = attemptRequest({
      connector: connector(),
      operation: operation('create_payment_intent'),
      payload: { amount: 1200, currency: 'eur', payment_method_types: ['card'], metadata: { order: 'o-9' } },
      secrets: { '/api_key_ref': API_KEY },
      upstreamIdempotencyKey: 'idem-exec-42',
    });
    const before = fake.requests.length;
    const first = await stripe.attempt(base);
    expect(first).toMatchObject({ kind: 'response', status: 503 });
    const second = await stripe.attempt({ ...base, attempt: 2 });
    expect(second).toMatchObject({ kind: 'response', status: 200, output: { id: 'pi_123', amount: 1200, metadata_order: 'o-9', pmt0: 'card' } });

    const sent = fake.requests.slice(before);
    expect(sent).toHaveLength(2);
    expect(sent.map((r) => r.headers['idempotency-key'])).toEqual(['idem-exec-42', 'idem-exec-42']);
    expect(sent[1]?.body).toBe('amount=1200&currency=eur&payment_method_types[0]=card&metadata[order]=o-9');
  });

  it('retrieves a PaymentIntent by id in the path, without an Idempotency-Key', async () => {
    const result = await stripe.attempt(attemptRequest({ connector: connector(), operation: operation('retrieve_payment_intent'), payload: { id: 'pi_abc' }, secrets: { '/api_key_ref': API_KEY } }));
    expect(result).toMatchObject({ kind: 'response', status: 200, output: { id: 'pi_abc' } });
    const last = fake.requests[fake.requests.length - 1];
    expect(last?.url).toBe('/v1/payment_intents/pi_abc');
    expect(last?.headers['idempotency-key']).toBeUndefined();
  });

  it('a wrong key is an upstream 401; a missing key is invalid and sends nothing', async () => {
    expect(await stripe.attempt(attemptRequest({ connector: connector(), operation: operation('retrieve_payment_intent'), payload: { id: 'pi_x' }, secrets: { '/api_key_ref': 'sk_test_wrong' } }))).toMatchObject({
      kind: 'response',
      status: 401,
    });
    const before = fake.requests.length;
    const result = await stripe.attempt(attemptRequest({ connector: connector(), operation: operation('retrieve_payment_intent'), payload: { id: 'pi_x' } }));
    expect(result).toEqual({ kind: 'invalid', message: 'secret for /api_key_ref is not available', durationMs: 0 });
    expect(fake.requests.length).toBe(before);
  });
});
