/**
 * Runs items that arrive close together as one batch: "group commit" for hot statements that
 * many concurrent callers issue one row at a time (job submissions, job claims, job transitions).
 *
 * - submit() queues the item and resolves with its own result once its batch has run.
 * - No timer and no added latency when idle: the first item of a quiet period runs on the next
 *   macrotask (so the callers of one tick share a batch); while `concurrency` batches are in
 *   flight, new items wait and go together as soon as one finishes. Batches therefore grow with
 *   the load by themselves, up to `maxBatch`.
 * - Items with different `key`s never share a batch (e.g. statements of a different shape).
 * - `run` answers one result per item, in order; if it throws (or answers the wrong number of
 *   results) every item of that batch rejects with the error — callers keep their own error
 *   handling, as if each had run its own statement.
 */
export interface MicroBatcherOptions<I, O> {
  run(items: readonly I[]): Promise<readonly O[]>;
  /** Items per batch at most. */
  maxBatch: number;
  /** Batches in flight at once (default 1). */
  concurrency?: number;
  /** Items whose keys differ run in different batches (default: one key for all). */
  key?(item: I): string;
}

interface Pending<I, O> {
  item: I;
  resolve(value: O): void;
  reject(error: unknown): void;
}

export class MicroBatcher<I, O> {
  private readonly queues = new Map<string, Array<Pending<I, O>>>();
  private readonly maxBatch: number;
  private readonly concurrency: number;
  private inFlight = 0;
  private scheduled = false;
  private size = 0;

  constructor(private readonly options: MicroBatcherOptions<I, O>) {
    this.maxBatch = options.maxBatch;
    this.concurrency = options.concurrency ?? 1;
    if (!Number.isInteger(this.maxBatch) || this.maxBatch < 1) throw new Error('MicroBatcher: maxBatch must be a positive integer');
    if (!Number.isInteger(this.concurrency) || this.concurrency < 1) throw new Error('MicroBatcher: concurrency must be a positive integer');
  }

  /** Items waiting for a batch (not counting those in flight). */
  get waiting(): number {
    return this.size;
  }

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      const key = this.options.key?.(item) ?? '';
      let queue = this.queues.get(key);
      if (queue === undefined) {
        queue = [];
        this.queues.set(key, queue);
      }
      queue.push({ item, resolve, reject });
      this.size++;
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.concurrency) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.pump();
    });
  }

  /** Starts batches while there is room, the longest-waiting key first. */
  private pump(): void {
    while (this.inFlight < this.concurrency && this.size > 0) {
      const [key, queue] = this.queues.entries().next().value as [string, Array<Pending<I, O>>];
      const batch = queue.splice(0, this.maxBatch);
      if (queue.length === 0) this.queues.delete(key);
      else {
        // Round robin between keys: this one goes to the back.
        this.queues.delete(key);
        this.queues.set(key, queue);
      }
      this.size -= batch.length;
      this.inFlight++;
      void this.runBatch(batch).finally(() => {
        this.inFlight--;
        if (this.size > 0) this.pump();
      });
    }
  }

  private async runBatch(batch: Array<Pending<I, O>>): Promise<void> {
    try {
      const results = await this.options.run(batch.map((p) => p.item));
      if (results.length !== batch.length) throw new Error(`MicroBatcher: run answered ${results.length} results for ${batch.length} items`);
      batch.forEach((p, i) => p.resolve(results[i] as O));
    } catch (error) {
      for (const p of batch) p.reject(error);
    }
  }
}
