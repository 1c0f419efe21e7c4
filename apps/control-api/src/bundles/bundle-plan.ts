import { canonicalJson } from '@orch/auth';
import type { FieldError } from '@orch/contracts';
import type { ConfigEntity, SecretRefEntity, WebhookRouteEntity } from '@orch/data';
import type { PolicyShape } from '../policies/policy-shape';
import type { DesiredBundle, DesiredConfig, DesiredConnector, DesiredPolicy, DesiredSecretRef, DesiredWebhookRoute } from './bundle-validation';

export type PlanItemKind = 'policy' | 'secret_ref' | 'connector' | 'config' | 'config_activation' | 'webhook_route';

export interface PlanChange {
  path: string;
  before: unknown;
  after: unknown;
}

export interface BundlePlan {
  workspace: { name: string; id?: string; action: 'create' | 'unchanged' };
  create: Array<{ kind: PlanItemKind; name: string; after: Record<string, unknown> }>;
  update: Array<{ kind: PlanItemKind; name: string; diff: PlanChange[] }>;
  unchanged: Array<{ kind: PlanItemKind; name: string }>;
}

/** What the workspace holds now, keyed as the bundle keys its items. */
export interface CurrentState {
  workspace: { id: string; name: string } | null;
  /** A workspace about to be created counts as holding its `default` policy (created with it). */
  policies: Map<string, { id: string | null; shape: PolicyShape }>;
  secretRefs: Map<string, SecretRefEntity>;
  connectors: Map<string, { id: string; type: string; policy: string; config: Record<string, unknown>; secretRefs: Record<string, string> }>;
  /** `name@version` → version. */
  configs: Map<string, ConfigEntity>;
  /** Config name → its active version. */
  activeVersions: Map<string, string>;
  /** DesiredWebhookRoute.key → route. */
  routes: Map<string, WebhookRouteEntity>;
  /** `provider:account` used by routes of other workspaces (unique per provider across the deployment). */
  accountsElsewhere: Set<string>;
}

/** One change the apply step performs, with the plan entry it realises. */
export type PlannedAction =
  | { kind: 'policy'; item: DesiredPolicy; current: { id: string | null; shape: PolicyShape } | undefined }
  | { kind: 'secret_ref'; item: DesiredSecretRef; current: SecretRefEntity | undefined }
  | { kind: 'connector'; item: DesiredConnector; currentId: string | undefined; before: Record<string, unknown> | undefined }
  | { kind: 'config'; item: DesiredConfig }
  | { kind: 'config_activation'; item: DesiredConfig; fromVersion: string | null }
  | { kind: 'webhook_route'; item: DesiredWebhookRoute; current: WebhookRouteEntity | undefined };

export const policyView = (shape: PolicyShape): Record<string, unknown> => ({ ...shape });
export const connectorView = (c: { type: string; policy: string; config: Record<string, unknown>; secretRefs: Record<string, string> }): Record<string, unknown> => ({
  type: c.type,
  policy: c.policy,
  config: c.config,
  secret_refs: c.secretRefs,
});
export const routeView = (r: { provider: string; providerAccountId: string | null; signingSecretRef: string; verification: unknown; target: unknown; enabled: boolean }): Record<string, unknown> => ({
  provider: r.provider,
  provider_account_id: r.providerAccountId,
  signing_secret_ref: r.signingSecretRef,
  verification: r.verification,
  target: r.target,
  enabled: r.enabled,
});

/** Leaf differences of two JSON values: objects are walked, anything else (arrays too) compared whole. */
export function diffValues(before: unknown, after: unknown, path = ''): PlanChange[] {
  if (isPlainObject(before) && isPlainObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((key) => diffValues(before[key], after[key], `${path}/${escapePointer(key)}`));
  }
  if (canonicalJson(before ?? null) === canonicalJson(after ?? null)) return [];
  return [{ path: path || '/', before: before ?? null, after: after ?? null }];
}

/** What the bundle names must exist (in the bundle or the workspace); versions that exist must be the same data. */
export function crossCheck(desired: DesiredBundle, current: CurrentState): FieldError[] {
  const errors: FieldError[] = [];
  const policies = new Set([...current.policies.keys(), ...desired.policies.map((p) => p.name)]);
  const refs = new Set([...current.secretRefs.keys(), ...desired.secretRefs.map((r) => r.name)]);
  const connectors = new Set([...current.connectors.keys(), ...desired.connectors.map((c) => c.name)]);

  for (const connector of desired.connectors) {
    if (!policies.has(connector.policy)) errors.push({ path: `${connector.at}/policy`, message: `no policy named ${connector.policy} in the bundle or the workspace` });
    for (const use of connector.refUses) {
      if (!refs.has(use.name)) errors.push({ path: use.path, message: `no secret ref named ${use.name} in the bundle or the workspace` });
    }
    const existing = current.connectors.get(connector.name);
    if (existing && existing.type !== connector.type) errors.push({ path: `${connector.at}/type`, message: `is ${existing.type} in the workspace; a connector's type cannot change` });
  }
  for (const config of desired.configs) {
    const existing = current.configs.get(`${config.name}@${config.version}`);
    if (existing && existing.checksum !== config.checksum) {
      errors.push({ path: `${config.at}/data`, message: `differs from the existing version ${config.version} of config ${config.name}; versions are immutable, give a new version` });
    }
  }
  for (const route of desired.webhookRoutes) {
    if (!refs.has(route.signingSecretRef)) errors.push({ path: `${route.at}/signing_secret_ref`, message: `no secret ref named ${route.signingSecretRef} in the bundle or the workspace` });
    if (route.target.kind === 'connector' && !connectors.has(route.target.connector)) {
      errors.push({ path: `${route.at}/target/connector`, message: `no connector named ${route.target.connector} in the bundle or the workspace` });
    }
    if (route.providerAccountId !== null && current.accountsElsewhere.has(`${route.provider}:${route.providerAccountId}`)) {
      errors.push({ path: `${route.at}/provider_account_id`, message: `is used by a ${route.provider} route of another workspace` });
    }
  }
  return errors;
}

/** Desired vs current, item by item, in the order the apply step writes them. */
export function buildPlan(desired: DesiredBundle, current: CurrentState): { plan: BundlePlan; actions: PlannedAction[] } {
  const plan: BundlePlan = {
    workspace: current.workspace ? { name: current.workspace.name, id: current.workspace.id, action: 'unchanged' } : { name: desired.tenant.name, action: 'create' },
    create: [],
    update: [],
    unchanged: [],
  };
  const actions: PlannedAction[] = [];
  const compare = (kind: PlanItemKind, name: string, before: Record<string, unknown> | undefined, after: Record<string, unknown>, action: PlannedAction): void => {
    if (before === undefined) {
      plan.create.push({ kind, name, after });
      actions.push(action);
      return;
    }
    const diff = diffValues(before, after);
    if (diff.length === 0) {
      plan.unchanged.push({ kind, name });
      return;
    }
    plan.update.push({ kind, name, diff });
    actions.push(action);
  };

  for (const item of byName(desired.policies)) {
    const existing = current.policies.get(item.name);
    compare('policy', item.name, existing && policyView(existing.shape), policyView(item.shape), { kind: 'policy', item, current: existing });
  }
  for (const item of byName(desired.secretRefs)) {
    const existing = current.secretRefs.get(item.name);
    compare('secret_ref', item.name, existing && { ref: existing.ref }, { ref: item.ref }, { kind: 'secret_ref', item, current: existing });
  }
  for (const item of byName(desired.connectors)) {
    const existing = current.connectors.get(item.name);
    const before = existing && connectorView(existing);
    compare('connector', item.name, before, connectorView(item), { kind: 'connector', item, currentId: existing?.id, before });
  }
  for (const item of [...desired.configs].sort((a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version))) {
    const name = `${item.name}@${item.version}`;
    if (current.configs.has(name)) plan.unchanged.push({ kind: 'config', name });
    else compare('config', name, undefined, { name: item.name, version: item.version, checksum: item.checksum }, { kind: 'config', item });
  }
  for (const item of [...desired.configs].filter((c) => c.activate).sort((a, b) => a.name.localeCompare(b.name))) {
    const active = current.activeVersions.get(item.name);
    compare('config_activation', item.name, active === undefined ? undefined : { active_version: active }, { active_version: item.version }, {
      kind: 'config_activation',
      item,
      fromVersion: active ?? null,
    });
  }
  for (const item of [...desired.webhookRoutes].sort((a, b) => a.key.localeCompare(b.key))) {
    const existing = current.routes.get(item.key);
    compare('webhook_route', item.key, existing && routeView(existing), routeView(item), { kind: 'webhook_route', item, current: existing });
  }
  return { plan, actions };
}

function byName<T extends { name: string }>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => a.name.localeCompare(b.name));
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}
