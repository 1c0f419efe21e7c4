import { Injectable } from '@nestjs/common';
import { DomainError } from '@orch/contracts';
import { type CallerContext, ControlApiClient } from '../session/control-api-client';
import { activeImpersonation, SessionService } from '../session/session.service';
import type { ConsoleImpersonationResponse } from './dto/impersonation.dto';

export interface ImpersonationCall {
  sessionId: string | undefined;
  csrfHeader: string | string[] | undefined;
  caller: CallerContext;
}

/**
 * Impersonation started from the console: control-api issues the tokens, the BFF keeps them in
 * the operator's session (Redis) and /api/exec/* uses the exec-api one. The browser learns the
 * session id, workspace and expiry only.
 */
@Injectable()
export class ConsoleImpersonationService {
  constructor(
    private readonly sessions: SessionService,
    private readonly controlApi: ControlApiClient,
  ) {}

  async start(call: ImpersonationCall, body: { workspace_id: string; ttl_seconds?: number; reason?: string }): Promise<ConsoleImpersonationResponse> {
    const session = await this.sessions.liveForMutation(call.sessionId, call.csrfHeader, call.caller);
    const sessionId = call.sessionId as string;
    if (activeImpersonation(session)) throw new DomainError('CONFLICT', 'An impersonation is already running: stop it first');
    const started = await this.controlApi.startImpersonation(session.access_token, body, call.caller);
    const kept = await this.sessions.setImpersonation(sessionId, { id: started.id, workspace_id: started.workspace_id, expires_at: started.expires_at, exec_token: started.exec_token });
    if (!kept) {
      // Logged out meanwhile: nobody holds the tokens any more, end the session upstream too.
      await this.controlApi.stopImpersonation(session.access_token, started.id, 'Console session ended while starting', call.caller).catch(() => undefined);
      throw new DomainError('UNAUTHENTICATED', 'No valid console session');
    }
    return { id: started.id, workspace_id: started.workspace_id, expires_at: started.expires_at };
  }

  async stop(call: ImpersonationCall, reason: string | undefined): Promise<void> {
    const session = await this.sessions.liveForMutation(call.sessionId, call.csrfHeader, call.caller);
    const sessionId = call.sessionId as string;
    const impersonation = session.impersonation;
    if (!impersonation) throw new DomainError('NOT_FOUND', 'No impersonation is running');
    if (activeImpersonation(session)) {
      try {
        await this.controlApi.stopImpersonation(session.access_token, impersonation.id, reason, call.caller);
      } catch (error) {
        // Already stopped (409) or gone (404) upstream: forgetting it is all that is left to do.
        const code = (error as { code?: string } | undefined)?.code;
        if (code !== 'CONFLICT' && code !== 'NOT_FOUND') throw error;
      }
    }
    await this.sessions.setImpersonation(sessionId, null);
  }
}
