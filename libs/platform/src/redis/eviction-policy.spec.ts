import { evictionPolicyVerdict } from './eviction-policy';

describe('evictionPolicyVerdict', () => {
  it('accepts noeviction everywhere', () => {
    for (const env of ['dev', 'test', 'prod'] as const) expect(evictionPolicyVerdict('noeviction', env)).toEqual({ action: 'ok' });
  });

  it('refuses an evicting policy in prod and warns in dev', () => {
    expect(evictionPolicyVerdict('allkeys-lru', 'prod')).toEqual({ action: 'refuse', message: expect.stringContaining('allkeys-lru') });
    expect(evictionPolicyVerdict('allkeys-lru', 'dev')).toEqual({ action: 'warn', message: expect.stringContaining('noeviction') });
  });

  it('treats an unreadable policy as unsafe', () => {
    expect(evictionPolicyVerdict(undefined, 'prod').action).toBe('refuse');
    expect(evictionPolicyVerdict(undefined, 'dev').action).toBe('warn');
  });
});
