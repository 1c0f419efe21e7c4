import { DomainError } from '@orch/contracts';
import type { DataSource } from 'typeorm';
import { fingerprintBody, validateIdempotencyKey } from './idempotency-key';

export interface IdempotencyOptions {
  /** How long a completed response is replayed (DESIGN §4: 24 h). */
  ttlMs?: number;
  /**
   * How long an in_flight claim is trusted before another request may take it over. It must
   * exceed the longest a request can run (upstream timeout + margin): a holder still working
   * past its lease would otherwise run alongside the taker.
   */
  leaseMs?: number;
  /** Milliseconds since the epoch; every deadline is computed and compared with it. */
  clock?: () => number;
}

export interface IdempotencyScope {
  workspaceId: string;
  /** e.g. `POST /v1/jobs`. */
  endpoint: string;
  /** A key that went through IdempotencyService.validateKey. */
  key: string;
}

export interface IdempotencyBeginInput extends IdempotencyScope {
  /** IdempotencyService.fingerprint of the request body. */
  fingerprint: string;
}

/**
 * Proof that this request holds the key. `lockedUntil` doubles as the claim token: a takeover
 * or a replacement always writes a later deadline, so an UPDATE guarded by
 * `locked_until = claim.lockedUntil` only matches while the claim is still ours.
 */
export interface IdempotencyClaim extends IdempotencyScope {
  readonly id: string;
  readonly lockedUntil: Date;
}

export interface IdempotentResponse {
  status: number;
  body: unknown;
  headers: Record<string, string>;
}

export type IdempotencyBeginResult = { kind: 'proceed'; claim: IdempotencyClaim } | ({ kind: 'replay' } & IdempotentResponse);

interface KeyRow {
  id: string;
  fingerprint: string;
  status: 'in_flight' | 'completed';
  response_status: number | null;
  response_body: unknown;
  response_headers: Record<string, string> | null;
  locked_until: Date | null;
  expires_at: Date;
}

interface ClaimRow {
  id: string;
  locked_until: Date;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/*
 * A row can change between our read and our write (completed, released, purged, taken over,
 * replaced). Every write is conditional, so on a lost race we re-read and decide again; after
 * this many rounds the key is plainly contended and 409 is the honest answer.
 */
const MAX_ROUNDS = 4;

/**
 * Idempotency-Key handling with Stripe / IETF-draft semantics (DESIGN §4): exactly one request
 * per (workspace, endpoint, key) does the work, across replicas; repeats with the same body
 * replay its stored response.
 *
 * Clock: every deadline (locked_until, expires_at) is computed from the injected clock and
 * compared against it, never against the database's now(): one time source, and tests can move
 * time instead of sleeping. Replicas therefore rely on NTP-level clock agreement, far below the
 * lease (60 s) and the TTL (24 h).
 *
 * Callers validate the request before begin(): nothing is stored for a request that fails
 * validation. After begin() returns `proceed`, exactly one of complete() (a response that
 * should be replayed) or release() (an outcome the client may retry with the same key: rate
 * limited, quota exceeded, circuit open, a server error before the upstream was called) must
 * follow. Replays return the stored headers; the caller adds `Idempotent-Replayed: true`.
 *
 * Plain class, no Nest: exec-api and the worker construct it with their DataSource.
 */
export class IdempotencyService {
  private readonly ttlMs: number;
  private readonly leaseMs: number;
  private readonly clock: () => number;

  constructor(
    private readonly dataSource: DataSource,
    options: IdempotencyOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? DAY_MS;
    this.leaseMs = options.leaseMs ?? 60_000;
    this.clock = options.clock ?? Date.now;
    if (!(this.ttlMs > 0) || !(this.leaseMs > 0)) throw new Error('IdempotencyService: ttlMs and leaseMs must be positive');
  }

  static validateKey(raw: string | readonly string[] | undefined): string | undefined {
    return validateIdempotencyKey(raw);
  }

  fingerprint(body: unknown): string {
    return fingerprintBody(body);
  }

  async begin(input: IdempotencyBeginInput): Promise<IdempotencyBeginResult> {
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const now = this.clock();
      const inserted = await this.insertClaim(input, now);
      if (inserted) return this.proceed(input, inserted);

      const row = await this.read(input);
      if (!row) continue; // released or purged since our INSERT: try to claim again

      if (row.expires_at.getTime() <= now) {
        // Past its TTL but not purged yet: as good as absent.
        const replaced = await this.replaceExpired(row.id, input.fingerprint, now);
        if (replaced) return this.proceed(input, replaced);
        continue;
      }
      if (row.fingerprint !== input.fingerprint) {
        throw new DomainError('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was already used with a different request body.');
      }
      if (row.status === 'completed') return replayOf(row);
      if (row.locked_until !== null && row.locked_until.getTime() > now) throw inProgress();

      // The holder's lease ran out: it crashed or hung. One taker wins the conditional UPDATE.
      const taken = await this.takeOver(row.id, now);
      if (taken) return this.proceed(input, taken);
    }
    throw inProgress();
  }

  /**
   * Stores the response for replay. Returns false when the claim is no longer ours (its lease
   * ran out and another request took the key over, or the row was purged): the response is
   * then not stored, and the caller may log it.
   */
  async complete(claim: IdempotencyClaim, response: IdempotentResponse): Promise<boolean> {
    const now = new Date(this.clock());
    const { affected } = await this.execute(
      `UPDATE idempotency_keys
          SET status = 'completed', response_status = $3, response_body = $4::jsonb, response_headers = $5::jsonb,
              locked_until = NULL, updated_at = $6
        WHERE id = $1 AND status = 'in_flight' AND locked_until = $2`,
      [claim.id, claim.lockedUntil, response.status, jsonParam(response.body), JSON.stringify(response.headers), now],
    );
    return affected === 1;
  }

  /** Forgets the claim so the client can retry with the same key. False when it was no longer ours. */
  async release(claim: IdempotencyClaim): Promise<boolean> {
    const { affected } = await this.execute(`DELETE FROM idempotency_keys WHERE id = $1 AND status = 'in_flight' AND locked_until = $2`, [
      claim.id,
      claim.lockedUntil,
    ]);
    return affected === 1;
  }

  /**
   * Deletes rows past expires_at, `limit` per statement so no transaction holds many locks,
   * until none is left. Rows locked by a concurrent begin() (replacing an expired row) are
   * skipped. Returns how many were deleted.
   */
  async purgeExpired(limit = 1000): Promise<number> {
    if (!Number.isInteger(limit) || limit < 1) throw new Error('purgeExpired: limit must be a positive integer');
    const now = new Date(this.clock());
    let total = 0;
    for (;;) {
      const { affected } = await this.execute(
        `DELETE FROM idempotency_keys
          WHERE expires_at <= $1
            AND id IN (SELECT id FROM idempotency_keys WHERE expires_at <= $1 ORDER BY expires_at LIMIT $2 FOR UPDATE SKIP LOCKED)`,
        [now, limit],
      );
      total += affected;
      if (affected < limit) return total;
    }
  }

  private proceed(scope: IdempotencyScope, row: ClaimRow): IdempotencyBeginResult {
    return {
      kind: 'proceed',
      claim: { workspaceId: scope.workspaceId, endpoint: scope.endpoint, key: scope.key, id: row.id, lockedUntil: row.locked_until },
    };
  }

  private async insertClaim(input: IdempotencyBeginInput, now: number): Promise<ClaimRow | undefined> {
    const { rows } = await this.execute<ClaimRow>(
      `INSERT INTO idempotency_keys (workspace_id, endpoint, key, fingerprint, status, locked_until, expires_at, created_at, updated_at)
       VALUES ($1, $2, $3, $4, 'in_flight', $5, $6, $7, $7)
       ON CONFLICT ON CONSTRAINT uq_idempotency_keys_workspace_endpoint_key DO NOTHING
       RETURNING id, locked_until`,
      [input.workspaceId, input.endpoint, input.key, input.fingerprint, this.leaseEnd(now), new Date(now + this.ttlMs), new Date(now)],
    );
    return rows[0];
  }

  private async read(scope: IdempotencyScope): Promise<KeyRow | undefined> {
    const { rows } = await this.execute<KeyRow>(
      `SELECT id, fingerprint, status, response_status, response_body, response_headers, locked_until, expires_at
         FROM idempotency_keys
        WHERE workspace_id = $1 AND endpoint = $2 AND key = $3`,
      [scope.workspaceId, scope.endpoint, scope.key],
    );
    return rows[0];
  }

  /** A fresh claim on an expired row, in place; the WHERE lets only one concurrent caller win. */
  private async replaceExpired(id: string, fingerprint: string, now: number): Promise<ClaimRow | undefined> {
    const { rows } = await this.execute<ClaimRow>(
      `UPDATE idempotency_keys
          SET fingerprint = $2, status = 'in_flight', response_status = NULL, response_body = NULL, response_headers = NULL,
              locked_until = $3, expires_at = $4, created_at = $5, updated_at = $5
        WHERE id = $1 AND expires_at <= $5
        RETURNING id, locked_until`,
      [id, fingerprint, this.leaseEnd(now), new Date(now + this.ttlMs), new Date(now)],
    );
    return rows[0];
  }

  private async takeOver(id: string, now: number): Promise<ClaimRow | undefined> {
    const { rows } = await this.execute<ClaimRow>(
      `UPDATE idempotency_keys
          SET locked_until = $2, updated_at = $3
        WHERE id = $1 AND status = 'in_flight' AND (locked_until IS NULL OR locked_until <= $3) AND expires_at > $3
        RETURNING id, locked_until`,
      [id, this.leaseEnd(now), new Date(now)],
    );
    return rows[0];
  }

  /*
   * Takeover and replacement must write a deadline the previous claim cannot equal, or the old
   * holder's late complete() would still match. Both only happen once the old deadline (or the
   * expiry, later than the claim's start) has passed, so now + lease is strictly later.
   */
  private leaseEnd(now: number): Date {
    return new Date(now + this.leaseMs);
  }

  /** TypeORM's plain query() returns [rows, count] for UPDATE/DELETE; the structured result is uniform. */
  private async execute<Row>(sql: string, parameters: unknown[]): Promise<{ rows: Row[]; affected: number }> {
    const runner = this.dataSource.createQueryRunner();
    try {
      const result = await runner.query(sql, parameters, true);
      return { rows: result.records as Row[], affected: result.affected ?? 0 };
    } finally {
      await runner.release();
    }
  }
}

function replayOf(row: KeyRow): IdempotencyBeginResult {
  return { kind: 'replay', status: row.response_status ?? 200, body: row.response_body, headers: row.response_headers ?? {} };
}

function inProgress(): DomainError {
  return new DomainError('IDEMPOTENCY_IN_PROGRESS', 'A request with this Idempotency-Key is still in progress; retry later.');
}

/** jsonb parameter: node-postgres would send a JS array as a Postgres array, so always send text. */
function jsonParam(value: unknown): string {
  return JSON.stringify(value === undefined ? null : value);
}
