import { DEFAULT_DLQ_BATCH, toDlqSelection } from './dlq-selection';

const JOB = '7b0e1f9c-9a52-4c1e-8f7e-3b1f0d0c2a11';

describe('toDlqSelection', () => {
  it('takes one job by id', () => {
    expect(toDlqSelection({ job_id: JOB })).toEqual({ selection: { kind: 'one', jobId: JOB } });
  });

  it('takes a filter with the default batch, an empty filter included', () => {
    expect(toDlqSelection({ filter: {} })).toEqual({ selection: { kind: 'filter', filter: {}, limit: DEFAULT_DLQ_BATCH } });
    expect(toDlqSelection({ filter: { connector: 'billing', error_code: 'UPSTREAM_ERROR', after: '2026-01-01T00:00:00Z' }, limit: 5 })).toEqual({
      selection: { kind: 'filter', filter: { connector: 'billing', errorCode: 'UPSTREAM_ERROR', after: new Date('2026-01-01T00:00:00Z') }, limit: 5 },
    });
  });

  it('refuses neither or both of job_id and filter', () => {
    expect(toDlqSelection({})).toEqual({ problems: [{ path: '/job_id', message: expect.any(String) }] });
    expect(toDlqSelection({ job_id: JOB, filter: {} })).toEqual({ problems: [{ path: '/job_id', message: expect.any(String) }] });
  });

  it('refuses a limit with job_id and an empty time range', () => {
    expect(toDlqSelection({ job_id: JOB, limit: 3 })).toEqual({ problems: [{ path: '/limit', message: expect.any(String) }] });
    expect(toDlqSelection({ filter: { after: '2026-01-02T00:00:00Z', before: '2026-01-01T00:00:00Z' } })).toEqual({ problems: [{ path: '/filter/before', message: expect.any(String) }] });
  });
});
