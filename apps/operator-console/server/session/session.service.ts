import { Inject, Injectable, Logger } from '@nestjs/common';
import { type OrchestratorClaims, TOKEN_VERIFIER, type TokenVerifier } from '@orch/auth';
import { DomainError } from '@orch/contracts';
import { APP_CONFIG } from '@orch/platform';
import type { ConsoleConfig } from '../config';
import { type CallerContext, type ControlApiSession, ControlApiClient } from './control-api-client';
import { csrfTokenMatches, generateOpaqueId } from './session-cookie';
import type { SessionCreatedResponse, SessionImpersonationDto, SessionStateResponse } from './dto/session.dto';
import { SessionStore, type StoredImpersonation, type StoredSession } from './session.store';

/** The stored operator token is refreshed when it expires within this margin. */
export const REFRESH_MARGIN_MS = 60_000;
/** How long a request waits for a refresh another request is doing on the same session. */
const REFRESH_WAIT_MS = 6000;
const REFRESH_POLL_MS = 100;

function unauthenticated(): DomainError {
  return new DomainError('UNAUTHENTICATED', 'No valid console session');
}

function csrfRefused(): DomainError {
  return new DomainError('FORBIDDEN', 'Missing or wrong x-csrf-token');
}

/** The session's impersonation while it runs (its expiry is checked here; control-api checks a stop). */
export function activeImpersonation(session: StoredSession, now = Date.now()): StoredImpersonation | undefined {
  const impersonation = session.impersonation;
  if (!impersonation) return undefined;
  return Date.parse(impersonation.expires_at) > now ? impersonation : undefined;
}

/** What the browser may know of the impersonation: never its token. */
export function publicImpersonation(session: StoredSession): SessionImpersonationDto | null {
  const impersonation = activeImpersonation(session);
  return impersonation ? { id: impersonation.id, workspace_id: impersonation.workspace_id, expires_at: impersonation.expires_at } : null;
}

/**
 * The operator session of the console: control-api's tokens stay here (in Redis), the browser
 * holds only an opaque session id (cookie) and a CSRF token. Every token is verified through
 * control-api's JWKS when it arrives and again each time the session is read.
 */
@Injectable()
export class SessionService {
  private readonly logger = new Logger(SessionService.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: ConsoleConfig,
    @Inject(TOKEN_VERIFIER) private readonly verifier: TokenVerifier,
    private readonly controlApi: ControlApiClient,
    private readonly store: SessionStore,
  ) {}

  /** Logs in through control-api; the new session id goes into the cookie, never into the body. */
  async create(email: string, password: string, caller: CallerContext): Promise<{ sessionId: string; body: SessionCreatedResponse }> {
    const upstream = await this.controlApi.login(email, password, caller);
    const session = await this.toSession(upstream, generateOpaqueId());
    const sessionId = generateOpaqueId();
    await this.store.create(sessionId, session, this.config.CONSOLE_SESSION_TTL_SECONDS);
    return { sessionId, body: { operator: session.operator, csrf_token: session.csrf_token } };
  }

  /**
   * The session behind a cookie, its token re-verified, refreshed first when it expires within
   * 60 s. Throws UNAUTHENTICATED (and the session is gone) when there is none or it cannot go on.
   */
  async read(sessionId: string | undefined, caller: CallerContext): Promise<SessionStateResponse> {
    const session = await this.live(sessionId, caller);
    return { operator: session.operator, csrf_token: session.csrf_token, expires_at: session.expires_at, impersonation: publicImpersonation(session) };
  }

  /** The live session with its current tokens (what the proxies and impersonation routes act with); same checks as read(). */
  async live(sessionId: string | undefined, caller: CallerContext): Promise<StoredSession> {
    if (!sessionId) throw unauthenticated();
    let session = await this.store.load(sessionId);
    if (!session) throw unauthenticated();
    if (needsRefresh(session)) {
      session = await this.refresh(sessionId, session, caller);
    } else {
      try {
        session = { ...session, operator: operatorOf(await this.verifyOperatorToken(session.access_token), session.operator.email) };
      } catch (error) {
        await this.store.delete(sessionId);
        throw error;
      }
    }
    return session;
  }

  /** A mutation through the BFF: the live session, and its CSRF token presented (403 otherwise). */
  async liveForMutation(sessionId: string | undefined, csrfHeader: string | string[] | undefined, caller: CallerContext): Promise<StoredSession> {
    const session = await this.live(sessionId, caller);
    if (!csrfTokenMatches(session.csrf_token, csrfHeader)) throw csrfRefused();
    return session;
  }

  /** Records (or forgets, with null) the session's impersonation; false when the session is gone. */
  async setImpersonation(sessionId: string, impersonation: StoredImpersonation | null): Promise<boolean> {
    const current = await this.store.load(sessionId);
    if (!current) return false;
    return this.store.replace(sessionId, { ...current, impersonation });
  }

  /** Logout: needs the session's CSRF token (403 otherwise); a running impersonation is stopped in control-api (best effort). */
  async delete(sessionId: string | undefined, csrfHeader: string | string[] | undefined, caller?: CallerContext): Promise<void> {
    const session = sessionId ? await this.store.load(sessionId) : undefined;
    if (!sessionId || !session) throw unauthenticated();
    if (!csrfTokenMatches(session.csrf_token, csrfHeader)) throw csrfRefused();
    await this.store.delete(sessionId);
    const impersonation = activeImpersonation(session);
    if (impersonation && caller) {
      await this.controlApi.stopImpersonation(session.access_token, impersonation.id, 'Console logout', caller).catch((error: unknown) => {
        // It ends at its exp anyway (at most 15 min); the logout must not fail over it.
        this.logger.warn({ operator_id: session.operator.id, err: error }, 'Could not stop the impersonation at logout');
      });
    }
  }

  private async refresh(sessionId: string, session: StoredSession, caller: CallerContext): Promise<StoredSession> {
    const release = await this.store.lockRefresh(sessionId);
    if (!release) return this.awaitOtherRefresh(sessionId, session);
    try {
      let upstream: ControlApiSession;
      try {
        upstream = await this.controlApi.refresh(session.refresh_token, caller);
      } catch (error) {
        // control-api down or broken: the session may still be refreshed later, keep it.
        if (error instanceof DomainError && error.code.startsWith('UPSTREAM_')) throw error;
        this.logger.log({ operator_id: session.operator.id }, 'Console session ended: control-api refused the refresh');
        await this.store.delete(sessionId);
        throw unauthenticated();
      }
      let refreshed: StoredSession;
      try {
        // The impersonation outlives a token refresh (it has its own expiry).
        refreshed = { ...(await this.toSession(upstream, session.csrf_token)), impersonation: session.impersonation ?? null };
      } catch (error) {
        await this.store.delete(sessionId);
        throw error;
      }
      if (refreshed.operator.id !== session.operator.id || !(await this.store.replace(sessionId, refreshed))) {
        await this.store.delete(sessionId);
        throw unauthenticated();
      }
      return refreshed;
    } finally {
      await release();
    }
  }

  /** Another request is refreshing this session: wait for its result rather than spend the refresh token twice. */
  private async awaitOtherRefresh(sessionId: string, before: StoredSession): Promise<StoredSession> {
    const deadline = Date.now() + REFRESH_WAIT_MS;
    while (Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, REFRESH_POLL_MS));
      const current = await this.store.load(sessionId);
      if (!current) throw unauthenticated();
      if (current.refresh_token !== before.refresh_token) {
        await this.verifyOperatorToken(current.access_token);
        return current;
      }
    }
    throw new DomainError('UNAVAILABLE', 'The console session is being refreshed; try again', { headers: { 'retry-after': '1' } });
  }

  /** A login or refresh answer as a session, after verifying its token through the JWKS. */
  private async toSession(upstream: ControlApiSession, csrfToken: string): Promise<StoredSession> {
    const claims = await this.verifyOperatorToken(upstream.access_token);
    if (claims.sub !== upstream.operator.id) throw unauthenticated();
    return {
      access_token: upstream.access_token,
      refresh_token: upstream.refresh_token,
      operator: operatorOf(claims, upstream.operator.email),
      expires_at: new Date(claims.exp * 1000).toISOString(),
      csrf_token: csrfToken,
    };
  }

  private async verifyOperatorToken(token: string): Promise<OrchestratorClaims> {
    const claims = await this.verifier.verify(token);
    if (claims.typ !== 'operator') throw unauthenticated();
    return claims;
  }
}

function needsRefresh(session: StoredSession): boolean {
  const expiresAt = Date.parse(session.expires_at);
  return !Number.isFinite(expiresAt) || expiresAt - Date.now() <= REFRESH_MARGIN_MS;
}

/** Id and roles from the verified token; the email (not a claim) from control-api's answer. */
function operatorOf(claims: OrchestratorClaims, email: string): StoredSession['operator'] {
  return { id: claims.sub, email, roles: [...(claims.roles ?? [])] };
}
