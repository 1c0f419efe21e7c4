import { compareEventIds } from './event-rows';

describe('compareEventIds', () => {
  it('orders bigint ids given as text numerically, beyond Number.MAX_SAFE_INTEGER too', () => {
    const ids = ['10', '9', '100', '9223372036854775807', '9007199254740993', '9007199254740992', '1'];
    expect([...ids].sort(compareEventIds)).toEqual(['1', '9', '10', '100', '9007199254740992', '9007199254740993', '9223372036854775807']);
    expect(compareEventIds('42', '42')).toBe(0);
  });
});
