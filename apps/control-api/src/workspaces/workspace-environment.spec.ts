import { isServedName, workspaceSuffixOf } from './workspace-environment';

describe('workspaceSuffixOf', () => {
  it('serves -dev in dev and test, -prod in prod', () => {
    expect(workspaceSuffixOf('dev')).toBe('-dev');
    expect(workspaceSuffixOf('test')).toBe('-dev');
    expect(workspaceSuffixOf('prod')).toBe('-prod');
  });
});

describe('isServedName', () => {
  it('accepts a name with the environment suffix and something before it', () => {
    expect(isServedName('acme-dev', 'dev')).toBe(true);
    expect(isServedName('acme-prod', 'prod')).toBe(true);
  });

  it('refuses the other environment, a bare suffix and look-alikes', () => {
    expect(isServedName('acme-prod', 'dev')).toBe(false);
    expect(isServedName('acme-dev', 'prod')).toBe(false);
    expect(isServedName('-dev', 'test')).toBe(false);
    expect(isServedName('acmedev', 'dev')).toBe(false);
    expect(isServedName('acme-dev-x', 'dev')).toBe(false);
  });
});
