import { randomUUID } from 'node:crypto';
import { escapeLiteral } from 'pg';
import { DataSource } from 'typeorm';
import { createDataSourceOptions } from '@orch/data';
import { createTestDatabase, type TestDatabase } from '@orch/testing';
import { CLAIM_QUEUED_SQL, TRANSITION_SQL } from '../src/jobs/job-runner.service';

const WORKSPACE = '22222222-2222-4222-8222-222222222222';
const HISTORY = 2000;
const BACKLOG = 1000;
const RUNNING = 300;

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

/** How the plan reads each table: `<table> using <index>` (a bitmap scan names its indexes) or `<table> seq`. */
function scansOf(node: PlanNode): string[] {
  const relation = node['Relation Name'];
  const type = node['Node Type'];
  if (relation !== undefined && type === 'Seq Scan') return [`${relation} seq`];
  if (relation !== undefined && (type === 'Index Scan' || type === 'Index Only Scan')) return [`${relation} using ${node['Index Name'] ?? '?'}`];
  if (relation !== undefined && type === 'Bitmap Heap Scan') return [`${relation} using ${indexesOf(node).join('+')}`];
  return (node.Plans ?? []).flatMap(scansOf);
}

function indexesOf(node: PlanNode): string[] {
  return [...(node['Index Name'] === undefined ? [] : [node['Index Name']]), ...(node.Plans ?? []).flatMap(indexesOf)];
}

/**
 * The worker's batched claim and transition statements find their job rows by id, whatever the
 * planner statistics say (D71). The statistics here are taken while the workspace has no active
 * job — a quiet moment — and a backlog arrives after: the plan a prepared statement keeps must not
 * read the backlog through ix_jobs_active to find the one row it changes.
 */
describe('job claim and transition statements', () => {
  let database: TestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    database = await createTestDatabase();
    dataSource = await new DataSource(createDataSourceOptions({ url: database.url })).initialize();
    await dataSource.query(`INSERT INTO workspaces (id, name) VALUES ($1, 'job-statements')`, [WORKSPACE]);
    await dataSource.query(
      `INSERT INTO jobs (workspace_id, connector, operation, status, attempts, finished_at) SELECT $1, 'c', 'op', 'succeeded', 1, now() FROM generate_series(1, $2)`,
      [WORKSPACE, HISTORY],
    );
    await dataSource.query(`INSERT INTO runs (workspace_id, job_id, attempt, status, finished_at) SELECT workspace_id, id, 1, 'succeeded', now() FROM jobs`);
    await dataSource.query('ANALYZE jobs, runs');
    // After the statistics: a backlog of queued jobs and a crowd of running ones.
    await dataSource.query(`INSERT INTO jobs (workspace_id, connector, operation) SELECT $1, 'c', 'op' FROM generate_series(1, $2)`, [WORKSPACE, BACKLOG]);
    await dataSource.query(`INSERT INTO jobs (workspace_id, connector, operation, status, attempts, started_at) SELECT $1, 'c', 'op', 'running', 1, now() FROM generate_series(1, $2)`, [
      WORKSPACE,
      RUNNING,
    ]);
    await dataSource.query(`INSERT INTO runs (workspace_id, job_id, attempt, status) SELECT workspace_id, id, 1, 'running' FROM jobs WHERE status = 'running'`);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  /**
   * Runs `sql` as a prepared statement with its generic plan (the one a long-lived connection
   * keeps), under EXPLAIN ANALYZE, inside a transaction that is rolled back: its scans and rows.
   */
  async function explainGeneric(sql: string, parameters: unknown[]): Promise<{ scans: string[]; rows: number }> {
    const runner = dataSource.createQueryRunner();
    await runner.startTransaction();
    try {
      await runner.query('SET LOCAL plan_cache_mode = force_generic_plan');
      await runner.query(`PREPARE plan_probe AS ${sql}`);
      // EXPLAIN takes no bind parameters: the values go in as literals.
      const literals = parameters.map((p) => escapeLiteral(typeof p === 'string' ? p : JSON.stringify(p))).join(', ');
      const [row] = (await runner.query(`EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE plan_probe(${literals})`)) as Array<{ 'QUERY PLAN': Array<{ Plan: PlanNode & { 'Actual Rows': number } }> }>;
      const plan = row?.['QUERY PLAN'][0]?.Plan as PlanNode & { 'Actual Rows': number };
      return { scans: scansOf(plan), rows: plan['Actual Rows'] };
    } finally {
      await runner.rollbackTransaction();
      // A prepared statement outlives the transaction's rollback.
      await runner.query('DEALLOCATE plan_probe');
      await runner.release();
    }
  }

  const pgArray = (ids: string[]) => `{${ids.join(',')}}`;

  async function claimProbe(sql: string): Promise<{ scans: string[]; rows: number }> {
    const [queued] = (await dataSource.query(`SELECT id FROM jobs WHERE status = 'queued' ORDER BY created_at DESC LIMIT 1`)) as Array<{ id: string }>;
    const id = queued?.id as string;
    return explainGeneric(sql, [JSON.stringify([{ job_id: id, workspace_id: WORKSPACE, run_id: randomUUID() }]), pgArray([id])]);
  }

  it('claims a queued job through pk_jobs, not through the backlog', async () => {
    const { scans, rows } = await claimProbe(CLAIM_QUEUED_SQL);
    expect(rows).toBe(1);
    expect(scans.filter((scan) => scan.startsWith('jobs '))).toEqual(['jobs using pk_jobs']);
  });

  it('the same claim comparing the status with a literal does read the backlog: the statistics reproduce the hazard', async () => {
    const literal = CLAIM_QUEUED_SQL.replace("(SELECT 'queued'::text)", "'queued'");
    expect(literal).not.toBe(CLAIM_QUEUED_SQL);
    const { scans, rows } = await claimProbe(literal);
    expect(rows).toBe(1);
    expect(scans.filter((scan) => scan.startsWith('jobs '))).toEqual(['jobs using ix_jobs_active']);
  });

  async function transitionProbe(sql: string): Promise<{ scans: string[]; rows: number }> {
    const [running] = (await dataSource.query(
      `SELECT j.id AS job_id, r.id AS run_id FROM jobs j JOIN runs r ON r.job_id = j.id WHERE j.status = 'running' ORDER BY j.created_at DESC LIMIT 1`,
    )) as Array<{ job_id: string; run_id: string }>;
    const { job_id: jobId, run_id: runId } = running as { job_id: string; run_id: string };
    const change = {
      i: 0,
      job_id: jobId,
      attempts: 1,
      status: 'succeeded',
      set_output: true,
      output: { ok: true },
      set_error: false,
      error: null,
      set_delay: false,
      delay_until: null,
      finished: true,
      attempts_delta: 0,
      run_id: runId,
      run_status: 'succeeded',
      run_duration_ms: 5,
      run_upstream_status: 200,
      run_error: null,
    };
    const events = [{ seq: 0, i: 0, if_changed: true, workspace_id: WORKSPACE, type: 'job.succeeded', execution_id: null, job_id: jobId, data: {} }];
    return explainGeneric(sql, [JSON.stringify([change]), pgArray([jobId]), pgArray([runId]), JSON.stringify(events)]);
  }

  it('moves a running job to its next state through pk_jobs and pk_runs', async () => {
    const { scans, rows } = await transitionProbe(TRANSITION_SQL);
    expect(rows).toBe(2); // the job row's index and the event's id
    expect(scans.filter((scan) => scan.startsWith('jobs '))).toEqual(['jobs using pk_jobs']);
    expect(scans.filter((scan) => scan.startsWith('runs '))).toEqual(['runs using pk_runs']);
  });

  it('the same transition comparing the status with a literal reads the running jobs', async () => {
    const literal = TRANSITION_SQL.replace("(SELECT 'running'::text)", "'running'");
    expect(literal).not.toBe(TRANSITION_SQL);
    const { scans, rows } = await transitionProbe(literal);
    expect(rows).toBe(2);
    expect(scans.filter((scan) => scan.startsWith('jobs '))).toEqual(['jobs using ix_jobs_active']);
  });
});

