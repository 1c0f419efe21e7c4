// Stripe's form encoding (application/x-www-form-urlencoded with bracketed nesting):
// `metadata[order]=42`, `payment_method_types[0]=card`, `a[b][0][c]=x`.

function collect(prefix: string, value: unknown, out: Array<[string, string]>): void {
  if (value === null || value === undefined) return;
  if (Array.isArray(value)) {
    value.forEach((item, index) => collect(`${prefix}[${index}]`, item, out));
    return;
  }
  if (typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) collect(`${prefix}[${key}]`, inner, out);
    return;
  }
  out.push([prefix, String(value)]);
}

/** The pairs of a Stripe form, in payload order. null/undefined fields are left out. */
export function stripeFormPairs(payload: Readonly<Record<string, unknown>>): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const [key, value] of Object.entries(payload)) collect(key, value, out);
  return out;
}

/** The encoded form; brackets are left readable, as Stripe's own clients send them. */
export function encodeStripeForm(payload: Readonly<Record<string, unknown>>): string {
  return new URLSearchParams(stripeFormPairs(payload)).toString().replace(/%5B/gi, '[').replace(/%5D/gi, ']');
}
