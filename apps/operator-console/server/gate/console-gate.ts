import { timingSafeEqual, createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import ipaddr from 'ipaddr.js';
import type { ErrorCode } from '@orch/contracts';

type Cidr = [ipaddr.IPv4 | ipaddr.IPv6, number];

/** Liveness and readiness stay reachable for probes; they reveal nothing. */
const UNGATED_PATHS = new Set(['/health', '/ready']);

/** `10.0.0.0/8, 192.168.1.7, ::1` → CIDRs; a bare address is a /32 (/128). Throws naming the bad entry. */
export function parseAllowCidrs(value: string): Cidr[] {
  return value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0)
    .map((entry) => {
      try {
        if (entry.includes('/')) return ipaddr.parseCIDR(entry);
        const address = ipaddr.parse(entry);
        return [address, address.kind() === 'ipv4' ? 32 : 128] as Cidr;
      } catch {
        throw new Error(`CONSOLE_ALLOW_CIDRS: "${entry}" is not an IP address or CIDR`);
      }
    });
}

/** Whether the client address is inside one of the ranges (an IPv4-mapped IPv6 address counts as its IPv4). */
export function isAllowedAddress(ip: string | undefined, cidrs: readonly Cidr[]): boolean {
  if (!ip) return false;
  let address: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    address = ipaddr.process(ip);
  } catch {
    return false;
  }
  return cidrs.some(([range, bits]) => range.kind() === address.kind() && address.match(range, bits));
}

/** Constant-time check of an `Authorization: Basic …` header against `user:password`. */
export function basicAuthMatches(header: string | undefined, expected: string): boolean {
  const match = header ? /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header.trim()) : null;
  const presented = match ? Buffer.from(match[1], 'base64').toString('utf8') : '';
  // Equal-length digests: the comparison takes the same time whatever the lengths.
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b) && match !== null;
}

export interface GateOptions {
  allowCidrs?: string;
  basicAuth?: string;
  /** Take the client address from the last X-Forwarded-For entry (written by the one proxy in front). */
  trustProxy?: boolean;
}

/**
 * The address the allowlist judges. Never Fastify's request.ip: with trustProxy it is the first
 * X-Forwarded-For entry, which any client can write. The TCP peer, or the entry our own proxy appended.
 */
export function clientAddressOf(peer: string | undefined, forwardedFor: string | string[] | undefined, trustProxy: boolean): string | undefined {
  if (!trustProxy) return peer;
  const header = Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor;
  const last = header
    ?.split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0)
    .pop();
  return last ?? peer;
}

function refuse(request: FastifyRequest, reply: FastifyReply, status: 401 | 403, code: ErrorCode, message: string): FastifyReply {
  return reply
    .code(status)
    .header('content-type', 'application/json; charset=utf-8')
    .header('cache-control', 'no-store')
    .send({ error: { code, message, request_id: String(request.id) } });
}

/**
 * Seed gate A: an optional IP allowlist and HTTP basic auth in front of the whole console (SPA,
 * session, proxies), checked on every request before anything else runs. Off unless configured.
 */
export function addConsoleGate(fastify: FastifyInstance, options: GateOptions): void {
  const cidrs = options.allowCidrs ? parseAllowCidrs(options.allowCidrs) : undefined;
  const basicAuth = options.basicAuth;
  if (!cidrs && !basicAuth) return;
  fastify.addHook('onRequest', async (request, reply) => {
    const path = request.url.split('?', 1)[0];
    if (UNGATED_PATHS.has(path)) return;
    const client = clientAddressOf(request.raw.socket.remoteAddress, request.headers['x-forwarded-for'], options.trustProxy ?? false);
    if (cidrs && !isAllowedAddress(client, cidrs)) return refuse(request, reply, 403, 'FORBIDDEN', 'This address may not reach the console');
    if (basicAuth && !basicAuthMatches(request.headers.authorization, basicAuth)) {
      void reply.header('www-authenticate', 'Basic realm="Orchestrator console", charset="UTF-8"');
      return refuse(request, reply, 401, 'UNAUTHENTICATED', 'Console credentials required');
    }
  });
}
