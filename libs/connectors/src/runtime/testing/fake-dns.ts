// A resolver for the egress guard backed by a fixed table, so tests never send a DNS query.
import type { LookupAddress } from 'node:dns';
import type { ResolveAll } from '../../egress/guarded-dispatcher';

export function tableResolver(table: Record<string, LookupAddress[]>): ResolveAll {
  return (hostname, _options, callback) => {
    const answer = table[hostname];
    if (answer !== undefined) return process.nextTick(() => callback(null, answer));
    return process.nextTick(() => callback(Object.assign(new Error(`ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), []));
  };
}

export const LOOPBACK_DNS: Record<string, LookupAddress[]> = {
  localhost: [
    { address: '127.0.0.1', family: 4 },
    { address: '::1', family: 6 },
  ],
  'rebind.test': [{ address: '127.0.0.1', family: 4 }],
};
