import { MicroBatcher } from './micro-batcher';

function deferred<T>(): { promise: Promise<T>; resolve(value: T): void; reject(error: unknown): void } {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('MicroBatcher', () => {
  it('runs the items of one tick as one batch and hands each caller its own result', async () => {
    const batches: number[][] = [];
    const batcher = new MicroBatcher<number, number>({
      maxBatch: 100,
      run: async (items) => {
        batches.push([...items]);
        return items.map((n) => n * 10);
      },
    });
    const results = await Promise.all([1, 2, 3].map((n) => batcher.submit(n)));
    expect(results).toEqual([10, 20, 30]);
    expect(batches).toEqual([[1, 2, 3]]);
  });

  it('collects what arrives while a batch is in flight into the next one, up to maxBatch', async () => {
    const gate = deferred<void>();
    const batches: number[][] = [];
    const batcher = new MicroBatcher<number, number>({
      maxBatch: 3,
      run: async (items) => {
        batches.push([...items]);
        if (batches.length === 1) await gate.promise;
        return items;
      },
    });
    const first = batcher.submit(0);
    await new Promise((resolve) => setImmediate(resolve));
    const later = [1, 2, 3, 4, 5].map((n) => batcher.submit(n));
    expect(batcher.waiting).toBe(5);
    gate.resolve();
    expect(await Promise.all([first, ...later])).toEqual([0, 1, 2, 3, 4, 5]);
    expect(batches).toEqual([[0], [1, 2, 3], [4, 5]]);
  });

  it('keeps items of different keys in different batches', async () => {
    const batches: string[][] = [];
    const batcher = new MicroBatcher<string, string>({
      maxBatch: 10,
      concurrency: 2,
      key: (item) => item[0] ?? '',
      run: async (items) => {
        batches.push([...items]);
        return items;
      },
    });
    await Promise.all(['a1', 'b1', 'a2', 'b2'].map((s) => batcher.submit(s)));
    expect(batches.sort()).toEqual([
      ['a1', 'a2'],
      ['b1', 'b2'],
    ]);
  });

  it('rejects every item of a failed batch and goes on with the next', async () => {
    let calls = 0;
    const batcher = new MicroBatcher<number, number>({
      maxBatch: 10,
      run: async (items) => {
        calls++;
        if (calls === 1) throw new Error('database away');
        return items;
      },
    });
    const failed = await Promise.allSettled([batcher.submit(1), batcher.submit(2)]);
    expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(await batcher.submit(3)).toBe(3);
  });

  it('rejects a batch whose run answers the wrong number of results', async () => {
    const batcher = new MicroBatcher<number, number>({ maxBatch: 10, run: async () => [1] });
    await expect(Promise.all([batcher.submit(1), batcher.submit(2)])).rejects.toThrow('answered 1 results for 2 items');
  });

  it('runs at most `concurrency` batches at once', async () => {
    let running = 0;
    let peak = 0;
    const batcher = new MicroBatcher<number, number>({
      maxBatch: 1,
      concurrency: 2,
      run: async (items) => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((resolve) => setTimeout(resolve, 5));
        running--;
        return items;
      },
    });
    await Promise.all(Array.from({ length: 6 }, (_, i) => batcher.submit(i)));
    expect(peak).toBe(2);
  });

  it('refuses nonsense options', () => {
    expect(() => new MicroBatcher({ maxBatch: 0, run: async () => [] })).toThrow('maxBatch');
    expect(() => new MicroBatcher({ maxBatch: 1, concurrency: 0, run: async () => [] })).toThrow('concurrency');
  });
});
