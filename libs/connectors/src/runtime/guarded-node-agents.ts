// node:http / node:https Agents whose every connection goes through the egress guard, for clients
// that take an Agent rather than an undici dispatcher (the AWS SDK's NodeHttpHandler).
//  - DNS names resolve through the guarded lookup, so net.connect only sees allowed addresses;
//  - net.connect skips `lookup` for IP literals, so a literal host is checked before connecting;
//  - once connected, the peer address is checked again (defence in depth).
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { parseHostLiteral, type EgressPolicy } from '../egress/address-policy';
import { EgressBlockedError } from '../egress/egress-blocked-error';
import { createGuardedLookup, type ResolveAll } from '../egress/guarded-dispatcher';

/** A socket that fails with `err` as soon as someone listens: the Agent API wants a socket back, not a throw. */
function refusedSocket(err: EgressBlockedError): net.Socket {
  const socket = new net.Socket();
  process.nextTick(() => socket.destroy(err));
  return socket;
}

function literalRefusal(policy: EgressPolicy, host: string | null | undefined): EgressBlockedError | undefined {
  if (host === null || host === undefined) return undefined;
  const literal = parseHostLiteral(host);
  if (literal === undefined) return undefined;
  const decision = policy.check(literal);
  return decision.allowed ? undefined : new EgressBlockedError(host, decision.reason, decision.address);
}

function checkPeerOnConnect(policy: EgressPolicy, host: string, socket: Duplex | null | undefined): void {
  if (!(socket instanceof net.Socket)) return;
  socket.once('connect', () => {
    const remote = socket.remoteAddress;
    const decision = remote === undefined ? undefined : policy.check(remote);
    if (decision !== undefined && !decision.allowed) socket.destroy(new EgressBlockedError(host, decision.reason, decision.address));
  });
}

/** The guard around an Agent's createConnection, shared by the http and https agents. */
function guardedConnection(policy: EgressPolicy, options: http.ClientRequestArgs, create: () => Duplex | null | undefined): Duplex | null | undefined {
  const host = options.hostname ?? options.host;
  const refusal = literalRefusal(policy, host);
  if (refusal !== undefined) return refusedSocket(refusal);
  const socket = create();
  checkPeerOnConnect(policy, host ?? '', socket);
  return socket;
}

export interface GuardedAgentOptions {
  policy: EgressPolicy;
  resolveAll?: ResolveAll;
  agent?: http.AgentOptions;
}

export class GuardedHttpAgent extends http.Agent {
  private readonly policy: EgressPolicy;

  constructor(options: GuardedAgentOptions) {
    super({ keepAlive: true, ...(options.agent ?? {}), lookup: createGuardedLookup(options.policy, options.resolveAll) } as http.AgentOptions);
    this.policy = options.policy;
  }

  override createConnection(options: http.ClientRequestArgs, callback?: (err: Error | null, stream: Duplex) => void): Duplex | null | undefined {
    return guardedConnection(this.policy, options, () => super.createConnection(options, callback));
  }
}

export class GuardedHttpsAgent extends https.Agent {
  private readonly policy: EgressPolicy;

  constructor(options: GuardedAgentOptions) {
    super({ keepAlive: true, ...(options.agent ?? {}), lookup: createGuardedLookup(options.policy, options.resolveAll) } as https.AgentOptions);
    this.policy = options.policy;
  }

  override createConnection(options: https.RequestOptions, callback?: (err: Error | null, stream: Duplex) => void): Duplex | null | undefined {
    return guardedConnection(this.policy, options, () => super.createConnection(options, callback));
  }
}
