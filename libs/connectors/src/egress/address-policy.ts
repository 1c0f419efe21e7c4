// Pure address classification and the egress allow/deny decision (DESIGN §5, egress guard).
// Parsing and range tables come from ipaddr.js (CONVENTIONS: no hand-rolled IP parsing).
import ipaddr from 'ipaddr.js';

export type AddressClass =
  | 'public'
  | 'loopback'
  | 'private'
  | 'cgnat'
  | 'link_local'
  | 'metadata'
  | 'multicast'
  | 'broadcast'
  | 'reserved'
  | 'unspecified'
  | 'ula'
  /** `::ffff:a.b.c.d` embedding a *public* IPv4: never seen on the wire, refused as a form. */
  | 'ipv4_mapped'
  /** Not an IP address at all. */
  | 'invalid';

export type EgressDecision =
  | { allowed: true; address: string; class: AddressClass; allowlisted: boolean }
  | { allowed: false; address: string; reason: Exclude<AddressClass, 'public'> };

type IP = ipaddr.IPv4 | ipaddr.IPv6;
type Cidr = [IP, number];

/** Cloud metadata endpoints, checked before the generic ranges that contain them. */
const METADATA: readonly Cidr[] = [
  ipaddr.parseCIDR('169.254.169.254/32'), // AWS, GCP, Azure, OpenStack, DigitalOcean…
  ipaddr.parseCIDR('169.254.170.2/32'), // AWS ECS task metadata
  ipaddr.parseCIDR('100.100.100.200/32'), // Alibaba Cloud
  ipaddr.parseCIDR('fd00:ec2::254/128'), // AWS IPv6
];

const NAT64_WELL_KNOWN = ipaddr.parseCIDR('64:ff9b::/96');
const IPV6_GLOBAL_UNICAST = ipaddr.parseCIDR('2000::/3');

const IPV4_RANGE_CLASS: Record<string, AddressClass> = {
  unicast: 'public',
  unspecified: 'unspecified', // 0.0.0.0/8
  broadcast: 'broadcast', // 255.255.255.255
  multicast: 'multicast', // 224/4
  linkLocal: 'link_local', // 169.254/16
  loopback: 'loopback', // 127/8
  carrierGradeNat: 'cgnat', // 100.64/10
  private: 'private', // 10/8, 172.16/12, 192.168/16
  reserved: 'reserved', // 192.0.0/24, 192.0.2/24, 192.88.99/24, 198.18/15, 198.51.100/24, 203.0.113/24, 240/4
  as112: 'public', // globally routed anycast
  amt: 'public', // globally routed anycast
};

const IPV6_RANGE_CLASS: Record<string, AddressClass> = {
  unspecified: 'unspecified', // ::
  loopback: 'loopback', // ::1
  linkLocal: 'link_local', // fe80::/10
  multicast: 'multicast', // ff00::/8
  uniqueLocal: 'ula', // fc00::/7
  amt: 'public',
  as112v6: 'public',
  // Everything else ipaddr.js names (6to4, teredo, rfc6145, rfc6052 outside the /96, discard,
  // benchmarking, orchid, deprecatedSiteLocal, segmentRouting, reserved incl. 2001:db8::/32) is reserved.
};

function parseIp(ip: string): IP | undefined {
  try {
    return ipaddr.parse(ip);
  } catch {
    return undefined;
  }
}

function inCidrs(addr: IP, cidrs: readonly Cidr[]): boolean {
  return cidrs.some(([net, bits]) => net.kind() === addr.kind() && addr.match(net, bits));
}

function embeddedNat64(addr: ipaddr.IPv6): ipaddr.IPv4 {
  const bytes = addr.toByteArray();
  return ipaddr.fromByteArray(bytes.slice(12)) as ipaddr.IPv4;
}

function classifyParsed(addr: IP): AddressClass {
  if (inCidrs(addr, METADATA)) return 'metadata';
  if (addr.kind() === 'ipv4') return IPV4_RANGE_CLASS[addr.range()] ?? 'reserved';
  const v6 = addr as ipaddr.IPv6;
  if (v6.isIPv4MappedAddress()) {
    const inner = classifyParsed(v6.toIPv4Address());
    return inner === 'public' ? 'ipv4_mapped' : inner;
  }
  if (v6.match(NAT64_WELL_KNOWN)) return classifyParsed(embeddedNat64(v6));
  const range = v6.range();
  if (range === 'unicast') return v6.match(IPV6_GLOBAL_UNICAST) ? 'public' : 'reserved';
  return IPV6_RANGE_CLASS[range] ?? 'reserved';
}

/**
 * Class of a (canonical or odd-form) IP address. IPv4-mapped (`::ffff:0:0/96`) and NAT64
 * (`64:ff9b::/96`) addresses take the class of the embedded IPv4; a mapped *public* IPv4 is
 * `ipv4_mapped`. Anything that is not an IP address is `invalid`.
 */
export function classifyAddress(ip: string): AddressClass {
  const literal = parseHostLiteral(ip);
  const addr = literal === undefined ? undefined : parseIp(literal);
  return addr === undefined ? 'invalid' : classifyParsed(addr);
}

/**
 * If `host` is an IP literal *as the OS resolver would read it*, its normalised form; otherwise
 * undefined (a DNS name). Accepts the inet_aton forms (`2130706433`, `0x7f000001`, `0177.0.0.1`,
 * `127.1`, `127.0.1`, `0x7f.1`), a single trailing dot, bracketed IPv6 (`[::ffff:127.0.0.1]`)
 * and zone ids (`fe80::1%eth0`, URL-encoded `%25eth0`). IPv6 comes back in RFC 5952 form
 * (with `%zone` when there was one).
 */
export function parseHostLiteral(host: string): string | undefined {
  let h = host;
  if (h.startsWith('[') && h.endsWith(']')) h = h.slice(1, -1);
  if (h.includes(':')) {
    h = h.replace(/%25/i, '%');
    if (!ipaddr.IPv6.isValid(h)) return undefined;
    return ipaddr.IPv6.parse(h).toString();
  }
  if (h.endsWith('.')) h = h.slice(0, -1);
  if (!ipaddr.IPv4.isValid(h)) return undefined;
  return ipaddr.IPv4.parse(h).toString();
}

/** Parses `EGRESS_ALLOW_CIDRS` (comma-separated CIDRs; a bare IP means a single address). Throws on a bad entry. */
export function parseAllowCidrs(value: string | undefined): Cidr[] {
  if (value === undefined) return [];
  const out: Cidr[] = [];
  for (const raw of value.split(',')) {
    const entry = raw.trim();
    if (entry === '') continue;
    try {
      if (entry.includes('/')) {
        out.push(ipaddr.parseCIDR(entry));
      } else {
        const addr = ipaddr.parse(entry);
        out.push([addr, addr.kind() === 'ipv4' ? 32 : 128]);
      }
    } catch {
      throw new Error(`EGRESS_ALLOW_CIDRS: not a CIDR or IP address: ${JSON.stringify(entry)}`);
    }
  }
  return out;
}

/** Addresses whose decision an EgressPolicy remembers; beyond, it starts over (bounded memory whatever the traffic). */
const MAX_REMEMBERED_DECISIONS = 1024;

/**
 * The egress decision. Only `public` addresses are allowed by default; `allow` CIDRs (from
 * `EGRESS_ALLOW_CIDRS`) open exactly the ranges they cover, whatever their class. An IPv4 and
 * its `::ffff:` mapped form are treated as the same destination for the allowlist.
 */
export class EgressPolicy {
  private readonly allow: readonly Cidr[];
  /** check() per address string: a pure function of it and the allowlist, asked on every outbound call. */
  private readonly decisions = new Map<string, EgressDecision>();

  constructor(allowCidrs: readonly string[] | string = []) {
    this.allow = parseAllowCidrs(typeof allowCidrs === 'string' ? allowCidrs : allowCidrs.join(','));
  }

  static fromEnv(env: Record<string, string | undefined> = process.env): EgressPolicy {
    return new EgressPolicy(env['EGRESS_ALLOW_CIDRS'] ?? '');
  }

  /** The allowlist in CIDR notation (for startup logs). */
  get allowCidrs(): string[] {
    return this.allow.map(([net, bits]) => `${net.toString()}/${bits}`);
  }

  check(ip: string): EgressDecision {
    const known = this.decisions.get(ip);
    if (known !== undefined) return known;
    const decision = Object.freeze(this.decide(ip));
    if (this.decisions.size >= MAX_REMEMBERED_DECISIONS) this.decisions.clear();
    this.decisions.set(ip, decision);
    return decision;
  }

  private decide(ip: string): EgressDecision {
    const literal = parseHostLiteral(ip);
    const addr = literal === undefined ? undefined : parseIp(literal);
    if (literal === undefined || addr === undefined) return { allowed: false, address: ip, reason: 'invalid' };
    const cls = classifyParsed(addr);
    if (cls === 'public') return { allowed: true, address: literal, class: cls, allowlisted: false };
    if (this.allowlisted(addr)) return { allowed: true, address: literal, class: cls, allowlisted: true };
    return { allowed: false, address: literal, reason: cls };
  }

  private allowlisted(addr: IP): boolean {
    if (this.allow.length === 0) return false;
    const forms: IP[] = [addr];
    if (addr.kind() === 'ipv4') forms.push((addr as ipaddr.IPv4).toIPv4MappedAddress());
    else if ((addr as ipaddr.IPv6).isIPv4MappedAddress()) forms.push((addr as ipaddr.IPv6).toIPv4Address());
    return forms.some((f) => inCidrs(f, this.allow));
  }
}
