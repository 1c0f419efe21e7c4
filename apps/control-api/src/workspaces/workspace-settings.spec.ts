import { DEFAULT_WORKSPACE_SETTINGS } from '@orch/data';
import { effectiveSettings, mergeSettings } from './workspace-settings';

describe('mergeSettings', () => {
  it('fills every value from the defaults when nothing is given', () => {
    expect(mergeSettings(DEFAULT_WORKSPACE_SETTINGS, undefined)).toEqual(DEFAULT_WORKSPACE_SETTINGS);
  });

  it('replaces only the given values, one level into quotas', () => {
    const merged = mergeSettings(DEFAULT_WORKSPACE_SETTINGS, { quotas: { rps: 7 }, retention_days: 3 });
    expect(merged).toEqual({ quotas: { ...DEFAULT_WORKSPACE_SETTINGS.quotas, rps: 7 }, retention_days: 3 });
  });

  it('never writes into the shared defaults', () => {
    const merged = mergeSettings(DEFAULT_WORKSPACE_SETTINGS, { quotas: { concurrency: 1 } });
    merged.quotas.rps = 1;
    expect(DEFAULT_WORKSPACE_SETTINGS.quotas.rps).not.toBe(1);
  });
});

describe('effectiveSettings', () => {
  it('fills the defaults into a row stored with empty settings', () => {
    expect(effectiveSettings({})).toEqual(DEFAULT_WORKSPACE_SETTINGS);
    expect(effectiveSettings({ quotas: { rps: 2 } as never }).quotas).toEqual({ ...DEFAULT_WORKSPACE_SETTINGS.quotas, rps: 2 });
  });
});
