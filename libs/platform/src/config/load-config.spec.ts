import { IsString } from 'class-validator';
import { ServiceConfig } from './base-config';
import { ConfigError } from './config-error';
import { describeConfig, loadConfig } from './load-config';
import { Secret } from './secret.decorator';

class SampleConfig extends ServiceConfig {
  @Secret()
  @IsString()
  MASTER_KEY!: string;
}

const valid = { DATABASE_URL: 'postgres://app:pw@127.0.0.1:5432/db', REDIS_URL: 'redis://127.0.0.1:6379', MASTER_KEY: 'k' };

describe('loadConfig', () => {
  it('applies defaults and converts numbers', () => {
    const config = loadConfig(SampleConfig, { ...valid, BODY_LIMIT_BYTES: '2048' });
    expect(config).toBeInstanceOf(SampleConfig);
    expect(config.BODY_LIMIT_BYTES).toBe(2048);
    expect(config.ORCH_ENV).toBe('dev');
    expect(config.REDIS_KEY_PREFIX).toBe('orch:');
  });

  it('names every missing and invalid variable', () => {
    try {
      loadConfig(SampleConfig, { REDIS_URL: 'http://wrong', ORCH_ENV: 'staging', BODY_LIMIT_BYTES: 'lots' });
      throw new Error('expected a ConfigError');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const variables = (error as ConfigError).problems.map((p) => p.variable).sort();
      expect(variables).toEqual(['BODY_LIMIT_BYTES', 'DATABASE_URL', 'MASTER_KEY', 'ORCH_ENV', 'REDIS_URL']);
      expect((error as ConfigError).message).toContain('DATABASE_URL: is required but not set');
    }
  });

  it('treats an empty variable as unset', () => {
    expect(() => loadConfig(SampleConfig, { ...valid, DATABASE_URL: '' })).toThrow(/DATABASE_URL/);
  });
});

describe('describeConfig', () => {
  it('hides secrets and URL passwords', () => {
    const described = describeConfig(loadConfig(SampleConfig, valid));
    expect(described['MASTER_KEY']).toBe('[redacted]');
    expect(described['DATABASE_URL']).toBe('postgres://app:redacted@127.0.0.1:5432/db');
    expect(JSON.stringify(described)).not.toContain(':pw@');
  });
});

describe('AUTH_MODE', () => {
  it('is enabled by default and may be disabled only in dev', () => {
    expect(loadConfig(SampleConfig, valid).AUTH_MODE).toBe('enabled');
    expect(loadConfig(SampleConfig, { ...valid, AUTH_MODE: 'disabled', ORCH_ENV: 'dev' }).AUTH_MODE).toBe('disabled');
    expect(() => loadConfig(SampleConfig, { ...valid, AUTH_MODE: 'disabled', ORCH_ENV: 'prod' })).toThrow(/AUTH_MODE: may be "disabled" only when ORCH_ENV=dev/);
    expect(() => loadConfig(SampleConfig, { ...valid, AUTH_MODE: 'disabled', ORCH_ENV: 'test' })).toThrow(/AUTH_MODE/);
  });
});
