import { SchemaValidator } from '@orch/connectors';
import type { AdmitResult, FinishResult } from '@orch/policy';
import type { ConnectorCatalog } from './connector-catalog';
import { ExecutionService, type PreparedExecution } from './execution.service';

const FINISHED: FinishResult = { transitions: [], status: undefined, released: true };

function setUp() {
  /** The closing scripts sent so far; the test decides when Redis "answers" each. */
  const finishes: Array<{ resolve(value: FinishResult): void; reject(error: unknown): void }> = [];
  const backgroundErrors: unknown[] = [];
  const admitted: AdmitResult = {
    admitted: true,
    rateLimit: { allowed: true, limit: 100, remaining: 99, resetMs: 0, retryAfterMs: 0 } as never,
    permit: 'closed' as never,
    status: 'closed' as never,
    transitions: [],
  };
  const service = new ExecutionService({
    catalog: {} as ConnectorCatalog,
    validator: new SchemaValidator(),
    runtimes: { get: () => ({ attempt: async () => ({ kind: 'response', status: 200, headers: {}, output: { ok: true }, durationMs: 1 }) }) } as never,
    secrets: { resolve: async () => 'unused' },
    admission: {
      admit: async () => admitted,
      finish: () => new Promise<FinishResult>((resolve, reject) => finishes.push({ resolve, reject })),
    },
    breakers: { acquire: async () => ({ admission: { allowed: true } as never, transitions: [] }), record: async () => ({ transitions: [] }) },
    events: { event: () => undefined },
    onBackgroundError: (error) => backgroundErrors.push(error),
  });
  const prepared = (finishInBackground: boolean): PreparedExecution =>
    ({
      executionId: 'exec-1',
      input: { workspaceId: 'ws-1', connector: 'api', operation: 'get', payload: {}, jobId: 'job-1', maxAttempts: 1, ...(finishInBackground ? { finishInBackground } : {}) },
      resolved: {
        workspaceId: 'ws-1',
        quotas: { rps: 100, concurrency: 10, queue_depth: 100 },
        connector: { id: 'c-1', name: 'api', type: 'http', config: {}, secretRefs: {} },
        policy: {
          timeout: { connect_ms: 100, read_ms: 100, total_ms: 1000 },
          retry: { max_attempts: 1, base_delay_ms: 10, max_delay_ms: 10, jitter: 'full', retry_on: [] },
          circuitBreaker: { failure_threshold: 5, window_ms: 1000, open_ms: 1000, half_open_max_calls: 1 },
          rateLimit: { capacity: 100, refill_per_sec: 100 },
          degradation: 'fail_fast',
        },
      },
      operation: { operation_id: 'get' },
      payload: {},
    }) as never;
  return { service, finishes, backgroundErrors, prepared };
}

const pending = Symbol('pending');
const stateOf = (promise: Promise<unknown>): Promise<unknown> => Promise.race([promise, new Promise((resolve) => setImmediate(() => resolve(pending)))]);

describe('ExecutionService closing script', () => {
  it('waits for Redis to answer the closing script by default', async () => {
    const { service, finishes, prepared } = setUp();
    const run = service.run(prepared(false));
    await new Promise((resolve) => setImmediate(resolve));
    expect(finishes).toHaveLength(1);
    expect(await stateOf(run)).toBe(pending);
    finishes[0]?.resolve(FINISHED);
    expect(await run).toMatchObject({ ok: true, attempts: 1 });
  });

  it('with finishInBackground answers at once; settled() waits for the closing script', async () => {
    const { service, finishes, prepared } = setUp();
    expect(await service.run(prepared(true))).toMatchObject({ ok: true, upstream: { status: 200 } });
    expect(finishes).toHaveLength(1);
    const settled = service.settled();
    expect(await stateOf(settled)).toBe(pending);
    finishes[0]?.resolve(FINISHED);
    await expect(settled).resolves.toBeUndefined();
  });

  it('a closing script that fails in the background is reported, not thrown, and leaves nothing pending', async () => {
    const { service, finishes, backgroundErrors, prepared } = setUp();
    expect(await service.run(prepared(true))).toMatchObject({ ok: true });
    finishes[0]?.reject(new Error('redis went away'));
    await service.settled();
    expect(backgroundErrors).toEqual([expect.objectContaining({ message: 'redis went away' })]);
    await expect(service.settled()).resolves.toBeUndefined();
  });
});
