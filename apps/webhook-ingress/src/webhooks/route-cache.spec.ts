import { TtlCache } from './route-cache';

/** Lets the cache's own promise callbacks run. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('TtlCache', () => {
  let now: number;
  const clock = (): number => now;

  beforeEach(() => {
    now = 1_000;
  });

  it('reuses a loaded value within the TTL', async () => {
    const cache = new TtlCache<string>(1000, 10, clock);
    const load = jest.fn().mockResolvedValue('a');
    await expect(cache.get('k', load)).resolves.toBe('a');
    now += 999;
    await expect(cache.get('k', load)).resolves.toBe('a');
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('past the TTL, keeps answering the previous value while one background reload runs, then the new one', async () => {
    const cache = new TtlCache<string>(1000, 10, clock);
    let resolveReload: (value: string) => void = () => undefined;
    const load = jest
      .fn()
      .mockResolvedValueOnce('old')
      .mockImplementationOnce(() => new Promise<string>((resolve) => (resolveReload = resolve)));
    await cache.get('k', load);
    await settle();
    now += 1000;
    await expect(cache.get('k', load)).resolves.toBe('old');
    await expect(cache.get('k', load)).resolves.toBe('old');
    expect(load).toHaveBeenCalledTimes(2);
    resolveReload('new');
    await settle();
    await expect(cache.get('k', load)).resolves.toBe('new');
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('never answers a value older than twice the TTL: then it waits for a fresh load', async () => {
    const cache = new TtlCache<string>(1000, 10, clock);
    const load = jest.fn().mockResolvedValueOnce('old').mockResolvedValueOnce('fresh');
    await cache.get('k', load);
    await settle();
    now += 2000;
    await expect(cache.get('k', load)).resolves.toBe('fresh');
  });

  it('drops the entry when a reload finds nothing, so a removed value is not served again', async () => {
    const cache = new TtlCache<string>(1000, 10, clock);
    const load = jest.fn().mockResolvedValueOnce('there').mockResolvedValueOnce(null).mockResolvedValueOnce(null);
    await cache.get('k', load);
    await settle();
    now += 1000;
    await expect(cache.get('k', load)).resolves.toBe('there'); // starts the reload, which finds nothing
    await settle();
    await expect(cache.get('k', load)).resolves.toBeNull();
  });

  it('shares one load between concurrent misses of a key', async () => {
    const cache = new TtlCache<string>(1000, 10, clock);
    let resolve: (value: string) => void = () => undefined;
    const load = jest.fn(() => new Promise<string>((r) => (resolve = r)));
    const first = cache.get('k', load);
    const second = cache.get('k', load);
    resolve('v');
    await expect(Promise.all([first, second])).resolves.toEqual(['v', 'v']);
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('keeps neither a miss (null) nor a failed load', async () => {
    const cache = new TtlCache<string>(1000, 10, clock);
    const missing = jest.fn().mockResolvedValueOnce(null).mockResolvedValueOnce('found');
    await expect(cache.get('k', missing)).resolves.toBeNull();
    await settle();
    await expect(cache.get('k', missing)).resolves.toBe('found');
    const failing = jest.fn().mockRejectedValueOnce(new Error('db down')).mockResolvedValueOnce('back');
    await expect(cache.get('f', failing)).rejects.toThrow('db down');
    await settle();
    await expect(cache.get('f', failing)).resolves.toBe('back');
  });

  it('loads every time with a TTL of 0, and starts over when full', async () => {
    const off = new TtlCache<string>(0, 10, clock);
    const load = jest.fn().mockResolvedValue('v');
    await off.get('k', load);
    await off.get('k', load);
    expect(load).toHaveBeenCalledTimes(2);

    const small = new TtlCache<string>(1000, 2, clock);
    const counted = jest.fn().mockResolvedValue('v');
    await small.get('a', counted);
    await small.get('b', counted);
    await small.get('c', counted); // full: a and b are dropped
    await small.get('a', counted);
    expect(counted).toHaveBeenCalledTimes(4);
  });
});
