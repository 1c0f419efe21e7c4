import { AttemptDeadline } from './attempt-deadline';

const reasonOf = (signal: AbortSignal): unknown => signal.reason;

describe('AttemptDeadline', () => {
  it('fires at total_ms with a TimeoutError and says so', async () => {
    const deadline = new AttemptDeadline(20);
    expect(deadline.signal.aborted).toBe(false);
    await new Promise((resolve) => deadline.signal.addEventListener('abort', resolve, { once: true }));
    expect(reasonOf(deadline.signal)).toMatchObject({ name: 'TimeoutError' });
    expect(deadline.state).toEqual({ totalExpired: true, responseExpired: false, callerAborted: false });
    expect(deadline.elapsedMs()).toBeGreaterThanOrEqual(15);
    deadline.dispose();
  });

  it('fires at the response deadline before total_ms and tells it apart', async () => {
    const deadline = new AttemptDeadline(5_000, undefined, 20);
    await new Promise((resolve) => deadline.signal.addEventListener('abort', resolve, { once: true }));
    expect(deadline.state).toEqual({ totalExpired: false, responseExpired: true, callerAborted: false });
    deadline.dispose();
  });

  it("follows the caller's abort with its reason, also when it was aborted before", () => {
    const caller = new AbortController();
    const deadline = new AttemptDeadline(5_000, caller.signal, 5_000);
    caller.abort('cancel');
    expect(deadline.signal.aborted).toBe(true);
    expect(reasonOf(deadline.signal)).toBe('cancel');
    expect(deadline.state).toEqual({ totalExpired: false, responseExpired: false, callerAborted: true });
    deadline.dispose();

    const early = new AttemptDeadline(5_000, caller.signal);
    expect(early.signal.aborted).toBe(true);
    expect(early.state.callerAborted).toBe(true);
    early.dispose();
  });

  it('after dispose() neither its timers nor the caller abort it any more', async () => {
    const caller = new AbortController();
    const deadline = new AttemptDeadline(10, caller.signal, 10);
    deadline.dispose();
    caller.abort('late');
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(deadline.signal.aborted).toBe(false);
    expect(deadline.state).toMatchObject({ totalExpired: false, responseExpired: false });
  });
});
