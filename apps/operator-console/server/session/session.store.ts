import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { REDIS_CLIENT } from '@orch/platform';
import { generateOpaqueId, sessionKeyOf } from './session-cookie';

export interface SessionOperator {
  id: string;
  email: string;
  roles: string[];
}

/** The operator's running impersonation, started through the BFF; its exec-api token never leaves Redis. */
export interface StoredImpersonation {
  /** control-api's impersonation session id. */
  id: string;
  workspace_id: string;
  /** ISO 8601. */
  expires_at: string;
  /** aud orchestrator-exec: what /api/exec/* sends upstream. */
  exec_token: string;
}

/** One operator session, as kept in Redis under console:session:<sha256(session id)>. */
export interface StoredSession {
  access_token: string;
  refresh_token: string;
  operator: SessionOperator;
  /** ISO 8601: when access_token expires. */
  expires_at: string;
  csrf_token: string;
  /** Absent on sessions that never impersonated. */
  impersonation?: StoredImpersonation | null;
}

const REFRESH_LOCK_MS = 10_000;

/** Deletes the lock only if it is still ours (it may have expired and been taken by another replica). */
const RELEASE_SCRIPT = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

/** Operator sessions in Redis: only the hash of the session id is a key; the TTL is fixed at login. */
@Injectable()
export class SessionStore {
  constructor(@Inject(REDIS_CLIENT) private readonly redis: Redis) {}

  async create(sessionId: string, session: StoredSession, ttlSeconds: number): Promise<void> {
    await this.redis.set(sessionKeyOf(sessionId), JSON.stringify(session), 'EX', ttlSeconds);
  }

  async load(sessionId: string): Promise<StoredSession | undefined> {
    const raw = await this.redis.get(sessionKeyOf(sessionId));
    if (raw === null) return undefined;
    try {
      return JSON.parse(raw) as StoredSession;
    } catch {
      return undefined;
    }
  }

  /** Replaces the tokens of a live session, keeping its remaining lifetime; false when it is gone. */
  async replace(sessionId: string, session: StoredSession): Promise<boolean> {
    return (await this.redis.set(sessionKeyOf(sessionId), JSON.stringify(session), 'KEEPTTL', 'XX')) === 'OK';
  }

  async delete(sessionId: string): Promise<void> {
    await this.redis.del(sessionKeyOf(sessionId));
  }

  /**
   * One refresh per session at a time, across replicas: a refresh token is one-time, and
   * control-api treats a second use as theft (it ends every session of the operator).
   * Returns a release function, or undefined when another request holds the lock.
   */
  async lockRefresh(sessionId: string): Promise<(() => Promise<void>) | undefined> {
    const key = `${sessionKeyOf(sessionId)}:refresh-lock`;
    const owner = generateOpaqueId();
    if ((await this.redis.set(key, owner, 'PX', REFRESH_LOCK_MS, 'NX')) !== 'OK') return undefined;
    return async () => {
      await this.redis.eval(RELEASE_SCRIPT, 1, key, owner);
    };
  }
}
