import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, IsString, IsUrl, Matches, Max, Min } from 'class-validator';
import { BaseConfig, Secret } from '@orch/platform';
import { defaultSpaDir } from './spa/spa-dir';

const LOOPBACK_OR_HOST_URL = { require_tld: false, require_protocol: true, protocols: ['http', 'https'] };

/** The longest an operator session may last, whatever CONSOLE_SESSION_TTL_SECONDS says. */
export const MAX_SESSION_TTL_SECONDS = 24 * 60 * 60;

/** `true`/`false` (also `1`/`0`, `yes`/`no`); anything else stays a string and fails @IsBoolean. */
function toBoolean({ value }: { value: unknown }): unknown {
  if (typeof value !== 'string') return value;
  const normalised = value.trim().toLowerCase();
  if (['true', '1', 'yes'].includes(normalised)) return true;
  if (['false', '0', 'no'].includes(normalised)) return false;
  return value;
}

/** The BFF owns no Postgres: Redis (readiness, operator sessions) and its two upstream APIs. */
export class ConsoleConfig extends BaseConfig {
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(65535)
  CONSOLE_PORT = 4002;

  @IsUrl(LOOPBACK_OR_HOST_URL)
  CONTROL_API_URL = 'http://127.0.0.1:4000';

  @IsUrl(LOOPBACK_OR_HOST_URL)
  EXEC_API_URL = 'http://127.0.0.1:4001';

  /**
   * The public base URL of webhook-ingress, shown to operators next to a webhook route (the URL to
   * give the provider is `<this>/v1/webhooks/<provider>/<route_key>`); unset = only the path is shown.
   */
  @IsOptional()
  @IsUrl(LOOPBACK_OR_HOST_URL)
  CONSOLE_WEBHOOK_INGRESS_URL?: string;

  /** The built SPA (index.html + assets/). */
  @IsString()
  CONSOLE_SPA_DIR = defaultSpaDir();

  /** control-api's JWKS: every operator token the BFF holds is verified against it. */
  @IsUrl(LOOPBACK_OR_HOST_URL)
  ORCH_JWKS_URL = 'http://127.0.0.1:4000/.well-known/jwks.json';

  /** The `iss` control-api signs with. */
  @IsString()
  ORCH_JWT_ISSUER = 'orchestrator';

  /** Lifetime of an operator session (Redis TTL and cookie Max-Age), fixed at login. */
  @Type(() => Number)
  @IsInt()
  @Min(60)
  @Max(MAX_SESSION_TTL_SECONDS)
  CONSOLE_SESSION_TTL_SECONDS = 43200;

  /** Whether the session cookie carries `Secure`. Unset = true when ORCH_ENV=prod, false otherwise. */
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  CONSOLE_COOKIE_SECURE?: boolean;

  /**
   * Seed gate A: comma-separated CIDRs (IPv4/IPv6) allowed to reach the console at all; unset =
   * any address. Checked on the TCP peer address, or on the last X-Forwarded-For entry (the one
   * the proxy in front wrote) when CONSOLE_GATE_TRUST_PROXY is true.
   */
  @IsOptional()
  @IsString()
  CONSOLE_ALLOW_CIDRS?: string;

  /** Behind one reverse proxy: take the client address for CONSOLE_ALLOW_CIDRS from its X-Forwarded-For entry. */
  @Transform(toBoolean)
  @IsBoolean()
  CONSOLE_GATE_TRUST_PROXY = false;

  /** Seed gate A: `user:password` HTTP basic auth in front of the whole console; unset = none. */
  @Secret()
  @IsOptional()
  @IsString()
  @Matches(/^[^:]+:.+$/, { message: 'CONSOLE_BASIC_AUTH must be user:password' })
  CONSOLE_BASIC_AUTH?: string;

  /** How long a proxied call may wait for control-api's or exec-api's response headers (ms). */
  @Type(() => Number)
  @IsInt()
  @Min(1000)
  @Max(300_000)
  CONSOLE_PROXY_TIMEOUT_MS = 60_000;
}

/** CONSOLE_COOKIE_SECURE, or its default for the environment. */
export function cookieSecure(config: ConsoleConfig): boolean {
  return config.CONSOLE_COOKIE_SECURE ?? config.ORCH_ENV === 'prod';
}
