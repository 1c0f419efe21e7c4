import { encodeStripeForm, stripeFormPairs } from './stripe-form';

describe('encodeStripeForm', () => {
  it('encodes scalars, nested objects and arrays the way Stripe reads them', () => {
    const body = encodeStripeForm({ amount: 1000, currency: 'eur', payment_method_types: ['card', 'sepa_debit'], metadata: { order: '42', 'a b': 'x&y' }, skip: null });
    expect(body).toBe('amount=1000&currency=eur&payment_method_types[0]=card&payment_method_types[1]=sepa_debit&metadata[order]=42&metadata[a+b]=x%26y');
  });

  it('nests deeper levels', () => {
    expect(stripeFormPairs({ a: { b: [{ c: true }] } })).toEqual([['a[b][0][c]', 'true']]);
  });

  it('is empty for an empty payload', () => {
    expect(encodeStripeForm({})).toBe('');
  });
});
