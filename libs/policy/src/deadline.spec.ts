import { Deadline } from './deadline';

const timeout = { connect_ms: 2_000, read_ms: 10_000, total_ms: 15_000 };

describe('Deadline', () => {
  it('counts down the total budget and never goes negative', () => {
    const d = Deadline.start(1_000, timeout.total_ms);
    expect(d.deadlineAt).toBe(16_000);
    expect(d.remaining(1_000)).toBe(15_000);
    expect(d.remaining(15_999)).toBe(1);
    expect(d.expired(15_999)).toBe(false);
    expect(d.remaining(16_000)).toBe(0);
    expect(d.remaining(99_000)).toBe(0);
    expect(d.expired(16_000)).toBe(true);
  });

  it('lets a requested timeout shorten but not lengthen the budget', () => {
    expect(Deadline.start(0, 15_000, 3_000).deadlineAt).toBe(3_000);
    expect(Deadline.start(0, 15_000, 60_000).deadlineAt).toBe(15_000);
    expect(Deadline.start(0, 15_000, -5).deadlineAt).toBe(0);
  });

  it('caps per-attempt connect/read timeouts by what remains', () => {
    const d = Deadline.start(0, timeout.total_ms);
    expect(d.attemptTimeouts(timeout, 0)).toEqual({ connect_ms: 2_000, read_ms: 10_000, total_ms: 15_000 });
    expect(d.attemptTimeouts(timeout, 9_000)).toEqual({ connect_ms: 2_000, read_ms: 6_000, total_ms: 6_000 });
    expect(d.attemptTimeouts(timeout, 14_500)).toEqual({ connect_ms: 500, read_ms: 500, total_ms: 500 });
    expect(d.attemptTimeouts(timeout, 20_000)).toEqual({ connect_ms: 0, read_ms: 0, total_ms: 0 });
  });

  it('no attempt scheduled inside the budget can run past the deadline', () => {
    const d = Deadline.start(0, timeout.total_ms);
    for (let now = 0; now <= 16_000; now += 250) {
      const t = d.attemptTimeouts(timeout, now);
      expect(now + Math.max(t.connect_ms, t.read_ms, t.total_ms)).toBeLessThanOrEqual(Math.max(now, d.deadlineAt));
    }
  });
});
