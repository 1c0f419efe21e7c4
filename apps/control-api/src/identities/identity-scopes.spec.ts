import { grantedScopes, scopeProblems } from './identity-scopes';

describe('scopeProblems', () => {
  it('accepts the scopes of the audience', () => {
    expect(scopeProblems('orchestrator-exec', ['execute', 'jobs:read'])).toEqual([]);
    expect(scopeProblems('orchestrator-control', ['workspace:read', 'identities:write'])).toEqual([]);
  });

  it('points at each scope of the other audience or of none', () => {
    expect(scopeProblems('orchestrator-exec', ['execute', 'workspace:read', 'bogus'])).toEqual([
      { path: '/scopes/1', message: expect.stringContaining('workspace:read') },
      { path: '/scopes/2', message: expect.stringContaining('bogus') },
    ]);
    expect(scopeProblems('orchestrator-control', ['execute'])).toEqual([{ path: '/scopes/0', message: expect.any(String) }]);
  });
});

describe('grantedScopes', () => {
  const identity = ['execute', 'jobs:read', 'jobs:write'];

  it('grants every scope of the identity when none is requested', () => {
    expect(grantedScopes(identity, undefined)).toEqual(identity);
    expect(grantedScopes(identity, '  ')).toEqual(identity);
  });

  it('grants a requested subset, once each', () => {
    expect(grantedScopes(identity, 'jobs:read  execute jobs:read')).toEqual(['jobs:read', 'execute']);
  });

  it('refuses a scope the identity lacks', () => {
    expect(grantedScopes(identity, 'execute events:read')).toBeNull();
  });
});
