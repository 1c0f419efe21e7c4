import type { LookupAddress } from 'node:dns';
import { EgressPolicy } from './address-policy';
import { EgressBlockedError } from './egress-blocked-error';
import { assertUrlAllowed, createGuardedConnector, createGuardedLookup, type ResolveAll } from './guarded-dispatcher';

// Unit: fake resolver, and every refusal happens before a socket would be opened.
function fakeResolver(table: Record<string, LookupAddress[]>): ResolveAll & { calls: string[] } {
  const calls: string[] = [];
  const fn: ResolveAll = (hostname, _options, callback) => {
    calls.push(hostname);
    const found = table[hostname];
    if (found === undefined) {
      const err: NodeJS.ErrnoException = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
      process.nextTick(() => callback(err, []));
    } else {
      process.nextTick(() => callback(null, found));
    }
  };
  return Object.assign(fn, { calls });
}

type LookupResult = { err: NodeJS.ErrnoException | null; address?: string | LookupAddress[]; family?: number };

function runLookup(lookup: ReturnType<typeof createGuardedLookup>, host: string, all: boolean): Promise<LookupResult> {
  return new Promise((resolve) => {
    (lookup as unknown as (h: string, o: object, cb: (...a: unknown[]) => void) => void)(host, { all }, (err, address, family) =>
      resolve({ err: err as NodeJS.ErrnoException | null, address: address as string | LookupAddress[], family: family as number }),
    );
  });
}

const v4 = (address: string): LookupAddress => ({ address, family: 4 });
const v6 = (address: string): LookupAddress => ({ address, family: 6 });

describe('createGuardedLookup', () => {
  const resolver = fakeResolver({
    'public.test': [v4('8.8.8.8'), v6('2001:4860:4860::8888')],
    'rebind.test': [v4('127.0.0.1'), v6('::1')],
    'metadata.test': [v4('169.254.169.254')],
    'mixed.test': [v4('10.0.0.1'), v4('1.1.1.1'), v4('127.0.0.2')],
  });

  it('passes public answers through (all and single)', async () => {
    const lookup = createGuardedLookup(new EgressPolicy(), resolver);
    expect(await runLookup(lookup, 'public.test', true)).toEqual({ err: null, address: [v4('8.8.8.8'), v6('2001:4860:4860::8888')], family: undefined });
    expect(await runLookup(lookup, 'public.test', false)).toEqual({ err: null, address: '8.8.8.8', family: 4 });
  });

  it('a name resolving only to blocked addresses fails with EgressBlockedError', async () => {
    const lookup = createGuardedLookup(new EgressPolicy(), resolver);
    const r = await runLookup(lookup, 'rebind.test', true);
    expect(r.err).toBeInstanceOf(EgressBlockedError);
    expect(r.err).toMatchObject({ code: 'EGRESS_BLOCKED', reason: 'loopback', host: 'rebind.test', address: '127.0.0.1' });
    expect((await runLookup(lookup, 'metadata.test', false)).err).toMatchObject({ code: 'EGRESS_BLOCKED', reason: 'metadata' });
  });

  it('drops blocked answers and keeps allowed ones; the allowlist opens its range', async () => {
    expect(await runLookup(createGuardedLookup(new EgressPolicy(), resolver), 'mixed.test', true)).toMatchObject({ err: null, address: [v4('1.1.1.1')] });
    const open = createGuardedLookup(new EgressPolicy('127.0.0.2/32'), resolver);
    expect(await runLookup(open, 'mixed.test', true)).toMatchObject({ err: null, address: [v4('1.1.1.1'), v4('127.0.0.2')] });
    expect((await runLookup(open, 'rebind.test', true)).err).toBeInstanceOf(EgressBlockedError);
  });

  it('passes resolver errors through unchanged', async () => {
    const r = await runLookup(createGuardedLookup(new EgressPolicy(), resolver), 'nxdomain.test', true);
    expect(r.err).toMatchObject({ code: 'ENOTFOUND' });
  });
});

describe('createGuardedConnector (refusals only: nothing is connected)', () => {
  const connector = createGuardedConnector(new EgressPolicy('127.0.0.2/32'), { resolveAll: fakeResolver({}) });

  function connect(hostname: string): Promise<Error | null> {
    return new Promise((resolve) => {
      connector({ hostname, host: hostname, protocol: 'http:', port: '9' }, (err, socket) => {
        socket?.destroy();
        resolve(err);
      });
    });
  }

  it.each([
    ['127.0.0.1', 'loopback'],
    ['2130706433', 'loopback'],
    ['0x7f000001', 'loopback'],
    ['0177.0.0.1', 'loopback'],
    ['127.1', 'loopback'],
    ['127.0.1', 'loopback'],
    ['0x7f.1', 'loopback'],
    ['::1', 'loopback'],
    ['[::1]', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['[::ffff:127.0.0.1]', 'loopback'],
    ['64:ff9b::7f00:1', 'loopback'],
    ['169.254.169.254', 'metadata'],
    ['fd00:ec2::254', 'metadata'],
    ['10.0.0.1', 'private'],
    ['100.64.0.1', 'cgnat'],
    ['fe80::1%lo', 'link_local'],
    ['fc00::1', 'ula'],
    ['0.0.0.0', 'unspecified'],
    ['224.0.0.1', 'multicast'],
  ])('refuses %s (%s) synchronously, before any socket', async (host, reason) => {
    const err = await connect(host);
    expect(err).toBeInstanceOf(EgressBlockedError);
    expect(err).toMatchObject({ code: 'EGRESS_BLOCKED', status: 403, reason, host });
  });
});

describe('assertUrlAllowed', () => {
  const policy = new EgressPolicy('127.0.0.2/32');

  it.each([
    'http://127.0.0.1:8080/',
    'http://2130706433/',
    'http://0x7f000001/',
    'http://0177.0.0.1/',
    'http://127.1/',
    'http://0x7f.1/',
    'http://[::1]/',
    'http://[::ffff:127.0.0.1]/',
    'http://169.254.169.254/latest/meta-data/',
    'http://[fd00:ec2::254]/',
    'https://10.0.0.1/',
    'http://localhost:3000/',
    'http://api.localhost/',
    'http://LOCALHOST./',
  ])('refuses %s', (url) => {
    expect(() => assertUrlAllowed(url, policy)).toThrow(EgressBlockedError);
  });

  it('refuses non-http protocols', () => {
    expect(() => assertUrlAllowed('file:///etc/passwd', policy)).toThrow(expect.objectContaining({ reason: 'unsupported_protocol' }));
    expect(() => assertUrlAllowed('gopher://8.8.8.8/', policy)).toThrow(EgressBlockedError);
  });

  it('allows public literals, DNS names (checked at connect) and the allowlist; resolves relative Locations', () => {
    expect(assertUrlAllowed('https://8.8.8.8/x', policy).hostname).toBe('8.8.8.8');
    expect(assertUrlAllowed('https://api.example.com/v1', policy).hostname).toBe('api.example.com');
    expect(assertUrlAllowed('http://127.0.0.2:9/', policy).port).toBe('9');
    expect(assertUrlAllowed('/next', policy, 'http://127.0.0.2:9/a').href).toBe('http://127.0.0.2:9/next');
    expect(() => assertUrlAllowed('//127.0.0.1/next', policy, 'http://127.0.0.2:9/a')).toThrow(EgressBlockedError);
  });

  it('localhost is allowed only when the policy opens loopback', () => {
    expect(() => assertUrlAllowed('http://localhost/', new EgressPolicy('127.0.0.0/8'))).not.toThrow();
  });
});
