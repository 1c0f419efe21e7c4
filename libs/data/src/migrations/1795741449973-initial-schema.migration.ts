import type { MigrationInterface, QueryRunner } from 'typeorm';

/*
 * The whole first schema, written out by hand. Entities must match it exactly: the e2e test
 * "initial schema" fails when TypeORM's schema diff finds anything to change.
 * Conventions: uuid keys from gen_random_uuid() (built into Postgres 13+, no extension),
 * timestamptz(3) everywhere, text + CHECK instead of enum types (cheap to extend), every
 * constraint and index named so later migrations can refer to them.
 */

const workspaceFk = (table: string): string =>
  `CONSTRAINT fk_${table}_workspace FOREIGN KEY (workspace_id) REFERENCES workspaces (id) ON DELETE CASCADE`;

const UP: readonly string[] = [
  // Immutability: rows of append-only tables never change or go away.
  `CREATE FUNCTION orch_reject_mutation() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP;
   END;
   $$`,
  // Config versions are immutable too, but must not make their workspace undeletable: the
  // FK cascade runs after the workspace row is gone, and only then is a DELETE let through.
  `CREATE FUNCTION orch_reject_config_mutation() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     IF TG_OP = 'DELETE' AND NOT EXISTS (SELECT 1 FROM workspaces WHERE id = OLD.workspace_id) THEN
       RETURN OLD;
     END IF;
     RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP;
   END;
   $$`,

  `CREATE TABLE workspaces (
     id uuid NOT NULL DEFAULT gen_random_uuid(),
     name text NOT NULL,
     settings jsonb NOT NULL DEFAULT '{}'::jsonb,
     callback_secret_ref text NULL,
     status text NOT NULL DEFAULT 'active',
     created_at timestamptz(3) NOT NULL DEFAULT now(),
     updated_at timestamptz(3) NOT NULL DEFAULT now(),
     CONSTRAINT pk_workspaces PRIMARY KEY (id),
     CONSTRAINT uq_workspaces_name UNIQUE (name),
     CONSTRAINT ck_workspaces_name CHECK (name ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
     CONSTRAINT ck_workspaces_status CHECK (status IN ('active', 'suspended'))
   )`,

  `CREATE TABLE operators (
     id uuid NOT NULL DEFAULT gen_random_uuid(),
     email text NOT NULL,
     display_name text NULL,
     password_hash text NULL,
     roles text[] NOT NULL DEFAULT '{}'::text[],
     status text NOT NULL DEFAULT 'active',
     invite_token_hash text NULL,
     invite_expires_at timestamptz(3) NULL,
     last_login_at timestamptz(3) NULL,
     created_at timestamptz(3) NOT NULL DEFAULT now(),
     updated_at timestamptz(3) NOT NULL DEFAULT now(),
     CONSTRAINT pk_operators PRIMARY KEY (id),
     CONSTRAINT uq_operators_invite_token_hash UNIQUE (invite_token_hash),
     CONSTRAINT ck_operators_roles CHECK (roles <@ ARRAY['OperatorAdmin', 'Support', 'BillingAdmin', 'ReadOnlyAuditor', 'BreakGlassAdmin']::text[]),
     CONSTRAINT ck_operators_status CHECK (status IN ('active', 'disabled'))
   )`,
  // citext is not installed; a unique index on lower(email) gives case-insensitive uniqueness.
  `CREATE UNIQUE INDEX uq_operators_email_lower ON operators (lower(email))`,

  `CREATE TABLE service_identities (
     id uuid NOT NULL DEFAULT gen_random_uuid(),
     workspace_id uuid NOT NULL,
     name text NOT NULL,
     client_id text NOT NULL,
     client_secret_hash text NOT NULL,
     previous_client_secret_hash text NULL,
     previous_secret_expires_at timestamptz(3) NULL,
     audience text NOT NULL,
     scopes text[] NOT NULL DEFAULT '{}'::text[],
     revoked_at timestamptz(3) NULL,
     created_at timestamptz(3) NOT NULL DEFAULT now(),
     updated_at timestamptz(3) NOT NULL DEFAULT now(),
     CONSTRAINT pk_service_identities PRIMARY KEY (id),
     ${workspaceFk('service_identities')},
     CONSTRAINT uq_service_identities_workspace_name UNIQUE (workspace_id, name),
     CONSTRAINT uq_service_identities_client_id UNIQUE (client_id),
     CONSTRAINT ck_service_identities_name CHECK (name LIKE 'svc:%'),
     CONSTRAINT ck_service_identities_audience CHECK (audience IN ('orchestrator-exec', 'orchestrator-control'))
   )`,

  `CREATE TABLE policies (
     id uuid NOT NULL DEFAULT gen_random_uuid(),
     workspace_id uuid NOT NULL,
     name text NOT NULL,
     timeout jsonb NOT NULL,
     retry jsonb NOT NULL,
     circuit_breaker jsonb NOT NULL,
     rate_limit jsonb NOT NULL,
     degradation text NOT NULL DEFAULT 'fail_fast',
     created_at timestamptz(3) NOT NULL DEFAULT now(),
     updated_at timestamptz(3) NOT NULL DEFAULT now(),
     CONSTRAINT pk_policies PRIMARY KEY (id),
     ${workspaceFk('policies')},
     CONSTRAINT uq_policies_workspace_name UNIQUE (workspace_id, name),
     CONSTRAINT ck_policies_degradation CHECK (degradation IN ('fail_fast', 'queue_with_delay'))
   )`,

  `CREATE TABLE secret_refs (
     id uuid NOT NULL DEFAULT gen_random_uuid(),
     workspace_id uuid NOT NULL,
     name text NOT NULL,
     ref text NOT NULL,
     created_at timestamptz(3) NOT NULL DEFAULT now(),
     updated_at timestamptz(3) NOT NULL DEFAULT now(),
     CONSTRAINT pk_secret_refs PRIMARY KEY (id),
     ${workspaceFk('secret_refs')},
     CONSTRAINT uq_secret_refs_workspace_name UNIQUE (workspace_id, name),
     CONSTRAINT ck_secret_refs_ref CHECK (ref ~ '^[a-z][a-z0-9+.-]*://.+')
   )`,

  `CREATE TABLE secret_values (
     id uuid NOT NULL DEFAULT gen_random_uuid(),
     workspace_id uuid NOT NULL,
     secret_name text NOT NULL,
     version integer NOT NULL,
     ciphertext bytea NOT NULL,
     iv bytea NOT NULL,
     auth_tag bytea NOT NULL,
     wrapped_data_key bytea NOT NULL,
     master_key_id text NOT NULL,
     created_at timestamptz(3) NOT NULL DEFAULT now(),
     CONSTRAINT pk_secret_values PRIMARY KEY (id),
     ${workspaceFk('secret_values')},
     CONSTRAINT uq_secret_values_workspace_name_version UNIQUE (workspace_id, secret_name, version),
     CONSTRAINT ck_secret_values_version CHECK (version > 0)
   )`,

  `CREATE TABLE connectors (
     id uuid NOT NULL DEFAULT gen_random_uuid(),
     workspace_id uuid NOT NULL,
     name text NOT NULL,
     type text NOT NULL,
     config jsonb NOT NULL DEFAULT '{}'::jsonb,
     policy_id uuid NULL,
     secret_refs jsonb NOT NULL DEFAULT '{}'::jsonb,
     created_at timestamptz(3) NOT NULL DEFAULT now(),
     updated_at timestamptz(3) NOT NULL DEFAULT now(),
     CONSTRAINT pk_connectors PRIMARY KEY (id),
     ${workspaceFk('connectors')},
     CONSTRAINT fk_connectors_policy FOREIGN KEY (policy_id) REFERENCES policies (id) ON DELETE RESTRICT,
     CONSTRAINT uq_connectors_workspace_name UNIQUE (workspace_id, name)
   )`,
  `CREATE INDEX ix_connectors_policy_id ON connectors (policy_id)`,

  `CREATE TABLE configs (
     id uuid NOT NULL DEFAULT gen_random_uuid(),
     workspace_id uuid NOT NULL,
     name text NOT NULL,
     version text NOT NULL,
     data jsonb NOT NULL,
     checksum text NOT NULL,
     created_by text NOT NULL,
     created_at timestamptz(3) NOT NULL DEFAULT now(),
     CONSTRAINT pk_configs PRIMARY KEY (id),
     ${workspaceFk('configs')},
     CONSTRAINT uq_configs_workspace_name_version UNIQUE (workspace_id, name, version)
   )`,
  `CREATE TRIGGER trg_configs_immutable BEFORE UPDATE OR DELETE ON configs
     FOR EACH ROW EXECUTE FUNCTION orch_reject_config_mutation()`,
  // Row triggers do not fire on TRUNCATE.
  `CREATE TRIGGER trg_configs_no_truncate BEFORE TRUNCATE ON configs
     FOR EACH STATEMENT EXECUTE FUNCTION orch_reject_mutation()`,

  `CREATE TABLE config_pointers (
     id uuid NOT NULL DEFAULT gen_random_uuid(),
     workspace_id uuid NOT NULL,
     name text NOT NULL,
     active_config_id uuid NOT NULL,
     previous_config_id uuid NULL,
     created_at timestamptz(3) NOT NULL DEFAULT now(),
     updated_at timestamptz(3) NOT NULL DEFAULT now(),
     CONSTRAINT pk_config_pointers PRIMARY KEY (id),
     ${workspaceFk('config_pointers')},
     CONSTRAINT fk_config_pointers_active_config FOREIGN KEY (active_config_id) REFERENCES configs (id),
     CONSTRAINT fk_config_pointers_previous_config FOREIGN KEY (previous_config_id) REFERENCES configs (id),
     CONSTRAINT uq_config_pointers_workspace_name UNIQUE (workspace_id, name)
   )`,

  `CREATE TABLE config_activations (
     id uuid NOT NULL DEFAULT gen_random_uuid(),
     workspace_id uuid NOT NULL,
     name text NOT NULL,
     from_config_id uuid NULL,
     to_config_id uuid NOT NULL,
     action text NOT NULL,
     actor text NOT NULL,
     reason text NOT NULL,
     created_at timestamptz(3) NOT NULL DEFAULT now(),
     CONSTRAINT pk_config_activations PRIMARY KEY (id),
     ${workspaceFk('config_activations')},
     CONSTRAINT fk_config_activations_from_config FOREIGN KEY (from_config_id) REFERENCES configs (id),
     CONSTRAINT fk_config_activations_to_config FOREIGN KEY (to_config_id) REFERENCES configs (id),
     CONSTRAINT ck_config_activations_action CHECK (action IN ('activate', 'rollback'))
   )`,
  `CREATE INDEX ix_config_activations_workspace_name_created ON config_activations (workspace_id, name, created_at)`,

  `CREATE TABLE webhook_routes (
     id uuid NOT NULL DEFAULT gen_random_uuid(),
     workspace_id uuid NOT NULL,
     provider text NOT NULL,
     route_key text NOT NULL,
     provider_account_id text NULL,
     signing_secret_ref text NOT NULL,
     previous_signing_secret_ref text NULL,
     previous_secret_expires_at timestamptz(3) NULL,
     verification jsonb NOT NULL,
     target jsonb NOT NULL,
     enabled boolean NOT NULL DEFAULT true,
     created_at timestamptz(3) NOT NULL DEFAULT now(),
     updated_at timestamptz(3) NOT NULL DEFAULT now(),
     CONSTRAINT pk_webhook_routes PRIMARY KEY (id),
     ${workspaceFk('webhook_routes')},
     CONSTRAINT uq_webhook_routes_route_key UNIQUE (route_key),
     CONSTRAINT ck_webhook_routes_provider CHECK (provider ~ '^[a-z0-9][a-z0-9_-]*$')
   )`,
  `CREATE UNIQUE INDEX uq_webhook_routes_provider_account ON webhook_routes (provider, provider_account_id)
     WHERE provider_account_id IS NOT NULL`,
  `CREATE INDEX ix_webhook_routes_workspace_id ON webhook_routes (workspace_id)`,

  `CREATE TABLE webhook_inbox (
     id uuid NOT NULL DEFAULT gen_random_uuid(),
     workspace_id uuid NOT NULL,
     route_id uuid NULL,
     provider text NOT NULL,
     event_id text NOT NULL,
     event_type text NULL,
     headers jsonb NOT NULL DEFAULT '{}'::jsonb,
     payload jsonb NULL,
     payload_ref text NULL,
     status text NOT NULL DEFAULT 'received',
     attempts integer NOT NULL DEFAULT 0,
     last_error text NULL,
     received_at timestamptz(3) NOT NULL DEFAULT now(),
     processed_at timestamptz(3) NULL,
     updated_at timestamptz(3) NOT NULL DEFAULT now(),
     CONSTRAINT pk_webhook_inbox PRIMARY KEY (id),
     ${workspaceFk('webhook_inbox')},
     CONSTRAINT fk_webhook_inbox_route FOREIGN KEY (route_id) REFERENCES webhook_routes (id) ON DELETE SET NULL,
     CONSTRAINT uq_webhook_inbox_workspace_provider_event UNIQUE (workspace_id, provider, event_id),
     CONSTRAINT ck_webhook_inbox_status CHECK (status IN ('received', 'processing', 'processed', 'failed')),
     CONSTRAINT ck_webhook_inbox_payload CHECK (payload IS NOT NULL OR payload_ref IS NOT NULL)
   )`,
  `CREATE INDEX ix_webhook_inbox_workspace_status_received ON webhook_inbox (workspace_id, status, received_at)`,
  `CREATE INDEX ix_webhook_inbox_workspace_received ON webhook_inbox (workspace_id, received_at)`,

  `CREATE TABLE jobs (
     id uuid NOT NULL DEFAULT gen_random_uuid(),
     workspace_id uuid NOT NULL,
     connector_id uuid NULL,
     connector text NOT NULL,
     operation text NOT NULL,
     payload jsonb NULL,
     payload_ref text NULL,
     status text NOT NULL DEFAULT 'queued',
     attempts integer NOT NULL DEFAULT 0,
     max_attempts integer NOT NULL DEFAULT 3,
     callback_url text NULL,
     callback_status text NULL,
     callback_attempts integer NOT NULL DEFAULT 0,
     delay_until timestamptz(3) NULL,
     output jsonb NULL,
     error jsonb NULL,
     cancel_requested boolean NOT NULL DEFAULT false,
     config_version text NULL,
     trace_context jsonb NULL,
     idempotency_key varchar(255) NULL,
     created_at timestamptz(3) NOT NULL DEFAULT now(),
     updated_at timestamptz(3) NOT NULL DEFAULT now(),
     started_at timestamptz(3) NULL,
     finished_at timestamptz(3) NULL,
     CONSTRAINT pk_jobs PRIMARY KEY (id),
     ${workspaceFk('jobs')},
     CONSTRAINT fk_jobs_connector FOREIGN KEY (connector_id) REFERENCES connectors (id) ON DELETE SET NULL,
     CONSTRAINT ck_jobs_status CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'dead_lettered', 'cancelled')),
     CONSTRAINT ck_jobs_callback_status CHECK (callback_status IS NULL OR callback_status IN ('pending', 'delivering', 'delivered', 'failed')),
     CONSTRAINT ck_jobs_attempts CHECK (attempts >= 0 AND max_attempts >= 1)
   )`,
  `CREATE INDEX ix_jobs_workspace_status_created ON jobs (workspace_id, status, created_at)`,
  `CREATE INDEX ix_jobs_workspace_created ON jobs (workspace_id, created_at)`,
  `CREATE INDEX ix_jobs_status_updated ON jobs (status, updated_at)`,

  `CREATE TABLE runs (
     id uuid NOT NULL DEFAULT gen_random_uuid(),
     workspace_id uuid NOT NULL,
     job_id uuid NOT NULL,
     attempt integer NOT NULL,
     status text NOT NULL DEFAULT 'running',
     started_at timestamptz(3) NOT NULL DEFAULT now(),
     finished_at timestamptz(3) NULL,
     upstream_status integer NULL,
     duration_ms integer NULL,
     error jsonb NULL,
     updated_at timestamptz(3) NOT NULL DEFAULT now(),
     CONSTRAINT pk_runs PRIMARY KEY (id),
     ${workspaceFk('runs')},
     CONSTRAINT fk_runs_job FOREIGN KEY (job_id) REFERENCES jobs (id) ON DELETE CASCADE,
     CONSTRAINT uq_runs_job_attempt UNIQUE (job_id, attempt),
     CONSTRAINT ck_runs_status CHECK (status IN ('running', 'succeeded', 'failed', 'cancelled')),
     CONSTRAINT ck_runs_attempt CHECK (attempt >= 1)
   )`,
  `CREATE INDEX ix_runs_workspace_started ON runs (workspace_id, started_at)`,

  `CREATE TABLE idempotency_keys (
     id uuid NOT NULL DEFAULT gen_random_uuid(),
     workspace_id uuid NOT NULL,
     endpoint text NOT NULL,
     key varchar(255) NOT NULL,
     fingerprint text NOT NULL,
     status text NOT NULL DEFAULT 'in_flight',
     response_status integer NULL,
     response_body jsonb NULL,
     response_headers jsonb NULL,
     locked_until timestamptz(3) NULL,
     expires_at timestamptz(3) NOT NULL,
     created_at timestamptz(3) NOT NULL DEFAULT now(),
     updated_at timestamptz(3) NOT NULL DEFAULT now(),
     CONSTRAINT pk_idempotency_keys PRIMARY KEY (id),
     ${workspaceFk('idempotency_keys')},
     CONSTRAINT uq_idempotency_keys_workspace_endpoint_key UNIQUE (workspace_id, endpoint, key),
     CONSTRAINT ck_idempotency_keys_status CHECK (status IN ('in_flight', 'completed'))
   )`,
  `CREATE INDEX ix_idempotency_keys_expires_at ON idempotency_keys (expires_at)`,

  `CREATE TABLE event_log (
     id bigint GENERATED ALWAYS AS IDENTITY,
     workspace_id uuid NOT NULL,
     type text NOT NULL,
     job_id uuid NULL,
     execution_id uuid NULL,
     data jsonb NOT NULL DEFAULT '{}'::jsonb,
     created_at timestamptz(3) NOT NULL DEFAULT now(),
     CONSTRAINT pk_event_log PRIMARY KEY (id),
     ${workspaceFk('event_log')}
   )`,
  `CREATE INDEX ix_event_log_workspace_id ON event_log (workspace_id, id)`,
  `CREATE INDEX ix_event_log_workspace_job ON event_log (workspace_id, job_id, id)`,

  `CREATE TABLE request_log (
     id bigint GENERATED ALWAYS AS IDENTITY,
     workspace_id uuid NOT NULL,
     request_id text NOT NULL,
     method text NOT NULL,
     route text NOT NULL,
     status integer NOT NULL,
     duration_ms integer NOT NULL,
     connector text NULL,
     operation text NULL,
     created_at timestamptz(3) NOT NULL DEFAULT now(),
     CONSTRAINT pk_request_log PRIMARY KEY (id),
     ${workspaceFk('request_log')}
   )`,
  `CREATE INDEX ix_request_log_workspace_created ON request_log (workspace_id, created_at)`,

  // No workspace foreign key: audit rows outlive their workspace.
  `CREATE TABLE operator_audit_log (
     id bigint GENERATED ALWAYS AS IDENTITY,
     workspace_id uuid NULL,
     actor_type text NOT NULL,
     actor_id text NOT NULL,
     impersonator_id text NULL,
     action text NOT NULL,
     target_type text NULL,
     target_id text NULL,
     reason text NULL,
     before jsonb NULL,
     after jsonb NULL,
     request_id text NULL,
     ip inet NULL,
     created_at timestamptz(3) NOT NULL DEFAULT now(),
     prev_hash text NOT NULL,
     hash text NOT NULL,
     CONSTRAINT pk_operator_audit_log PRIMARY KEY (id),
     CONSTRAINT uq_operator_audit_log_prev_hash UNIQUE (prev_hash),
     CONSTRAINT ck_operator_audit_log_actor_type CHECK (actor_type IN ('operator', 'service', 'system'))
   )`,
  `CREATE INDEX ix_operator_audit_log_workspace_id ON operator_audit_log (workspace_id, id)`,
  `CREATE TRIGGER trg_operator_audit_log_immutable BEFORE UPDATE OR DELETE ON operator_audit_log
     FOR EACH ROW EXECUTE FUNCTION orch_reject_mutation()`,
  `CREATE TRIGGER trg_operator_audit_log_no_truncate BEFORE TRUNCATE ON operator_audit_log
     FOR EACH STATEMENT EXECUTE FUNCTION orch_reject_mutation()`,

  `CREATE TABLE impersonation_sessions (
     id uuid NOT NULL DEFAULT gen_random_uuid(),
     workspace_id uuid NOT NULL,
     operator_id uuid NOT NULL,
     reason text NOT NULL,
     expires_at timestamptz(3) NOT NULL,
     ended_at timestamptz(3) NULL,
     created_at timestamptz(3) NOT NULL DEFAULT now(),
     updated_at timestamptz(3) NOT NULL DEFAULT now(),
     CONSTRAINT pk_impersonation_sessions PRIMARY KEY (id),
     ${workspaceFk('impersonation_sessions')},
     CONSTRAINT fk_impersonation_sessions_operator FOREIGN KEY (operator_id) REFERENCES operators (id) ON DELETE CASCADE
   )`,
  `CREATE INDEX ix_impersonation_sessions_workspace_created ON impersonation_sessions (workspace_id, created_at)`,
  `CREATE INDEX ix_impersonation_sessions_operator_id ON impersonation_sessions (operator_id)`,
];

/** Reverse order of creation; dropping a table drops its triggers and indexes. */
const DOWN: readonly string[] = [
  'DROP TABLE impersonation_sessions',
  'DROP TABLE operator_audit_log',
  'DROP TABLE request_log',
  'DROP TABLE event_log',
  'DROP TABLE idempotency_keys',
  'DROP TABLE runs',
  'DROP TABLE jobs',
  'DROP TABLE webhook_inbox',
  'DROP TABLE webhook_routes',
  'DROP TABLE config_activations',
  'DROP TABLE config_pointers',
  'DROP TABLE configs',
  'DROP TABLE connectors',
  'DROP TABLE secret_values',
  'DROP TABLE secret_refs',
  'DROP TABLE policies',
  'DROP TABLE service_identities',
  'DROP TABLE operators',
  'DROP TABLE workspaces',
  'DROP FUNCTION orch_reject_config_mutation()',
  'DROP FUNCTION orch_reject_mutation()',
];

export class InitialSchema1795741449973 implements MigrationInterface {
  // Explicit, so the row in schema_migrations does not depend on class-name mangling.
  readonly name = 'InitialSchema1795741449973';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const statement of UP) await queryRunner.query(statement);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const statement of DOWN) await queryRunner.query(statement);
  }
}
