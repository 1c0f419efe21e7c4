import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { getMetadataStorage, type ValidationError, validateSync } from 'class-validator';
import { ConfigError } from './config-error';
import { secretKeysOf } from './secret.decorator';

type Env = Record<string, string | undefined>;

/**
 * Validates the environment once, at boot, into a typed config object. Unknown variables are
 * ignored (the environment holds much else); known ones must be valid, and those without a
 * default must be present. Empty strings count as absent.
 */
export function loadConfig<T extends object>(configClass: new () => T, env: Env = process.env): T {
  const defaults = new configClass() as Record<string, unknown>;
  const plain: Record<string, unknown> = {};
  for (const key of Object.keys(defaults).concat(declaredKeys(configClass))) {
    const value = env[key];
    if (value !== undefined && value !== '') plain[key] = value;
  }
  const config = plainToInstance(configClass, plain, { exposeDefaultValues: true });
  const errors = validateSync(config, { forbidUnknownValues: false });
  if (errors.length > 0) throw new ConfigError(errors.map(describeProblem));
  return config;
}

function declaredKeys(configClass: new () => object): string[] {
  // Required variables have no initialiser, so they only show up in class-validator's metadata.
  const metadata = getMetadataStorage().getTargetValidationMetadatas(configClass, '', true, false);
  return [...new Set(metadata.map((m) => m.propertyName))];
}

function describeProblem(error: ValidationError): { variable: string; problem: string } {
  const constraints = Object.values(error.constraints ?? {});
  const missing = error.value === undefined;
  return {
    variable: error.property,
    problem: missing ? 'is required but not set' : `${constraints.join('; ')}`.replace(new RegExp(`^${error.property} `), ''),
  };
}

/** The config with secrets and URL passwords hidden, for the one boot log line. */
export function describeConfig(config: object): Record<string, unknown> {
  const secrets = secretKeysOf(config);
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    if (secrets.has(key)) out[key] = value === undefined ? undefined : '[redacted]';
    else if (typeof value === 'string' && /^[a-z]+:\/\/[^/]*@/i.test(value)) out[key] = redactUrlPassword(value);
    else out[key] = value;
  }
  return out;
}

function redactUrlPassword(value: string): string {
  try {
    const url = new URL(value);
    if (url.password) url.password = 'redacted';
    return url.toString();
  } catch {
    return '[unparseable url]';
  }
}
