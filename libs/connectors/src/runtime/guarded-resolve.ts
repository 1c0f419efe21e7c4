// Resolving a destination host through the egress guard *before* a client library connects, for
// libraries that take a host rather than an undici dispatcher (nodemailer). The caller connects to
// the returned address, so the address checked is the address used (no second DNS answer).
import type { LookupAddress } from 'node:dns';
import type { EgressPolicy } from '../egress/address-policy';
import { parseHostLiteral } from '../egress/address-policy';
import { EgressBlockedError } from '../egress/egress-blocked-error';
import { createGuardedLookup, type ResolveAll } from '../egress/guarded-dispatcher';

type AllLookup = (hostname: string, options: { all: true }, callback: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void) => void;

/** The address to connect to for `host`: a literal checked against the policy, or the first allowed DNS answer. Throws EgressBlockedError. */
export async function resolveAllowedAddress(host: string, policy: EgressPolicy, resolveAll?: ResolveAll): Promise<string> {
  const literal = parseHostLiteral(host);
  if (literal !== undefined) {
    const decision = policy.check(literal);
    if (!decision.allowed) throw new EgressBlockedError(host, decision.reason, decision.address);
    return decision.address;
  }
  const lookup = createGuardedLookup(policy, resolveAll) as unknown as AllLookup;
  const addresses = await new Promise<LookupAddress[]>((resolve, reject) => {
    lookup(host, { all: true }, (err, found) => (err ? reject(err) : resolve(found)));
  });
  const first = addresses[0];
  if (first === undefined) throw new EgressBlockedError(host, 'invalid');
  return first.address;
}

/** Settles like `promise`, or rejects with the signal's reason once it aborts (after running `onAbort`). */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal, onAbort: () => void): Promise<T> {
  if (signal.aborted) {
    onAbort();
    return Promise.reject(signal.reason as Error);
  }
  return new Promise<T>((resolve, reject) => {
    const abort = (): void => {
      onAbort();
      reject(signal.reason as Error);
    };
    signal.addEventListener('abort', abort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', abort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', abort);
        reject(err as Error);
      },
    );
  });
}
