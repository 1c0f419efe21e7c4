import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import type { Scope } from '@orch/auth';
import type { WorkspaceEntity } from '@orch/data';
import type { AppDefinition } from '@orch/platform';
import {
  createTestDatabase,
  createTestOperator,
  createTestRedisPrefix,
  createTestWorkspace,
  FakeUpstream,
  serviceToken,
  startTestApp,
  type TestApp,
  type TestDatabase,
  type TestOperator,
  type TestRedisPrefix,
} from '@orch/testing';
// The token issuer and the control plane run in-process: exec-api's tests configure connectors
// and policies through control-api's real API, as operators do.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { controlApiApp } from '../../../control-api/src/app.definition';
import { execApiApp } from '../../src/app.definition';
import type { ExecApiConfig } from '../../src/config';

type ControlApiConfig = typeof controlApiApp extends AppDefinition<infer C> ? C : never;

export interface ExecStackOptions {
  /** Extra exec-api environment (e.g. EGRESS_ALLOW_CIDRS). Defaults open 127.0.0.0/8 and disable the catalog cache. */
  execEnv?: Record<string, string>;
  /** Start a second exec-api instance on the same database and Redis (shared-state tests). */
  secondExec?: boolean;
}

export interface TestWorkspace {
  ws: WorkspaceEntity;
  /** A service token of this workspace (aud orchestrator-exec) with the given scopes (default: execute). */
  token(scopes?: Scope[]): Promise<string>;
}

/**
 * control-api + exec-api (one or two instances) on one scratch database and one Redis prefix,
 * plus a fake upstream on 127.0.0.1 — the execution plane as deployed, in one test process.
 */
export class ExecStack {
  private constructor(
    readonly db: TestDatabase,
    readonly redis: TestRedisPrefix,
    readonly control: TestApp<ControlApiConfig>,
    readonly exec: TestApp<ExecApiConfig>,
    readonly exec2: TestApp<ExecApiConfig> | undefined,
    readonly admin: TestOperator,
    readonly upstream: FakeUpstream,
    private readonly keysDir: string,
  ) {}

  static async start(options: ExecStackOptions = {}): Promise<ExecStack> {
    const db = await createTestDatabase();
    const redis = createTestRedisPrefix();
    const keysDir = mkdtempSync(join(tmpdir(), 'orch-exec-keys-'));
    const control = await startTestApp(controlApiApp, { db, env: { REDIS_KEY_PREFIX: redis.prefix, ORCH_JWT_KEYS_DIR: keysDir } });
    await control.app.listen({ port: 0, host: '127.0.0.1' });
    const controlPort = (control.app.getHttpServer().address() as AddressInfo).port;
    const execEnv = {
      REDIS_KEY_PREFIX: redis.prefix,
      ORCH_JWKS_URL: `http://127.0.0.1:${controlPort}/.well-known/jwks.json`,
      EGRESS_ALLOW_CIDRS: '127.0.0.0/8',
      EXEC_CATALOG_CACHE_MS: '0',
      ...(options.execEnv ?? {}),
    };
    const exec = await startTestApp(execApiApp, { db, env: execEnv });
    const exec2 = options.secondExec ? await startTestApp(execApiApp, { db, env: execEnv }) : undefined;
    const admin = await createTestOperator(control.app, ['OperatorAdmin']);
    const upstream = await FakeUpstream.start();
    return new ExecStack(db, redis, control, exec, exec2, admin, upstream, keysDir);
  }

  async workspace(): Promise<TestWorkspace> {
    const ws = await createTestWorkspace(this.control.app, `ws-${randomBytes(4).toString('hex')}-dev`);
    return { ws, token: (scopes: Scope[] = ['execute']) => serviceToken(this.control.app, ws.id, scopes) };
  }

  /** POST to control-api as OperatorAdmin under /v1/workspaces/:id/<path>, expecting `expected` (default 201). */
  async controlPost(workspaceId: string, path: string, body: Record<string, unknown>, expected = 201): Promise<request.Response> {
    return request(this.control.server)
      .post(`/v1/workspaces/${workspaceId}/${path}`)
      .set('authorization', `Bearer ${this.admin.token}`)
      .send({ reason: 'exec-api e2e setup', ...body })
      .expect(expected);
  }

  async controlPatch(workspaceId: string, path: string, body: Record<string, unknown>, expected = 200): Promise<request.Response> {
    return request(this.control.server)
      .patch(`/v1/workspaces/${workspaceId}/${path}`)
      .set('authorization', `Bearer ${this.admin.token}`)
      .send({ reason: 'exec-api e2e setup', ...body })
      .expect(expected);
  }

  /** Sets workspace quotas (rps, concurrency, queue_depth) through the control plane. */
  async setQuotas(workspaceId: string, quotas: Record<string, number>): Promise<void> {
    await request(this.control.server)
      .patch(`/v1/workspaces/${workspaceId}`)
      .set('authorization', `Bearer ${this.admin.token}`)
      .send({ reason: 'exec-api e2e quotas', settings: { quotas } })
      .expect(200);
  }

  /**
   * A policy (fields merged over fast test defaults: short timeouts, no jitter wait to speak of,
   * a generous rate limit) and an `http` connector on the fake upstream with the given operations.
   */
  async httpConnector(
    workspaceId: string,
    options: { name?: string; policy?: Record<string, unknown>; operations?: Array<Record<string, unknown>>; baseUrl?: string; config?: Record<string, unknown> } = {},
  ): Promise<{ connector: string; policy: string }> {
    const suffix = randomBytes(3).toString('hex');
    const policy = `pol-${suffix}`;
    const connector = options.name ?? `api-${suffix}`;
    await this.controlPost(workspaceId, 'policies', {
      name: policy,
      timeout: { connect_ms: 500, read_ms: 1000, total_ms: 3000 },
      retry: { max_attempts: 3, base_delay_ms: 10, max_delay_ms: 50, jitter: 'full', retry_on: ['network', 'timeout', 429, 502, 503, 504], respect_retry_after: true },
      circuit_breaker: { window_ms: 10_000, min_requests: 100, failure_rate_threshold: 0.5, open_ms: 1000, half_open_probes: 1 },
      rate_limit: { capacity: 10_000, refill_per_sec: 10_000 },
      ...(options.policy ?? {}),
    });
    await this.controlPost(workspaceId, 'connectors', {
      name: connector,
      type: 'http',
      policy,
      config: {
        base_url: options.baseUrl ?? this.upstream.url,
        operations: options.operations ?? [
          { operation_id: 'get_thing', method: 'GET', path: '/things/{id}' },
          { operation_id: 'create_thing', method: 'POST', path: '/things', payload_schema: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } } },
        ],
        ...(options.config ?? {}),
      },
    });
    return { connector, policy };
  }

  /** POST /v1/execute on the first (or the given) exec-api instance. */
  execute(token: string, body: Record<string, unknown>, headers: Record<string, string> = {}, instance: 1 | 2 = 1): request.Test {
    const target = instance === 2 && this.exec2 ? this.exec2 : this.exec;
    return request(target.server).post('/v1/execute').set('authorization', `Bearer ${token}`).set(headers).send(body);
  }

  /**
   * Stops everything, each step even when an earlier one failed, then rethrows the first
   * failure (e.g. exec-api's shutdown flush of buffered records) so the suite still sees it.
   */
  async close(): Promise<void> {
    const steps: Array<() => Promise<unknown> | undefined> = [
      () => this.upstream?.close(),
      () => this.exec2?.close(),
      () => this.exec?.close(),
      () => this.control?.close(),
      () => this.redis?.clear(),
      () => this.db?.drop(),
      async () => rmSync(this.keysDir, { recursive: true, force: true }),
    ];
    const failures: unknown[] = [];
    for (const step of steps) {
      try {
        await step();
      } catch (error) {
        failures.push(error);
      }
    }
    if (failures.length > 0) throw failures[0];
  }
}

/** Creates a secret ref `name` → `ref` (vault://… or env://…) in the workspace through control-api. */
export async function createSecretRef(stack: ExecStack, workspaceId: string, name: string, ref: string): Promise<void> {
  await stack.controlPost(workspaceId, 'secret-refs', { name, ref });
}

/** A vault secret: the ref `name` → `vault://name` and its value, both through control-api (the value is write-only). */
export async function createVaultSecret(stack: ExecStack, workspaceId: string, name: string, value: string): Promise<void> {
  await createSecretRef(stack, workspaceId, name, `vault://${name}`);
  await request(stack.control.server)
    .put(`/v1/workspaces/${workspaceId}/secrets/${name}`)
    .set('authorization', `Bearer ${stack.admin.token}`)
    .send({ reason: 'exec-api e2e secret', value })
    .expect(201);
}

/** Makes exec-api listen on a loopback port (for raw node:http requests and many concurrent ones); returns its base URL. */
export async function listenExec(stack: ExecStack): Promise<string> {
  const existing = stack.exec.app.getHttpServer().address() as AddressInfo | null;
  if (existing === null) await stack.exec.app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = stack.exec.app.getHttpServer().address() as AddressInfo;
  return `http://127.0.0.1:${port}`;
}

/** Retries `check` until it passes or `timeoutMs` runs out (batched writers: events, request_log). */
export async function eventually(check: () => Promise<void>, timeoutMs = 3000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > until) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/** Closes the stack; exec-api's shutdown writes the records still buffered (a failure there fails the suite). */
export async function closeSettled(stack: ExecStack | undefined): Promise<void> {
  await stack?.close();
}
