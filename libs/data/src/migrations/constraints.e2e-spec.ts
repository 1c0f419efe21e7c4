import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { createDataSourceOptions } from '../data-source';
import type { ScratchDatabase } from '../database/database-admin';
import { createTestDatabase } from '../e2e/test-database';

describe('InitialSchema constraints', () => {
  let database: ScratchDatabase;
  let dataSource: DataSource;
  let workspaceId: string;
  let otherWorkspaceId: string;
  let jobId: string;

  const one = async <R>(sql: string, params: unknown[] = []): Promise<R> => ((await dataSource.query(sql, params)) as R[])[0];
  const insertWorkspace = async (name: string) => (await one<{ id: string }>('INSERT INTO workspaces (name) VALUES ($1) RETURNING id', [name])).id;

  beforeAll(async () => {
    database = await createTestDatabase();
    dataSource = await new DataSource(createDataSourceOptions({ url: database.url })).initialize();
    workspaceId = await insertWorkspace('constraints-dev');
    otherWorkspaceId = await insertWorkspace('constraints-prod');
    jobId = (await one<{ id: string }>(`INSERT INTO jobs (workspace_id, connector, operation) VALUES ($1, 'http', 'get') RETURNING id`, [workspaceId])).id;
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  /*
   * Each case inserts the same row twice (the second with `variant` = 2, varying what the
   * constraint ignores) and expects the second to break the named unique constraint.
   */
  const uniqueCases: Array<[constraint: string, insert: (variant: number) => [string, unknown[]]]> = [
    ['uq_workspaces_name', () => [`INSERT INTO workspaces (name) VALUES ('same-dev')`, []]],
    ['uq_operators_email_lower', (v) => [`INSERT INTO operators (email) VALUES ($1)`, [v === 1 ? 'Ada@Example.com' : 'ada@example.COM']]],
    ['uq_operators_invite_token_hash', (v) => [`INSERT INTO operators (email, invite_token_hash) VALUES ($1, 'tok')`, [`invitee${v}@example.com`]]],
    [
      'uq_service_identities_workspace_name',
      (v) => [
        `INSERT INTO service_identities (workspace_id, name, client_id, client_secret_hash, audience) VALUES ($1, 'svc:shop-backend', $2, 'h', 'orchestrator-exec')`,
        [workspaceId, `client-${v}`],
      ],
    ],
    [
      'uq_service_identities_client_id',
      (v) => [
        `INSERT INTO service_identities (workspace_id, name, client_id, client_secret_hash, audience) VALUES ($1, $2, 'client-x', 'h', 'orchestrator-exec')`,
        [v === 1 ? workspaceId : otherWorkspaceId, `svc:billing${v}-backend`],
      ],
    ],
    [
      'uq_policies_workspace_name',
      () => [`INSERT INTO policies (workspace_id, name, timeout, retry, circuit_breaker, rate_limit) VALUES ($1, 'strict', '{}', '{}', '{}', '{}')`, [workspaceId]],
    ],
    ['uq_secret_refs_workspace_name', () => [`INSERT INTO secret_refs (workspace_id, name, ref) VALUES ($1, 'stripe-key', 'env://STRIPE_KEY')`, [workspaceId]]],
    [
      'uq_secret_values_workspace_name_version',
      () => [
        `INSERT INTO secret_values (workspace_id, secret_name, version, ciphertext, iv, auth_tag, wrapped_data_key, master_key_id)
         VALUES ($1, 'smtp-password', 1, '\\x00', '\\x00', '\\x00', '\\x00', 'k1')`,
        [workspaceId],
      ],
    ],
    ['uq_connectors_workspace_name', () => [`INSERT INTO connectors (workspace_id, name, type) VALUES ($1, 'payments', 'stripe')`, [workspaceId]]],
    [
      'uq_configs_workspace_name_version',
      (v) => [
        `INSERT INTO configs (workspace_id, name, version, data, checksum, created_by) VALUES ($1, 'routing', '7', $2, 'c', 'op')`,
        [workspaceId, JSON.stringify({ variant: v })],
      ],
    ],
    [
      'uq_config_pointers_workspace_name',
      () => [
        `INSERT INTO config_pointers (workspace_id, name, active_config_id)
         SELECT workspace_id, name, id FROM configs WHERE workspace_id = $1 AND name = 'routing' AND version = '7'`,
        [workspaceId],
      ],
    ],
    [
      'uq_webhook_routes_route_key',
      (v) => [
        `INSERT INTO webhook_routes (workspace_id, provider, route_key, signing_secret_ref, verification, target) VALUES ($1, 'stripe', 'rk_1', 's', '{}', '{}')`,
        [v === 1 ? workspaceId : otherWorkspaceId],
      ],
    ],
    [
      'uq_webhook_routes_provider_account',
      (v) => [
        `INSERT INTO webhook_routes (workspace_id, provider, route_key, provider_account_id, signing_secret_ref, verification, target)
         VALUES ($1, 'stripe', $2, 'acct_1', 's', '{}', '{}')`,
        [v === 1 ? workspaceId : otherWorkspaceId, `rk_acct_${v}`],
      ],
    ],
    [
      'uq_webhook_inbox_workspace_provider_event',
      () => [`INSERT INTO webhook_inbox (workspace_id, provider, event_id, payload) VALUES ($1, 'stripe', 'evt_1', '{}')`, [workspaceId]],
    ],
    ['uq_runs_job_attempt', () => [`INSERT INTO runs (workspace_id, job_id, attempt) VALUES ($1, $2, 1)`, [workspaceId, jobId]]],
    [
      'uq_idempotency_keys_workspace_endpoint_key',
      (v) => [
        `INSERT INTO idempotency_keys (workspace_id, endpoint, key, fingerprint, expires_at) VALUES ($1, 'POST /v1/jobs', 'k-1', $2, now() + interval '1 day')`,
        [workspaceId, `fp-${v}`],
      ],
    ],
    [
      'uq_operator_audit_log_prev_hash',
      (v) => [
        `INSERT INTO operator_audit_log (actor_type, actor_id, action, prev_hash, hash) VALUES ('system', 'bootstrap', 'x', 'tail', $1)`,
        [`fork-${v}`],
      ],
    ],
  ];

  describe('unique constraints', () => {
    it.each(uniqueCases)('%s rejects a duplicate with 23505', async (constraint, insert) => {
      await dataSource.query(...insert(1));
      await expect(dataSource.query(...insert(2))).rejects.toMatchObject({ code: '23505', constraint });
    });

    it('keeps the same names apart in different workspaces', async () => {
      const policy = `INSERT INTO policies (workspace_id, name, timeout, retry, circuit_breaker, rate_limit) VALUES ($1, 'shared', '{}', '{}', '{}', '{}')`;
      await dataSource.query(policy, [workspaceId]);
      await expect(dataSource.query(policy, [otherWorkspaceId])).resolves.toBeDefined();
    });

    it('allows any number of webhook routes without a provider account id', async () => {
      const route = `INSERT INTO webhook_routes (workspace_id, provider, route_key, signing_secret_ref, verification, target) VALUES ($1, 'stripe', $2, 's', '{}', '{}')`;
      await dataSource.query(route, [workspaceId, 'rk_no_acct_1']);
      await expect(dataSource.query(route, [workspaceId, 'rk_no_acct_2'])).resolves.toBeDefined();
    });
  });

  describe('foreign keys', () => {
    it('refuses to delete a policy a connector uses', async () => {
      const policy = await one<{ id: string }>(
        `INSERT INTO policies (workspace_id, name, timeout, retry, circuit_breaker, rate_limit) VALUES ($1, 'in-use', '{}', '{}', '{}', '{}') RETURNING id`,
        [workspaceId],
      );
      await dataSource.query(`INSERT INTO connectors (workspace_id, name, type, policy_id) VALUES ($1, 'uses-policy', 'http', $2)`, [workspaceId, policy.id]);
      await expect(dataSource.query('DELETE FROM policies WHERE id = $1', [policy.id])).rejects.toMatchObject({
        code: '23503',
        constraint: 'fk_connectors_policy',
      });
    });

    it('deletes a workspace with everything under it, keeping its audit rows', async () => {
      const doomed = await insertWorkspace('doomed-dev');
      const policy = await one<{ id: string }>(
        `INSERT INTO policies (workspace_id, name, timeout, retry, circuit_breaker, rate_limit) VALUES ($1, 'default', '{}', '{}', '{}', '{}') RETURNING id`,
        [doomed],
      );
      const connector = await one<{ id: string }>(`INSERT INTO connectors (workspace_id, name, type, policy_id) VALUES ($1, 'c', 'http', $2) RETURNING id`, [
        doomed,
        policy.id,
      ]);
      const config = await one<{ id: string }>(
        `INSERT INTO configs (workspace_id, name, version, data, checksum, created_by) VALUES ($1, 'routing', '1', '{}', 'c', 'op') RETURNING id`,
        [doomed],
      );
      await dataSource.query(`INSERT INTO config_pointers (workspace_id, name, active_config_id) VALUES ($1, 'routing', $2)`, [doomed, config.id]);
      await dataSource.query(`INSERT INTO config_activations (workspace_id, name, to_config_id, action, actor, reason) VALUES ($1, 'routing', $2, 'activate', 'op', 'r')`, [
        doomed,
        config.id,
      ]);
      const job = await one<{ id: string }>(`INSERT INTO jobs (workspace_id, connector_id, connector, operation) VALUES ($1, $2, 'c', 'get') RETURNING id`, [
        doomed,
        connector.id,
      ]);
      await dataSource.query(`INSERT INTO runs (workspace_id, job_id, attempt) VALUES ($1, $2, 1)`, [doomed, job.id]);
      await dataSource.query(`INSERT INTO event_log (workspace_id, type, job_id) VALUES ($1, 'job.queued', $2)`, [doomed, job.id]);
      const operator = await one<{ id: string }>(`INSERT INTO operators (email) VALUES ('support@example.com') RETURNING id`);
      await dataSource.query(`INSERT INTO impersonation_sessions (workspace_id, operator_id, reason, expires_at) VALUES ($1, $2, 'r', now())`, [doomed, operator.id]);
      await dataSource.query(`INSERT INTO operator_audit_log (workspace_id, actor_type, actor_id, action, prev_hash, hash) VALUES ($1, 'operator', $2, 'x', $3, $4)`, [
        doomed,
        operator.id,
        randomUUID(),
        randomUUID(),
      ]);

      await dataSource.query('DELETE FROM workspaces WHERE id = $1', [doomed]);

      const remaining = await one<Record<string, number>>(
        `SELECT (SELECT count(*) FROM policies WHERE workspace_id = $1)::int AS policies,
                (SELECT count(*) FROM connectors WHERE workspace_id = $1)::int AS connectors,
                (SELECT count(*) FROM configs WHERE workspace_id = $1)::int AS configs,
                (SELECT count(*) FROM config_pointers WHERE workspace_id = $1)::int AS config_pointers,
                (SELECT count(*) FROM jobs WHERE workspace_id = $1)::int AS jobs,
                (SELECT count(*) FROM runs WHERE workspace_id = $1)::int AS runs,
                (SELECT count(*) FROM event_log WHERE workspace_id = $1)::int AS events,
                (SELECT count(*) FROM impersonation_sessions WHERE workspace_id = $1)::int AS sessions,
                (SELECT count(*) FROM operator_audit_log WHERE workspace_id = $1)::int AS audit`,
        [doomed],
      );
      expect(remaining).toEqual({ policies: 0, connectors: 0, configs: 0, config_pointers: 0, jobs: 0, runs: 0, events: 0, sessions: 0, audit: 1 });
    });
  });

  describe('check constraints', () => {
    it.each([
      ['ck_workspaces_name', `INSERT INTO workspaces (name) VALUES ('Not A Slug')`, []],
      ['ck_jobs_status', `INSERT INTO jobs (workspace_id, connector, operation, status) VALUES ($1, 'c', 'o', 'lost')`, ['ws']],
      ['ck_operators_roles', `INSERT INTO operators (email, roles) VALUES ('r@example.com', '{Superuser}')`, []],
      ['ck_webhook_inbox_payload', `INSERT INTO webhook_inbox (workspace_id, provider, event_id) VALUES ($1, 'stripe', 'evt_no_body')`, ['ws']],
    ])('%s rejects a bad row with 23514', async (constraint, sql, params) => {
      await expect(dataSource.query(sql, params.map(() => workspaceId))).rejects.toMatchObject({ code: '23514', constraint });
    });
  });
});
