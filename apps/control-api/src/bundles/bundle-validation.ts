import { type ConnectorTypeRegistry, type SchemaValidator, validateConnectorConfig } from '@orch/connectors';
import type { FieldError } from '@orch/contracts';
import { DEFAULT_POLICY, type WebhookTarget, type WebhookVerification } from '@orch/data';
import type { OrchEnv } from '@orch/platform';
import { isReservedEnvName, parseSecretRef } from '@orch/secrets';
import { canonicalSize, configChecksum, MAX_CONFIG_DATA_BYTES } from '../configs/config-version';
import { defaultPolicyShape, mergePolicy, type PolicyPatch, type PolicyShape, policyProblems } from '../policies/policy-shape';
import { type HmacVerificationInput, type TargetInput, targetProblems, toStoredTarget, toStoredVerification, verificationProblems, type WebhookProvider } from '../webhook-routes/webhook-route-rules';
import { isServedName, workspaceSuffixOf } from '../workspaces/workspace-environment';
import { BUNDLE_SCHEMA } from './bundle-schema';

/** Key of a connector's own secret ref (the bundle's top-level `secret_ref`): not a config pointer, so it cannot clash with one. */
export const CONNECTOR_REF_KEY = 'secret_ref';

/** A bundle item checked and normalised: what the workspace should hold. `at` is its JSON Pointer in the request. */
export interface DesiredPolicy {
  at: string;
  name: string;
  shape: PolicyShape;
}
export interface DesiredSecretRef {
  at: string;
  name: string;
  ref: string;
}
export interface DesiredConnector {
  at: string;
  name: string;
  type: string;
  policy: string;
  config: Record<string, unknown>;
  /** Config pointer (or CONNECTOR_REF_KEY) → secret ref name, as ConnectorEntity.secretRefs. */
  secretRefs: Record<string, string>;
  /** Where each named ref appears in the request, to point at a missing one. */
  refUses: Array<{ path: string; name: string }>;
}
export interface DesiredConfig {
  at: string;
  name: string;
  version: string;
  data: Record<string, unknown>;
  checksum: string;
  activate: boolean;
}
export interface DesiredWebhookRoute {
  at: string;
  /** provider:(provider_account_id or signing_secret_ref): how a route is recognised across deployments (route keys differ). */
  key: string;
  provider: WebhookProvider;
  signingSecretRef: string;
  providerAccountId: string | null;
  verification: WebhookVerification;
  target: WebhookTarget;
  enabled: boolean;
}
export interface DesiredBundle {
  tenant: { name: string };
  policies: DesiredPolicy[];
  secretRefs: DesiredSecretRef[];
  connectors: DesiredConnector[];
  configs: DesiredConfig[];
  webhookRoutes: DesiredWebhookRoute[];
  /** Validated, never created (client secrets cannot travel in a bundle). */
  serviceIdentities: Array<{ name: string }>;
}

export interface BundleValidationDeps {
  validator: SchemaValidator;
  types: ConnectorTypeRegistry;
  env: OrchEnv;
}

type Section = 'timeout' | 'retry' | 'circuit_breaker' | 'rate_limit';
const SECTIONS: readonly Section[] = ['timeout', 'retry', 'circuit_breaker', 'rate_limit'];

/* Raw shapes after BUNDLE_SCHEMA passed. */
type RawPolicy = { name: string; degradation?: PolicyShape['degradation'] } & { [K in Section | `${Section}_json`]?: Record<string, unknown> };
interface RawConnector {
  name: string;
  type: string;
  policy?: string;
  config?: Record<string, unknown>;
  secret_ref?: string;
}
interface RawRoute {
  provider: WebhookProvider;
  signing_secret_ref: string;
  provider_account_id?: string;
  verification?: HmacVerificationInput;
  target: TargetInput;
  enabled?: boolean;
}
interface RawBundle {
  tenant: { name: string };
  policies?: RawPolicy[];
  secret_refs?: Array<{ name: string; ref: string }>;
  connectors?: RawConnector[];
  configs?: Array<{ name: string; version: string; data: Record<string, unknown>; activate?: boolean }>;
  webhook_routes?: RawRoute[];
  service_identities?: Array<{ name: string }>;
}

/**
 * The bundle on its own (no database): shape, per-item rules of each resource (the same helpers
 * as their APIs), and duplicates. Every problem is reported at its JSON Pointer under `base`.
 */
export function validateBundle(raw: unknown, deps: BundleValidationDeps, base = '/bundle'): { bundle: DesiredBundle | null; errors: FieldError[] } {
  const shaped = deps.validator.validate<RawBundle>(BUNDLE_SCHEMA, raw, base);
  if (shaped.errors.length > 0) return { bundle: null, errors: shaped.errors };
  const doc = shaped.value;
  const errors: FieldError[] = [];

  if (!isServedName(doc.tenant.name, deps.env)) {
    errors.push({ path: `${base}/tenant/name`, message: `must end with ${workspaceSuffixOf(deps.env)}: this ${deps.env} deployment serves only those workspaces` });
  }

  const policies = (doc.policies ?? []).map((policy, i) => normalisePolicy(policy, `${base}/policies/${i}`, errors));
  const secretRefs = (doc.secret_refs ?? []).map((item, i) => {
    const at = `${base}/secret_refs/${i}`;
    const parsed = parseSecretRef(item.ref);
    if (parsed?.kind === 'env' && isReservedEnvName(parsed.name)) errors.push({ path: `${at}/ref`, message: `${parsed.name} is reserved for the orchestrator's own configuration` });
    return { at, name: item.name, ref: item.ref };
  });
  const connectors = (doc.connectors ?? []).flatMap((item, i) => normaliseConnector(item, `${base}/connectors/${i}`, deps, errors));
  const configs = (doc.configs ?? []).map((item, i) => {
    const at = `${base}/configs/${i}`;
    const size = canonicalSize(item.data);
    if (size > MAX_CONFIG_DATA_BYTES) errors.push({ path: `${at}/data`, message: `must be at most ${MAX_CONFIG_DATA_BYTES} bytes as canonical JSON (is ${size})` });
    return { at, name: item.name, version: item.version, data: item.data, checksum: configChecksum(item.data), activate: item.activate === true };
  });
  const webhookRoutes = (doc.webhook_routes ?? []).map((item, i) => normaliseRoute(item, `${base}/webhook_routes/${i}`, deps.env, errors));
  const serviceIdentities = (doc.service_identities ?? []).map((item) => ({ name: item.name }));

  duplicates(policies, (p) => p.name, (p) => `${p.at}/name`, errors);
  duplicates(secretRefs, (r) => r.name, (r) => `${r.at}/name`, errors);
  duplicates(connectors, (c) => c.name, (c) => `${c.at}/name`, errors);
  duplicates(configs, (c) => `${c.name}@${c.version}`, (c) => `${c.at}/version`, errors);
  duplicates(
    configs.filter((c) => c.activate),
    (c) => c.name,
    (c) => `${c.at}/activate`,
    errors,
    'activates a second version of the same config',
  );
  duplicates(webhookRoutes, (r) => r.key, (r) => r.at, errors, 'is the same route (provider and provider_account_id, or signing_secret_ref) as an earlier one');
  duplicates(
    (doc.service_identities ?? []).map((item, i) => ({ name: item.name, at: `${base}/service_identities/${i}` })),
    (s) => s.name,
    (s) => `${s.at}/name`,
    errors,
  );

  if (errors.length > 0) return { bundle: null, errors };
  return { bundle: { tenant: { name: doc.tenant.name }, policies, secretRefs, connectors, configs, webhookRoutes, serviceIdentities }, errors: [] };
}

/**
 * `<section>` or its seed alias `<section>_json`, over the documented defaults. A timeout that
 * gives only total_ms lowers the default connect/read timeouts to it (the seed's
 * `{total_ms: 5000}` would otherwise be below the default read_ms and be refused).
 */
function normalisePolicy(raw: RawPolicy, at: string, errors: FieldError[]): DesiredPolicy {
  const patch: PolicyPatch = { degradation: raw.degradation };
  const keyOf: Record<Section, string> = { timeout: 'timeout', retry: 'retry', circuit_breaker: 'circuit_breaker', rate_limit: 'rate_limit' };
  for (const section of SECTIONS) {
    const plain = raw[section];
    const alias = raw[`${section}_json`];
    if (plain !== undefined && alias !== undefined) errors.push({ path: `${at}/${section}_json`, message: `give ${section} or ${section}_json, not both` });
    if (alias !== undefined) keyOf[section] = `${section}_json`;
    (patch as Record<string, unknown>)[section] = plain ?? alias;
  }
  const timeout = patch.timeout;
  if (timeout?.total_ms !== undefined) {
    const total = timeout.total_ms;
    patch.timeout = { connect_ms: Math.min(DEFAULT_POLICY.timeout.connect_ms, total), read_ms: Math.min(DEFAULT_POLICY.timeout.read_ms, total), ...timeout };
  }
  const shape = mergePolicy(defaultPolicyShape(), patch);
  for (const problem of policyProblems(shape)) {
    const [, section, ...rest] = problem.path.split('/');
    errors.push({ path: `${at}/${[keyOf[section as Section] ?? section, ...rest].join('/')}`, message: problem.message });
  }
  return { at, name: raw.name, shape };
}

function normaliseConnector(raw: RawConnector, at: string, deps: BundleValidationDeps, errors: FieldError[]): DesiredConnector[] {
  const definition = deps.types.get(raw.type);
  if (!definition) {
    errors.push({ path: `${at}/type`, message: `is not a known connector type (${deps.types.list().map((t) => t.type).join(', ')})` });
    return [];
  }
  const configAt = `${at}/config`;
  const validation = validateConnectorConfig(deps.validator, definition, raw.config ?? {}, configAt);
  errors.push(...validation.errors);
  const secretRefs: Record<string, string> = Object.fromEntries(validation.secretRefs.map((ref) => [ref.path.slice(configAt.length), ref.name]));
  const refUses = [...validation.secretRefs];
  if (raw.secret_ref !== undefined) {
    secretRefs[CONNECTOR_REF_KEY] = raw.secret_ref;
    refUses.push({ path: `${at}/secret_ref`, name: raw.secret_ref });
  }
  return [{ at, name: raw.name, type: definition.type, policy: raw.policy ?? DEFAULT_POLICY.name, config: validation.config, secretRefs, refUses }];
}

function normaliseRoute(raw: RawRoute, at: string, env: OrchEnv, errors: FieldError[]): DesiredWebhookRoute {
  for (const problem of [...verificationProblems(raw.provider, raw.verification), ...targetProblems(raw.target, env)]) {
    errors.push({ path: `${at}${problem.path}`, message: problem.message });
  }
  const providerAccountId = raw.provider_account_id ?? null;
  return {
    at,
    key: `${raw.provider}:${providerAccountId ?? raw.signing_secret_ref}`,
    provider: raw.provider,
    signingSecretRef: raw.signing_secret_ref,
    providerAccountId,
    verification: toStoredVerification(raw.provider, raw.verification),
    target: toStoredTarget(raw.target),
    enabled: raw.enabled ?? true,
  };
}

function duplicates<T>(items: readonly T[], keyOf: (item: T) => string, pathOf: (item: T) => string, errors: FieldError[], message = 'is given twice in the bundle'): void {
  const seen = new Set<string>();
  for (const item of items) {
    const key = keyOf(item);
    if (seen.has(key)) errors.push({ path: pathOf(item), message });
    seen.add(key);
  }
}
