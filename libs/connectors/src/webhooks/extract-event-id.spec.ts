import { extractEventId } from './extract-event-id';

const body = { id: 'evt_1', data: { id: 'del_9', object: { id: 'pi_1' } }, seq: 42, items: [{ id: 'first' }] };

describe(extractEventId.name, () => {
  it('stripe: the body id, never a header', () => {
    expect(extractEventId('stripe', { 'webhook-id': 'msg_x' }, body)).toBe('evt_1');
    expect(extractEventId('stripe', {}, { object: 'event' })).toBeUndefined();
    expect(extractEventId('stripe', {}, { id: '' })).toBeUndefined();
    expect(extractEventId('stripe', {}, { id: { nested: true } })).toBeUndefined();
  });

  it('standard-webhooks: the webhook-id header, never the body', () => {
    expect(extractEventId('standard-webhooks', { 'webhook-id': 'msg_2Kp1' }, body)).toBe('msg_2Kp1');
    expect(extractEventId('standard-webhooks', {}, body)).toBeUndefined();
    expect(extractEventId('standard-webhooks', { 'webhook-id': ['a', 'b'] }, body)).toBeUndefined();
  });

  it('hmac-sha256: the value at the configured dotted path, `id` by default', () => {
    expect(extractEventId('hmac-sha256', {}, body, 'data.id')).toBe('del_9');
    expect(extractEventId('hmac-sha256', {}, body, 'data.object.id')).toBe('pi_1');
    expect(extractEventId('hmac-sha256', {}, body, 'items.0.id')).toBe('first');
    expect(extractEventId('hmac-sha256', {}, body)).toBe('evt_1');
  });

  it('hmac-sha256: integer ids become text; other values and missing paths are undefined', () => {
    expect(extractEventId('hmac-sha256', {}, body, 'seq')).toBe('42');
    expect(extractEventId('hmac-sha256', {}, { seq: 1.5 }, 'seq')).toBeUndefined();
    expect(extractEventId('hmac-sha256', {}, body, 'data')).toBeUndefined();
    expect(extractEventId('hmac-sha256', {}, body, 'data.missing.id')).toBeUndefined();
    expect(extractEventId('hmac-sha256', {}, body, 'data..id')).toBeUndefined();
    expect(extractEventId('hmac-sha256', {}, null, 'id')).toBeUndefined();
    expect(extractEventId('hmac-sha256', {}, 'not json', 'length')).toBeUndefined();
  });

  it('hmac-sha256: never walks into the prototype chain', () => {
    expect(extractEventId('hmac-sha256', {}, {}, 'constructor.name')).toBeUndefined();
    expect(extractEventId('hmac-sha256', {}, {}, '__proto__.toString')).toBeUndefined();
  });
});
