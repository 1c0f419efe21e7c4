import { STRIPE_CONNECTOR_TYPE } from '../types/stripe.connector-type';
import { buildStripeRequest } from './stripe.runtime';
import { attemptRequest } from './testing/attempt-request.factory';
import { InvalidCallError } from './invalid-call-error';

const operation = (id: string) => {
  const found = STRIPE_CONNECTOR_TYPE.operations.find((o) => o.operation_id === id);
  if (found === undefined) throw new Error(id);
  return found;
};
const connector = { name: 'stripe', type: 'stripe', config: { api_key_ref: 'stripe-key' } };

describe('buildStripeRequest', () => {
  it('POST: form body, bearer key, Idempotency-Key from the execution, default base URL', () => {
    const req = buildStripeRequest(
      attemptRequest({ connector, operation: operation('create_payment_intent'), payload: { amount: 500, currency: 'usd', metadata: { o: '1' } }, secrets: { '/api_key_ref': 'sk_test_1' } }),
    );
    expect(req.url.href).toBe('https://api.stripe.com/v1/payment_intents');
    expect(req.body).toBe('amount=500&currency=usd&metadata[o]=1');
    expect(req.headers).toMatchObject({ authorization: 'Bearer sk_test_1', 'idempotency-key': 'exec-00000000-0000-4000-8000-0000000000e1', 'content-type': 'application/x-www-form-urlencoded' });
  });

  it('GET: the id goes in the path, no body and no Idempotency-Key', () => {
    const req = buildStripeRequest(attemptRequest({ connector, operation: operation('retrieve_payment_intent'), payload: { id: 'pi_123' }, secrets: { '/api_key_ref': 'sk_test_1' } }));
    expect(req.method).toBe('GET');
    expect(req.url.href).toBe('https://api.stripe.com/v1/payment_intents/pi_123');
    expect(req.body).toBeUndefined();
    expect(req.headers['idempotency-key']).toBeUndefined();
  });

  it('a missing API key is an InvalidCallError', () => {
    expect(() => buildStripeRequest(attemptRequest({ connector, operation: operation('create_refund'), payload: { payment_intent: 'pi_1' } }))).toThrow(InvalidCallError);
  });
});
