import type { OperatorRole } from '@orch/data';
import type { Scope } from './scopes';

export interface AccessRule {
  /** `METHOD /path` as routed; a test checks it against the handler carrying the rule. */
  route: string;
  /** No token needed (the handler authenticates otherwise, e.g. client credentials). */
  public?: boolean;
  /** Operator roles allowed. BreakGlassAdmin counts only while its activation runs. */
  roles?: readonly OperatorRole[];
  /** Scopes any of which lets a service token in (always confined to its own workspace). */
  scopes?: readonly Scope[];
  /** Whether an impersonation token may use the route (with the scopes above). */
  impersonation?: boolean;
  /** Any authenticated operator, whatever the role (their own profile). */
  anyOperator?: boolean;
  /** The route that activates break-glass: BreakGlassAdmin may call it while not yet active. */
  breakGlassActivation?: boolean;
}

const ADMIN: readonly OperatorRole[] = ['OperatorAdmin', 'BreakGlassAdmin'];
/** Who may read a workspace's configuration (not BillingAdmin: it manages quotas, not integrations). */
const WORKSPACE_READERS: readonly OperatorRole[] = ['OperatorAdmin', 'Support', 'ReadOnlyAuditor', 'BreakGlassAdmin'];
const ALL_STAFF: readonly OperatorRole[] = ['OperatorAdmin', 'Support', 'BillingAdmin', 'ReadOnlyAuditor', 'BreakGlassAdmin'];

/**
 * THE access matrix: every route of every app, who may call it. Handlers point at a rule
 * with @Access(name); a handler without one fails a test. docs/04_security_model.md renders
 * this table (a test keeps the page in step).
 */
export const ACCESS_RULES = {
  // control-api: public entry points
  'jwks.read': { route: 'GET /.well-known/jwks.json', public: true },
  'oauth.token': { route: 'POST /v1/oauth/token', public: true },
  'auth.login': { route: 'POST /v1/auth/login', public: true },
  'auth.refresh': { route: 'POST /v1/auth/refresh', public: true },
  'auth.accept-invite': { route: 'POST /v1/auth/accept-invite', public: true },
  // Creates the first OperatorAdmin; answers only while no operator exists and with ORCH_BOOTSTRAP_TOKEN.
  'auth.bootstrap': { route: 'POST /v1/auth/bootstrap', public: true },
  // control-api: the operator's own session
  'auth.me': { route: 'GET /v1/auth/me', anyOperator: true },
  'break-glass.activate': { route: 'POST /v1/break-glass/activate', roles: ['BreakGlassAdmin'], breakGlassActivation: true },
  // operators
  'operators.list': { route: 'GET /v1/operators', roles: ['OperatorAdmin', 'ReadOnlyAuditor', 'BreakGlassAdmin'] },
  'operators.get': { route: 'GET /v1/operators/:operatorId', roles: ['OperatorAdmin', 'ReadOnlyAuditor', 'BreakGlassAdmin'] },
  'operators.create': { route: 'POST /v1/operators', roles: ADMIN },
  'operators.update': { route: 'PATCH /v1/operators/:operatorId', roles: ADMIN },
  // workspaces
  'workspaces.create': { route: 'POST /v1/workspaces', roles: ADMIN },
  'workspaces.list': { route: 'GET /v1/workspaces', roles: ALL_STAFF, scopes: ['workspace:read'], impersonation: true },
  'workspaces.get': { route: 'GET /v1/workspaces/:workspaceId', roles: ALL_STAFF, scopes: ['workspace:read'], impersonation: true },
  'workspaces.update': { route: 'PATCH /v1/workspaces/:workspaceId', roles: ['OperatorAdmin', 'BillingAdmin', 'BreakGlassAdmin'], scopes: ['workspace:write'], impersonation: true },
  // service identities
  'identities.create': { route: 'POST /v1/workspaces/:workspaceId/service-identities', roles: ADMIN, scopes: ['identities:write'] },
  'identities.list': { route: 'GET /v1/workspaces/:workspaceId/service-identities', roles: ['OperatorAdmin', 'Support', 'ReadOnlyAuditor', 'BreakGlassAdmin'], scopes: ['identities:read'], impersonation: true },
  'identities.get': { route: 'GET /v1/workspaces/:workspaceId/service-identities/:identityId', roles: ['OperatorAdmin', 'Support', 'ReadOnlyAuditor', 'BreakGlassAdmin'], scopes: ['identities:read'], impersonation: true },
  'identities.revoke': { route: 'POST /v1/workspaces/:workspaceId/service-identities/:identityId/revoke', roles: ADMIN, scopes: ['identities:write'] },
  'identities.rotate-secret': { route: 'POST /v1/workspaces/:workspaceId/service-identities/:identityId/rotate-secret', roles: ADMIN, scopes: ['identities:write'] },
  // audit
  'audit.list': { route: 'GET /v1/audit', roles: ['OperatorAdmin', 'ReadOnlyAuditor', 'BreakGlassAdmin'] },
  'audit.verify': { route: 'GET /v1/audit/verify', roles: ['OperatorAdmin', 'ReadOnlyAuditor', 'BreakGlassAdmin'] },
  // impersonation
  'impersonation.start': { route: 'POST /v1/impersonation', roles: ['OperatorAdmin', 'Support', 'BreakGlassAdmin'] },
  'impersonation.stop': { route: 'DELETE /v1/impersonation/:sessionId', roles: ['OperatorAdmin', 'Support', 'BreakGlassAdmin'] },
  // workspace resources of the control plane (connectors, policies, secrets, configs, webhook routes)
  'connector-types.list': { route: 'GET /v1/workspaces/:workspaceId/connector-types', roles: WORKSPACE_READERS, scopes: ['workspace:read'], impersonation: true },
  'connectors.list': { route: 'GET /v1/workspaces/:workspaceId/connectors', roles: WORKSPACE_READERS, scopes: ['workspace:read'], impersonation: true },
  'connectors.get': { route: 'GET /v1/workspaces/:workspaceId/connectors/:name', roles: WORKSPACE_READERS, scopes: ['workspace:read'], impersonation: true },
  'connectors.create': { route: 'POST /v1/workspaces/:workspaceId/connectors', roles: ADMIN, scopes: ['workspace:write'], impersonation: true },
  'connectors.update': { route: 'PATCH /v1/workspaces/:workspaceId/connectors/:name', roles: ADMIN, scopes: ['workspace:write'], impersonation: true },
  'connectors.delete': { route: 'DELETE /v1/workspaces/:workspaceId/connectors/:name', roles: ADMIN, scopes: ['workspace:write'], impersonation: true },
  'policies.list': { route: 'GET /v1/workspaces/:workspaceId/policies', roles: WORKSPACE_READERS, scopes: ['workspace:read'], impersonation: true },
  'policies.get': { route: 'GET /v1/workspaces/:workspaceId/policies/:name', roles: WORKSPACE_READERS, scopes: ['workspace:read'], impersonation: true },
  'policies.create': { route: 'POST /v1/workspaces/:workspaceId/policies', roles: ADMIN, scopes: ['workspace:write'], impersonation: true },
  'policies.update': { route: 'PATCH /v1/workspaces/:workspaceId/policies/:name', roles: ADMIN, scopes: ['workspace:write'], impersonation: true },
  'policies.delete': { route: 'DELETE /v1/workspaces/:workspaceId/policies/:name', roles: ADMIN, scopes: ['workspace:write'], impersonation: true },
  'secret-refs.list': { route: 'GET /v1/workspaces/:workspaceId/secret-refs', roles: WORKSPACE_READERS, scopes: ['workspace:read'], impersonation: true },
  'secret-refs.get': { route: 'GET /v1/workspaces/:workspaceId/secret-refs/:name', roles: WORKSPACE_READERS, scopes: ['workspace:read'], impersonation: true },
  'secret-refs.create': { route: 'POST /v1/workspaces/:workspaceId/secret-refs', roles: ADMIN, scopes: ['workspace:write'], impersonation: true },
  'secret-refs.delete': { route: 'DELETE /v1/workspaces/:workspaceId/secret-refs/:name', roles: ADMIN, scopes: ['workspace:write'], impersonation: true },
  'secret-refs.check': { route: 'POST /v1/workspaces/:workspaceId/secret-refs/:name/check', roles: WORKSPACE_READERS, scopes: ['workspace:read'], impersonation: true },
  'secrets.put': { route: 'PUT /v1/workspaces/:workspaceId/secrets/:name', roles: ADMIN, scopes: ['workspace:write'] },
  'configs.create': { route: 'POST /v1/workspaces/:workspaceId/configs', roles: ADMIN, scopes: ['workspace:write'], impersonation: true },
  'configs.list': { route: 'GET /v1/workspaces/:workspaceId/configs', roles: WORKSPACE_READERS, scopes: ['workspace:read'], impersonation: true },
  'configs.versions': { route: 'GET /v1/workspaces/:workspaceId/configs/:name/versions', roles: WORKSPACE_READERS, scopes: ['workspace:read'], impersonation: true },
  'configs.get-version': { route: 'GET /v1/workspaces/:workspaceId/configs/:name/versions/:version', roles: WORKSPACE_READERS, scopes: ['workspace:read'], impersonation: true },
  'configs.active': { route: 'GET /v1/workspaces/:workspaceId/configs/:name/active', roles: WORKSPACE_READERS, scopes: ['workspace:read'], impersonation: true },
  'configs.history': { route: 'GET /v1/workspaces/:workspaceId/configs/:name/history', roles: WORKSPACE_READERS, scopes: ['workspace:read'], impersonation: true },
  'configs.activate': { route: 'POST /v1/workspaces/:workspaceId/configs/:name/activate', roles: ADMIN, scopes: ['workspace:write'], impersonation: true },
  'configs.rollback': { route: 'POST /v1/workspaces/:workspaceId/configs/:name/rollback', roles: ADMIN, scopes: ['workspace:write'], impersonation: true },
  'webhook-routes.list': { route: 'GET /v1/workspaces/:workspaceId/webhook-routes', roles: WORKSPACE_READERS, scopes: ['workspace:read'], impersonation: true },
  'webhook-routes.get': { route: 'GET /v1/workspaces/:workspaceId/webhook-routes/:routeId', roles: WORKSPACE_READERS, scopes: ['workspace:read'], impersonation: true },
  'webhook-routes.create': { route: 'POST /v1/workspaces/:workspaceId/webhook-routes', roles: ADMIN, scopes: ['workspace:write'], impersonation: true },
  'webhook-routes.update': { route: 'PATCH /v1/workspaces/:workspaceId/webhook-routes/:routeId', roles: ADMIN, scopes: ['workspace:write'], impersonation: true },
  'webhook-routes.delete': { route: 'DELETE /v1/workspaces/:workspaceId/webhook-routes/:routeId', roles: ADMIN, scopes: ['workspace:write'], impersonation: true },
  // jobs, DLQ and events of a workspace, seen from the control plane (issue 6)
  'control-jobs.list': { route: 'GET /v1/workspaces/:workspaceId/jobs', roles: WORKSPACE_READERS, scopes: ['workspace:read'], impersonation: true },
  'control-jobs.get': { route: 'GET /v1/workspaces/:workspaceId/jobs/:jobId', roles: WORKSPACE_READERS, scopes: ['workspace:read'], impersonation: true },
  'dlq.list': { route: 'GET /v1/workspaces/:workspaceId/dlq', roles: WORKSPACE_READERS, scopes: ['workspace:read'], impersonation: true },
  'dlq.replay': { route: 'POST /v1/workspaces/:workspaceId/dlq/replay', roles: ['OperatorAdmin', 'Support', 'BreakGlassAdmin'], scopes: ['workspace:write'], impersonation: true },
  'dlq.purge': { route: 'DELETE /v1/workspaces/:workspaceId/dlq', roles: ADMIN, scopes: ['workspace:write'], impersonation: true },
  // webhook inbox of a workspace (issue 7)
  'webhook-inbox.list': { route: 'GET /v1/workspaces/:workspaceId/webhook-inbox', roles: WORKSPACE_READERS, scopes: ['workspace:read'], impersonation: true },
  'webhook-inbox.get': { route: 'GET /v1/workspaces/:workspaceId/webhook-inbox/:inboxId', roles: WORKSPACE_READERS, scopes: ['workspace:read'], impersonation: true },
  'webhook-inbox.retry': { route: 'POST /v1/workspaces/:workspaceId/webhook-inbox/:inboxId/retry', roles: ['OperatorAdmin', 'Support', 'BreakGlassAdmin'], scopes: ['workspace:write'], impersonation: true },
  'webhook-inbox.retry-bulk': { route: 'POST /v1/workspaces/:workspaceId/webhook-inbox/retry', roles: ['OperatorAdmin', 'Support', 'BreakGlassAdmin'], scopes: ['workspace:write'], impersonation: true },
  'control-events.list': { route: 'GET /v1/workspaces/:workspaceId/events', roles: WORKSPACE_READERS, scopes: ['workspace:read'], impersonation: true },
  // bundles: a workspace's configuration as one document (refs only, never secret values)
  'bundle.export': { route: 'GET /v1/workspaces/:workspaceId/bundle', roles: WORKSPACE_READERS, scopes: ['workspace:read'], impersonation: true },
  'bundles.import': { route: 'POST /v1/bundles/import', roles: ADMIN },
  // operator-console BFF
  'bff.upstreams': { route: 'GET /api/bff/upstreams', public: true },
  'bff.config': { route: 'GET /api/bff/config', public: true },
  // The operator session: public to the token guard, the BFF authenticates by its own cookie.
  'bff.session.create': { route: 'POST /api/session', public: true },
  'bff.session.read': { route: 'GET /api/session', public: true },
  'bff.session.delete': { route: 'DELETE /api/session', public: true },
  // The proxies: the BFF authenticates by its session cookie (+ CSRF on mutations) and adds the
  // operator's bearer token; control-api / exec-api then apply their own rules above.
  'bff.proxy.control': { route: 'ALL /api/control/*', public: true },
  'bff.proxy.exec': { route: 'ALL /api/exec/*', public: true },
  // Impersonation through the console: the BFF keeps the exec token server-side, /api/exec/* uses it.
  'bff.impersonation.start': { route: 'POST /api/impersonation', public: true },
  'bff.impersonation.stop': { route: 'DELETE /api/impersonation', public: true },
  // exec-api: service tokens, and an operator's impersonation exec token (aud orchestrator-exec) while its session is live
  'exec.whoami': { route: 'GET /v1/whoami', scopes: ['execute', 'jobs:write', 'jobs:read', 'events:read'], impersonation: true },
  'exec.execute': { route: 'POST /v1/execute', scopes: ['execute'], impersonation: true },
  'jobs.create': { route: 'POST /v1/jobs', scopes: ['jobs:write'], impersonation: true },
  'jobs.list': { route: 'GET /v1/jobs', scopes: ['jobs:read'], impersonation: true },
  'jobs.get': { route: 'GET /v1/jobs/:id', scopes: ['jobs:read'], impersonation: true },
  'jobs.cancel': { route: 'POST /v1/jobs/:id/cancel', scopes: ['jobs:write'], impersonation: true },
  'events.list': { route: 'GET /v1/events', scopes: ['events:read'], impersonation: true },
  'events.stream': { route: 'GET /v1/events/stream', scopes: ['events:read'], impersonation: true },
  // webhook-ingress: the provider authenticates by the route's signature, not a token
  'webhooks.receive-route': { route: 'POST /v1/webhooks/:provider/:routeKey', public: true },
  'webhooks.receive-account': { route: 'POST /v1/webhooks/:provider', public: true },
} as const satisfies Record<string, AccessRule>;

export type AccessRuleName = keyof typeof ACCESS_RULES;

export function accessRule(name: AccessRuleName): AccessRule {
  return ACCESS_RULES[name];
}
