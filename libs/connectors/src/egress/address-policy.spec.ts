import { classifyAddress, EgressPolicy, parseAllowCidrs, parseHostLiteral, type AddressClass } from './address-policy';

// Pure: no address here is ever connected to. Public literals are strings only.
describe('classifyAddress', () => {
  const blocked: Array<[string, AddressClass]> = [
    // IPv4
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['10.0.0.1', 'private'],
    ['10.255.255.255', 'private'],
    ['100.64.0.1', 'cgnat'],
    ['100.127.255.254', 'cgnat'],
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['169.254.0.1', 'link_local'],
    ['169.254.169.254', 'metadata'],
    ['169.254.170.2', 'metadata'],
    ['100.100.100.200', 'metadata'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.0.0.8', 'reserved'],
    ['192.0.2.10', 'reserved'],
    ['192.168.1.1', 'private'],
    ['198.18.0.1', 'reserved'],
    ['198.19.255.255', 'reserved'],
    ['198.51.100.7', 'reserved'],
    ['203.0.113.9', 'reserved'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['240.0.0.1', 'reserved'],
    ['255.255.255.255', 'broadcast'],
    // IPv6
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['fc00::1', 'ula'],
    ['fd12:3456::1', 'ula'],
    ['fe80::1', 'link_local'],
    ['fe80::1%eth0', 'link_local'],
    ['febf::1', 'link_local'],
    ['ff02::1', 'multicast'],
    ['ff0e::1', 'multicast'],
    ['fd00:ec2::254', 'metadata'],
    ['2001:db8::1', 'reserved'],
    ['2002:7f00:1::1', 'reserved'], // 6to4
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'reserved'], // teredo
    ['fec0::1', 'reserved'], // deprecated site-local
    ['100::1', 'reserved'], // discard
    ['::7f00:1', 'reserved'], // deprecated IPv4-compatible ::/96
    // IPv4-mapped → embedded IPv4
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:169.254.169.254', 'metadata'],
    ['::ffff:100.64.0.1', 'cgnat'],
    ['::ffff:8.8.8.8', 'ipv4_mapped'],
    // NAT64 well-known prefix → embedded IPv4
    ['64:ff9b::127.0.0.1', 'loopback'],
    ['64:ff9b::7f00:1', 'loopback'],
    ['64:ff9b::a9fe:a9fe', 'metadata'],
    ['64:ff9b::192.168.0.1', 'private'],
    ['64:ff9b:1::1', 'reserved'], // local-use NAT64 prefix
  ];

  it.each(blocked)('%s → %s', (ip, cls) => {
    expect(classifyAddress(ip)).toBe(cls);
  });

  it.each(['8.8.8.8', '1.1.1.1', '93.184.216.34', '172.32.0.1', '100.128.0.1', '192.169.0.1', '2606:4700:4700::1111', '2001:4860:4860::8888', '64:ff9b::8.8.8.8'])(
    '%s → public',
    (ip) => {
      expect(classifyAddress(ip)).toBe('public');
    },
  );

  it('odd IPv4 forms classify like their normalised address', () => {
    for (const odd of ['2130706433', '0x7f000001', '0177.0.0.1', '127.1', '127.0.1', '0x7f.1', '[::ffff:127.0.0.1]']) {
      expect(classifyAddress(odd)).toBe('loopback');
    }
    expect(classifyAddress('0xa9fea9fe')).toBe('metadata');
    expect(classifyAddress('0')).toBe('unspecified');
  });

  it.each(['example.com', 'localhost', '', '1.2.3.4.5', '08.0.0.1', 'gopher://x'])('%j → invalid', (s) => {
    expect(classifyAddress(s)).toBe('invalid');
  });
});

describe('parseHostLiteral', () => {
  it.each([
    ['127.0.0.1', '127.0.0.1'],
    ['2130706433', '127.0.0.1'],
    ['0x7f000001', '127.0.0.1'],
    ['0X7F000001', '127.0.0.1'],
    ['0177.0.0.1', '127.0.0.1'],
    ['0177.0.0.01', '127.0.0.1'],
    ['127.1', '127.0.0.1'],
    ['127.0.1', '127.0.0.1'],
    ['0x7f.1', '127.0.0.1'],
    ['0x7f.0x0.0x0.0x1', '127.0.0.1'],
    ['010.0.0.1', '8.0.0.1'],
    ['127.0.0.1.', '127.0.0.1'],
    ['0', '0.0.0.0'],
    ['3232235521', '192.168.0.1'],
    ['[::1]', '::1'],
    ['[127.0.0.1]', '127.0.0.1'], // not valid in a URL; read conservatively as the IPv4
    ['[::ffff:127.0.0.1]', '::ffff:7f00:1'],
    ['::FFFF:7F00:1', '::ffff:7f00:1'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['fe80::1%eth0', 'fe80::1%eth0'],
    ['[fe80::1%25eth0]', 'fe80::1%eth0'],
    ['8.8.8.8', '8.8.8.8'],
  ])('%j → %j', (host, ip) => {
    expect(parseHostLiteral(host)).toBe(ip);
  });

  it.each(['example.com', 'localhost', 'a.localhost', '08.0.0.1', '1.2.3.4.5', '4294967296', '0x100000000', ' 127.0.0.1', ''])(
    '%j is not an IP literal',
    (host) => {
      expect(parseHostLiteral(host)).toBeUndefined();
    },
  );
});

describe('EgressPolicy', () => {
  it('remembers decisions per address string, immutable, bounded, and as exact as the first time', () => {
    const policy = new EgressPolicy('10.0.0.0/24');
    const first = policy.check('127.0.0.1');
    expect(policy.check('127.0.0.1')).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    // More distinct addresses than it remembers: every answer stays right.
    for (let i = 0; i < 1500; i++) {
      const ip = `10.0.${Math.floor(i / 250)}.${(i % 250) + 1}`;
      expect(policy.check(ip).allowed).toBe(ip.startsWith('10.0.0.'));
    }
    expect(policy.check('127.0.0.1')).toEqual({ allowed: false, address: '127.0.0.1', reason: 'loopback' });
    expect(policy.check('10.0.0.7')).toEqual({ allowed: true, address: '10.0.0.7', class: 'private', allowlisted: true });
  });

  it('allows only public addresses by default', () => {
    const policy = new EgressPolicy();
    expect(policy.check('8.8.8.8')).toEqual({ allowed: true, address: '8.8.8.8', class: 'public', allowlisted: false });
    expect(policy.check('2606:4700:4700::1111').allowed).toBe(true);
    expect(policy.check('127.0.0.1')).toEqual({ allowed: false, address: '127.0.0.1', reason: 'loopback' });
    expect(policy.check('2130706433')).toEqual({ allowed: false, address: '127.0.0.1', reason: 'loopback' });
    expect(policy.check('::ffff:169.254.169.254')).toEqual({ allowed: false, address: '::ffff:a9fe:a9fe', reason: 'metadata' });
    expect(policy.check('::ffff:8.8.8.8')).toEqual({ allowed: false, address: '::ffff:808:808', reason: 'ipv4_mapped' });
    expect(policy.check('example.com')).toEqual({ allowed: false, address: 'example.com', reason: 'invalid' });
  });

  it('blocks every non-public class by default', () => {
    const policy = new EgressPolicy();
    for (const ip of ['0.0.0.0', '10.1.2.3', '100.64.0.1', '169.254.1.1', '169.254.169.254', '172.16.0.1', '192.168.0.1', '192.0.2.1', '198.18.0.1', '224.0.0.1', '240.0.0.1', '255.255.255.255', '::', '::1', 'fc00::1', 'fe80::1', 'ff02::1', '2001:db8::1', 'fd00:ec2::254', '64:ff9b::7f00:1']) {
      expect(policy.check(ip).allowed).toBe(false);
    }
  });

  it('an allowlist opens exactly its CIDR', () => {
    const policy = EgressPolicy.fromEnv({ EGRESS_ALLOW_CIDRS: '127.0.0.2/32, 10.1.0.0/16' });
    expect(policy.allowCidrs).toEqual(['127.0.0.2/32', '10.1.0.0/16']);
    expect(policy.check('127.0.0.2')).toEqual({ allowed: true, address: '127.0.0.2', class: 'loopback', allowlisted: true });
    expect(policy.check('::ffff:127.0.0.2').allowed).toBe(true); // same destination, mapped form
    expect(policy.check('127.0.0.1').allowed).toBe(false);
    expect(policy.check('127.0.0.3').allowed).toBe(false);
    expect(policy.check('10.1.0.0').allowed).toBe(true);
    expect(policy.check('10.1.255.255').allowed).toBe(true);
    expect(policy.check('10.0.255.255').allowed).toBe(false);
    expect(policy.check('10.2.0.0').allowed).toBe(false);
    expect(policy.check('169.254.169.254').allowed).toBe(false);
    expect(policy.check('8.8.8.8')).toMatchObject({ allowed: true, allowlisted: false });
  });

  it('IPv6 allowlist entries and bare addresses', () => {
    const policy = new EgressPolicy(['fd00:1::/32', '::1', '192.168.5.5']);
    expect(policy.check('fd00:1:2::3').allowed).toBe(true);
    expect(policy.check('fd00:2::3').allowed).toBe(false);
    expect(policy.check('::1').allowed).toBe(true);
    expect(policy.check('127.0.0.1').allowed).toBe(false);
    expect(policy.check('192.168.5.5').allowed).toBe(true);
    expect(policy.check('192.168.5.6').allowed).toBe(false);
  });

  it('an empty or absent EGRESS_ALLOW_CIDRS allows only public', () => {
    expect(EgressPolicy.fromEnv({}).allowCidrs).toEqual([]);
    expect(EgressPolicy.fromEnv({ EGRESS_ALLOW_CIDRS: ' , ' }).allowCidrs).toEqual([]);
  });

  it('rejects malformed allowlist entries', () => {
    expect(() => parseAllowCidrs('127.0.0.1/33')).toThrow(/EGRESS_ALLOW_CIDRS/);
    expect(() => parseAllowCidrs('example.com/8')).toThrow(/EGRESS_ALLOW_CIDRS/);
    expect(() => new EgressPolicy('10.0.0.0/8,nope')).toThrow(/"nope"/);
  });
});
