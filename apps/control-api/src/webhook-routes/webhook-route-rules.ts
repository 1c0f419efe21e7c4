import { randomBytes } from 'node:crypto';
import type { FieldError } from '@orch/contracts';
import type { WebhookTarget, WebhookVerification } from '@orch/data';
import type { OrchEnv } from '@orch/platform';

export const WEBHOOK_PROVIDERS = ['stripe', 'standard-webhooks', 'hmac-sha256'] as const;
export type WebhookProvider = (typeof WEBHOOK_PROVIDERS)[number];

export const TARGET_KINDS = ['forward', 'connector', 'store'] as const;
export const SIGNATURE_ENCODINGS = ['hex', 'base64'] as const;

/** `$.id`, `$.data.object.id`, `$.events[0].id`. */
export const EVENT_ID_PATH_PATTERN = /^\$(\.[A-Za-z0-9_-]+|\[\d{1,4}\])+$/;
export const HEADER_NAME_PATTERN = /^[A-Za-z0-9-]{1,64}$/;

export const DEFAULT_ROTATION_GRACE_SECONDS = 86_400;
export const MAX_ROTATION_GRACE_SECONDS = 7 * 86_400;
/** Signed timestamps of stripe and standard-webhooks may be this far off (DESIGN §4). */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

/** 32 random bytes, base64url: 256 bits, so a route cannot be found by guessing. */
export function generateRouteKey(random: (size: number) => Buffer = randomBytes): string {
  return random(32).toString('base64url');
}

export function ingressPath(provider: string, routeKey: string): string {
  return `/v1/webhooks/${provider}/${routeKey}`;
}

export interface HmacVerificationInput {
  header_name: string;
  encoding: 'hex' | 'base64';
  event_id_path: string;
  prefix?: string;
}

export interface TargetInput {
  kind: string;
  url?: string;
  connector?: string;
  operation?: string;
}

/** Only hmac-sha256 is configurable (and must be); stripe and standard-webhooks fix their headers. */
export function verificationProblems(provider: string, verification: HmacVerificationInput | undefined): FieldError[] {
  if (provider === 'hmac-sha256' && verification === undefined) return [{ path: '/verification', message: 'is required for hmac-sha256 (header_name, encoding, event_id_path)' }];
  if (provider !== 'hmac-sha256' && verification !== undefined) return [{ path: '/verification', message: `is only for hmac-sha256; ${provider} has a fixed scheme` }];
  return [];
}

/** What the ingress reads: the scheme with its parameters. */
export function toStoredVerification(provider: WebhookProvider, verification: HmacVerificationInput | undefined): WebhookVerification {
  switch (provider) {
    case 'stripe':
    case 'standard-webhooks':
      return { scheme: provider, tolerance_seconds: SIGNATURE_TOLERANCE_SECONDS };
    case 'hmac-sha256':
      return {
        scheme: 'hmac-sha256',
        header: verification?.header_name.toLowerCase(),
        encoding: verification?.encoding,
        event_id_path: verification?.event_id_path,
        ...(verification?.prefix !== undefined ? { prefix: verification.prefix } : {}),
      };
  }
}

/** Forward targets: https, or plain http in dev and test deployments only; no credentials in the URL. */
export function forwardUrlProblem(raw: string, env: OrchEnv): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be an absolute URL';
  }
  const httpAllowed = env === 'dev' || env === 'test';
  if (url.protocol !== 'https:' && !(httpAllowed && url.protocol === 'http:')) return httpAllowed ? 'must be an http(s) URL' : 'must be an https URL';
  if (url.username || url.password) return 'must not carry credentials (use a connector with a secret ref)';
  return null;
}

/** The target's shape per kind, with paths under /target; existence of a connector is checked by the caller. */
export function targetProblems(target: TargetInput, env: OrchEnv): FieldError[] {
  const problems: FieldError[] = [];
  const allowed: Record<string, readonly string[]> = { forward: ['url'], connector: ['connector', 'operation'], store: [] };
  const fields = allowed[target.kind];
  if (!fields) return [{ path: '/target/kind', message: `must be one of ${TARGET_KINDS.join(', ')}` }];
  for (const field of ['url', 'connector', 'operation'] as const) {
    const present = target[field] !== undefined;
    if (fields.includes(field) && !present) problems.push({ path: `/target/${field}`, message: `is required for kind ${target.kind}` });
    if (!fields.includes(field) && present) problems.push({ path: `/target/${field}`, message: `is not allowed for kind ${target.kind}` });
  }
  if (target.kind === 'forward' && target.url !== undefined) {
    const problem = forwardUrlProblem(target.url, env);
    if (problem) problems.push({ path: '/target/url', message: problem });
  }
  return problems;
}

export function toStoredTarget(target: TargetInput): WebhookTarget {
  switch (target.kind) {
    case 'forward':
      return { kind: 'forward', url: target.url ?? '' };
    case 'connector':
      return { kind: 'connector', connector: target.connector ?? '', operation: target.operation ?? '' };
    default:
      return { kind: 'store' };
  }
}
