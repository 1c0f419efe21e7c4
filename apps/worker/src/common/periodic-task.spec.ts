import { Logger } from '@nestjs/common';
import { PeriodicTask } from './periodic-task';

describe(PeriodicTask.name, () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('runs every period, skips a tick while the last run is going, and waits for it on stop', async () => {
    let release: () => void = () => undefined;
    let runs = 0;
    const task = new PeriodicTask('test task', 100, () => {
      runs++;
      return new Promise<void>((resolve) => (release = resolve));
    }, new Logger('test'));
    task.start();

    await jest.advanceTimersByTimeAsync(100);
    expect(runs).toBe(1);
    await jest.advanceTimersByTimeAsync(300);
    expect(runs).toBe(1);

    let stopped = false;
    const stopping = task.stop().then(() => (stopped = true));
    await Promise.resolve();
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(stopped).toBe(true);
    await jest.advanceTimersByTimeAsync(500);
    expect(runs).toBe(1);
  });

  it('logs a failed run and keeps going', async () => {
    const logger = new Logger('test');
    const warn = jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
    let runs = 0;
    const task = new PeriodicTask('flaky', 50, async () => {
      runs++;
      throw new Error('database down');
    }, logger);
    task.start();
    await jest.advanceTimersByTimeAsync(120);
    await task.stop();
    expect(runs).toBe(2);
    expect(warn).toHaveBeenCalledWith('flaky failed: database down');
  });
});
