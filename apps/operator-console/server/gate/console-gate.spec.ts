import { basicAuthMatches, clientAddressOf, isAllowedAddress, parseAllowCidrs } from './console-gate';

const basic = (credentials: string) => `Basic ${Buffer.from(credentials).toString('base64')}`;

describe('console gate', () => {
  describe(parseAllowCidrs.name, () => {
    it('reads CIDRs and bare addresses, IPv4 and IPv6', () => {
      const cidrs = parseAllowCidrs(' 10.0.0.0/8, 192.168.1.7 ,::1');
      expect(cidrs.map(([address, bits]) => `${address.toString()}/${bits}`)).toEqual(['10.0.0.0/8', '192.168.1.7/32', '::1/128']);
    });

    it('names a bad entry', () => {
      expect(() => parseAllowCidrs('10.0.0.0/8, not-an-ip')).toThrow('CONSOLE_ALLOW_CIDRS: "not-an-ip"');
    });
  });

  describe(isAllowedAddress.name, () => {
    const cidrs = parseAllowCidrs('127.0.0.0/8, 2001:db8::/32');
    it('allows addresses inside a range, IPv4-mapped IPv6 included', () => {
      expect(isAllowedAddress('127.0.0.1', cidrs)).toBe(true);
      expect(isAllowedAddress('::ffff:127.0.0.1', cidrs)).toBe(true);
      expect(isAllowedAddress('2001:db8::5', cidrs)).toBe(true);
    });

    it('refuses others, garbage and a missing address', () => {
      expect(isAllowedAddress('10.1.2.3', cidrs)).toBe(false);
      expect(isAllowedAddress('::1', cidrs)).toBe(false);
      expect(isAllowedAddress('nonsense', cidrs)).toBe(false);
      expect(isAllowedAddress(undefined, cidrs)).toBe(false);
    });
  });

  describe(basicAuthMatches.name, () => {
    it('accepts exactly user:password', () => {
      expect(basicAuthMatches(basic('ops:s3cret-pass'), 'ops:s3cret-pass')).toBe(true);
      expect(basicAuthMatches(`basic ${Buffer.from('ops:s3cret-pass').toString('base64')}`, 'ops:s3cret-pass')).toBe(true);
    });

    it('refuses wrong, partial and missing credentials', () => {
      expect(basicAuthMatches(basic('ops:wrong'), 'ops:s3cret-pass')).toBe(false);
      expect(basicAuthMatches(basic('ops:s3cret-pass!'), 'ops:s3cret-pass')).toBe(false);
      expect(basicAuthMatches('Bearer ops:s3cret-pass', 'ops:s3cret-pass')).toBe(false);
      expect(basicAuthMatches(undefined, 'ops:s3cret-pass')).toBe(false);
    });
  });

  describe(clientAddressOf.name, () => {
    it('judges the TCP peer unless told to trust the proxy, and then only the entry the proxy appended', () => {
      expect(clientAddressOf('127.0.0.1', '10.0.0.1', false)).toBe('127.0.0.1');
      expect(clientAddressOf('127.0.0.1', '10.9.9.9, 203.0.113.7', true)).toBe('203.0.113.7');
      expect(clientAddressOf('127.0.0.1', ['10.9.9.9', '203.0.113.8'], true)).toBe('203.0.113.8');
      expect(clientAddressOf('127.0.0.1', undefined, true)).toBe('127.0.0.1');
    });
  });
});
