import { isEventCursor, matchesEventFilters, parseEventTypeFilter } from './event-query';

describe('parseEventTypeFilter', () => {
  it('accepts exact types and comma-separated lists', () => {
    expect(parseEventTypeFilter('job.queued')).toEqual({ types: ['job.queued'] });
    expect(parseEventTypeFilter('job.queued, run.failed')).toEqual({ types: ['job.queued', 'run.failed'] });
  });

  it('expands family wildcards to the known types of the family', () => {
    expect(parseEventTypeFilter('run.*')).toEqual({ types: ['run.started', 'run.succeeded', 'run.failed'] });
    const callbacks = parseEventTypeFilter('callback.*,callback.failed');
    expect(callbacks).toEqual({ types: ['callback.delivered', 'callback.retry_scheduled', 'callback.failed'] });
  });

  it('names the first unknown item', () => {
    expect(parseEventTypeFilter('job.queued,job.nope')).toEqual({ invalid: 'job.nope' });
    expect(parseEventTypeFilter('nope.*')).toEqual({ invalid: 'nope.*' });
    expect(parseEventTypeFilter('*')).toEqual({ invalid: '*' });
    expect(parseEventTypeFilter('')).toEqual({ invalid: '' });
  });
});

describe('isEventCursor', () => {
  it('accepts decimal ids up to the bigint maximum', () => {
    expect(isEventCursor('0')).toBe(true);
    expect(isEventCursor('9223372036854775807')).toBe(true);
  });

  it('refuses anything else', () => {
    for (const value of ['', '-1', '1.5', 'abc', ' 1', '9223372036854775808', '12345678901234567890', 1]) expect(isEventCursor(value)).toBe(false);
  });
});

describe('matchesEventFilters', () => {
  const event = { type: 'run.failed', job_id: 'j1', execution_id: null };

  it('matches when every given filter matches', () => {
    expect(matchesEventFilters(event, {})).toBe(true);
    expect(matchesEventFilters(event, { jobId: 'j1', types: ['run.failed', 'job.queued'] })).toBe(true);
    expect(matchesEventFilters(event, { types: [] })).toBe(true);
  });

  it('refuses another job, execution or type', () => {
    expect(matchesEventFilters(event, { jobId: 'j2' })).toBe(false);
    expect(matchesEventFilters(event, { executionId: 'e1' })).toBe(false);
    expect(matchesEventFilters(event, { types: ['job.queued'] })).toBe(false);
  });
});
