import { resolveRequestId, traceIdFromTraceparent } from './request-id';

describe('resolveRequestId', () => {
  it('keeps a well-formed id and replaces anything else with a UUID', () => {
    expect(resolveRequestId('abc-123-def-456')).toBe('abc-123-def-456');
    expect(resolveRequestId(['first-id-0001', 'second'])).toBe('first-id-0001');
    expect(resolveRequestId('has space in it')).toMatch(/^[0-9a-f-]{36}$/);
    expect(resolveRequestId(undefined)).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('traceIdFromTraceparent', () => {
  it('reads the trace id of a valid header', () => {
    expect(traceIdFromTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01')).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
  });

  it('ignores malformed and all-zero ids', () => {
    expect(traceIdFromTraceparent('garbage')).toBeUndefined();
    expect(traceIdFromTraceparent('00-00000000000000000000000000000000-00f067aa0ba902b7-01')).toBeUndefined();
    expect(traceIdFromTraceparent(undefined)).toBeUndefined();
  });
});
