// An undici dispatcher whose every connection is checked against the egress policy (DESIGN §5).
//
// Where the check happens:
//  - literal hosts (including inet_aton odd forms and bracketed/zoned IPv6) are normalised and
//    checked before any socket exists;
//  - DNS names are resolved through a guarded `lookup` (dns.lookup with `all: true`): blocked
//    answers are dropped and, if none is left, the connection fails with EgressBlockedError —
//    so the address net.connect uses is always one the policy allowed (no check-then-resolve gap);
//  - after connecting, `socket.remoteAddress` is checked once more (defence in depth).
//
// Redirects: undici `request()` does not follow redirects. The runtime must keep it that way
// (no `interceptors.redirect`, `fetch` only with `redirect: 'manual'`) or check every hop with
// `assertUrlAllowed` — and send every hop through this dispatcher, which re-checks at connect.
import dns, { type LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { Agent, buildConnector, errors } from 'undici';
import { EgressPolicy, parseHostLiteral } from './address-policy';
import { EgressBlockedError } from './egress-blocked-error';

/** The shape of `dns.lookup` used with `{ all: true }`; injectable so tests never touch DNS. */
export type ResolveAll = (
  hostname: string,
  options: dns.LookupAllOptions,
  callback: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

const systemResolveAll: ResolveAll = (hostname, options, callback) => dns.lookup(hostname, options, callback);

type AnyLookupCallback = (err: NodeJS.ErrnoException | null, address?: string | LookupAddress[], family?: number) => void;

/**
 * A `net.connect` lookup that resolves all addresses and keeps only those the policy allows.
 * None left → EgressBlockedError (reason of the first refused address), no socket opened.
 */
export function createGuardedLookup(policy: EgressPolicy, resolveAll: ResolveAll = systemResolveAll): LookupFunction {
  const lookup = (hostname: string, options: dns.LookupOptions, callback: AnyLookupCallback): void => {
    resolveAll(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err);
      const allowed: LookupAddress[] = [];
      let firstRefusal: EgressBlockedError | undefined;
      for (const a of addresses) {
        const decision = policy.check(a.address);
        if (decision.allowed) allowed.push({ address: a.address, family: a.family });
        else firstRefusal ??= new EgressBlockedError(hostname, decision.reason, decision.address);
      }
      const first = allowed[0];
      if (first === undefined) {
        return callback(firstRefusal ?? new EgressBlockedError(hostname, 'invalid'));
      }
      if (options.all) return callback(null, allowed);
      return callback(null, first.address, first.family);
    });
  };
  return lookup as unknown as LookupFunction;
}

export interface GuardedConnectorOptions {
  /** Passed to undici's buildConnector (timeouts, TLS options…). `lookup` and `socketPath` are the guard's. */
  connect?: Omit<buildConnector.BuildOptions, 'lookup' | 'socketPath'>;
  /** DNS resolution (defaults to dns.lookup); tests inject a fake resolver. */
  resolveAll?: ResolveAll;
}

/** An undici connector that refuses blocked destinations before opening a socket. */
export function createGuardedConnector(policy: EgressPolicy, options: GuardedConnectorOptions = {}): buildConnector.connector {
  const base = buildConnector({
    ...(options.connect ?? {}),
    lookup: createGuardedLookup(policy, options.resolveAll),
  } as buildConnector.BuildOptions);

  return (opts, callback) => {
    let hostname = opts.hostname;
    const literal = parseHostLiteral(hostname);
    if (literal !== undefined) {
      const decision = policy.check(literal);
      if (!decision.allowed) {
        callback(new EgressBlockedError(opts.hostname, decision.reason, decision.address), null);
        return;
      }
      hostname = literal; // connect to exactly the address that was checked
    }
    // undici schedules its own connect timeout on coarse (~0.5–1 s) timers; a native timer keeps
    // a policy's connect_ms of a few hundred ms meaningful. Whichever fires first wins.
    const connectMs = options.connect?.timeout;
    let settled = false;
    const timer =
      connectMs !== undefined && connectMs !== null && connectMs > 0
        ? setTimeout(() => {
            settled = true;
            callback(new errors.ConnectTimeoutError(`connect timeout after ${connectMs} ms`), null);
          }, connectMs)
        : undefined;
    base({ ...opts, hostname }, (err, socket) => {
      if (timer !== undefined) clearTimeout(timer);
      if (settled) {
        socket?.destroy();
        return;
      }
      settled = true;
      if (err !== null) return callback(err, null);
      const remote = socket.remoteAddress;
      const decision = remote === undefined ? undefined : policy.check(remote);
      if (decision !== undefined && !decision.allowed) {
        socket.destroy();
        return callback(new EgressBlockedError(opts.hostname, decision.reason, decision.address), null);
      }
      return callback(null, socket);
    });
  };
}

export interface GuardedDispatcherOptions extends GuardedConnectorOptions {
  /** Defaults to `EgressPolicy.fromEnv()` (reads `EGRESS_ALLOW_CIDRS`). */
  policy?: EgressPolicy;
  /** Other undici Agent options (pool sizes, keep-alive…). */
  agent?: Omit<Agent.Options, 'connect'>;
}

/** An undici Agent for all outbound connector traffic: every connection goes through the egress guard. */
export function createGuardedDispatcher(options: GuardedDispatcherOptions = {}): Agent {
  const policy = options.policy ?? EgressPolicy.fromEnv();
  return new Agent({ ...(options.agent ?? {}), connect: createGuardedConnector(policy, options) });
}

const LOCALHOST_ADDRESSES = ['127.0.0.1', '::1'] as const;

/**
 * Hop-by-hop check for a URL (e.g. a redirect `Location`, resolved against `base`): only
 * http/https; a literal host (any form) must be allowed by the policy; `localhost` and
 * `*.localhost` count as loopback. Other DNS names cannot be judged without resolving — they
 * are checked at connect time by the guarded dispatcher, which every hop must go through.
 * Throws EgressBlockedError; returns the parsed URL.
 */
export function assertUrlAllowed(url: string | URL, policy: EgressPolicy, base?: string | URL): URL {
  const parsed = typeof url === 'string' ? new URL(url, base) : url;
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new EgressBlockedError(parsed.host, 'unsupported_protocol');
  }
  const host = parsed.hostname;
  const literal = parseHostLiteral(host);
  if (literal !== undefined) {
    const decision = policy.check(literal);
    if (!decision.allowed) throw new EgressBlockedError(host, decision.reason, decision.address);
    return parsed;
  }
  const name = host.toLowerCase().replace(/\.$/, '');
  if (name === 'localhost' || name.endsWith('.localhost')) {
    const decisions = LOCALHOST_ADDRESSES.map((a) => policy.check(a));
    const refused = decisions.find((d) => !d.allowed);
    if (!decisions.some((d) => d.allowed) && refused !== undefined && !refused.allowed) {
      throw new EgressBlockedError(host, refused.reason, refused.address);
    }
  }
  return parsed;
}
