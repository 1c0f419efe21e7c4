import { DEFAULT_RETRY_BATCH, isRetryable, timeRangeProblem, toInboxFilter, toRetrySelection } from './webhook-inbox-selection';

const ID = '7b0e1f9c-9a52-4c1e-8f7e-3b1f0d0c2a11';

describe('toRetrySelection', () => {
  it('takes a filter with failed and the default batch when not told otherwise', () => {
    expect(toRetrySelection({ filter: {} })).toEqual({ selection: { kind: 'filter', filter: { status: 'failed' }, limit: DEFAULT_RETRY_BATCH } });
    expect(toRetrySelection({ filter: { status: 'processed', provider: 'stripe', type: 'invoice.paid', route_id: ID, received_after: '2026-01-01T00:00:00Z' }, limit: 5 })).toEqual({
      selection: { kind: 'filter', filter: { status: 'processed', provider: 'stripe', type: 'invoice.paid', routeId: ID, receivedAfter: new Date('2026-01-01T00:00:00Z') }, limit: 5 },
    });
  });

  it('takes ids once each, in lower case', () => {
    expect(toRetrySelection({ ids: [ID, ID.toUpperCase()] })).toEqual({ selection: { kind: 'ids', ids: [ID] } });
  });

  it('refuses neither or both of filter and ids, and a limit with ids', () => {
    expect(toRetrySelection({})).toEqual({ problems: [{ path: '/filter', message: expect.any(String) }] });
    expect(toRetrySelection({ ids: [ID], filter: {} })).toEqual({ problems: [{ path: '/ids', message: expect.any(String) }] });
    expect(toRetrySelection({ ids: [ID], limit: 3 })).toEqual({ problems: [{ path: '/limit', message: expect.any(String) }] });
  });

  it('accepts a one-instant time range (both ends inclusive) and refuses a reversed one', () => {
    const at = '2026-01-01T00:00:00Z';
    expect('selection' in toRetrySelection({ filter: { received_after: at, received_before: at } })).toBe(true);
    expect(toRetrySelection({ filter: { received_after: '2026-01-02T00:00:00Z', received_before: at } })).toEqual({ problems: [{ path: '/filter/received_before', message: expect.any(String) }] });
  });
});

describe('timeRangeProblem', () => {
  it('names the given path for a reversed range only', () => {
    expect(timeRangeProblem(toInboxFilter({ received_after: '2026-01-02T00:00:00Z', received_before: '2026-01-01T00:00:00Z' }), '/received_before')).toEqual([{ path: '/received_before', message: expect.any(String) }]);
    expect(timeRangeProblem(toInboxFilter({ received_after: '2026-01-01T00:00:00Z' }), '/received_before')).toEqual([]);
  });
});

describe('isRetryable', () => {
  it('is true for failed and processed only', () => {
    expect(['received', 'processing', 'processed', 'failed'].map((status) => isRetryable(status as 'failed'))).toEqual([false, false, true, true]);
  });
});
