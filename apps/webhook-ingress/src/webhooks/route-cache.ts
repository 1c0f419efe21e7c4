interface Entry<V> {
  /** When the load behind `value` started. */
  at: number;
  value: Promise<V | null>;
  /** `value` resolved to a value (not null). */
  loaded: boolean;
  /** A background reload of this entry is in flight. */
  refreshing: boolean;
}

/**
 * A per-process cache of loaded values for `ttlMs`, keyed by string. It holds promises, so
 * concurrent misses of one key share a single load. Past `ttlMs`, the first call starts one
 * reload in the background and, until it lands, calls keep the previous value, for at most
 * another `ttlMs`: a reload never stalls the requests behind it, and no value served is older
 * than twice `ttlMs`. A load that rejects or finds nothing (`null`) is not kept: the next call
 * loads again, so something created a moment ago is found at once. `ttlMs` 0 turns it off.
 */
export class TtlCache<V> {
  private readonly entries = new Map<string, Entry<V>>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
    private readonly clock: () => number = Date.now,
  ) {}

  get(key: string, load: () => Promise<V | null>): Promise<V | null> {
    if (this.ttlMs <= 0) return load();
    const now = this.clock();
    const hit = this.entries.get(key);
    if (hit !== undefined) {
      const age = now - hit.at;
      if (age < this.ttlMs) return hit.value;
      // Still loading (slower than the TTL): share that load rather than start another.
      if (!hit.loaded) return hit.value;
      if (age < 2 * this.ttlMs) {
        if (!hit.refreshing) this.refresh(key, hit, now, load);
        return hit.value;
      }
    }
    return this.fresh(key, now, load);
  }

  private fresh(key: string, now: number, load: () => Promise<V | null>): Promise<V | null> {
    const value = load();
    const entry: Entry<V> = { at: now, value, loaded: false, refreshing: false };
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(key, entry);
    value.then(
      (loaded) => {
        if (loaded !== null) entry.loaded = true;
        else if (this.entries.get(key) === entry) this.entries.delete(key);
      },
      () => {
        if (this.entries.get(key) === entry) this.entries.delete(key);
      },
    );
    return value;
  }

  private refresh(key: string, stale: Entry<V>, now: number, load: () => Promise<V | null>): void {
    stale.refreshing = true;
    const value = load();
    value.then(
      (loaded) => {
        if (this.entries.get(key) !== stale) return;
        if (loaded === null) this.entries.delete(key);
        else this.entries.set(key, { at: now, value, loaded: true, refreshing: false });
      },
      () => {
        if (this.entries.get(key) === stale) this.entries.delete(key);
      },
    );
  }
}
