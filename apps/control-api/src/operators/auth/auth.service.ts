import { Inject, Injectable, Logger } from '@nestjs/common';
import { CONTROL_AUDIENCE, DUMMY_PASSWORD_HASH, SessionStore, TokenIssuer, type Principal, verifyPassword } from '@orch/auth';
import { DomainError } from '@orch/contracts';
import type { OperatorEntity } from '@orch/data';
import { CONTROL_API_CONFIG, type ControlApiConfig } from '../../config';
import type { MeResponse, SessionResponse } from '../dto/auth.responses';
import { toOperatorResponse } from '../dto/operator.response';
import { OperatorsRepository } from '../operators.repository';
import { LoginThrottle } from './login-throttle';
import { RefreshTokenStore } from './refresh-token.store';

const INVALID_CREDENTIALS = 'Invalid email or password';

/** Operator sign-in: password login (throttled), refresh-token rotation, the caller's profile. */
@Injectable()
export class AuthService {
  private readonly logger = new Logger(AuthService.name);

  constructor(
    @Inject(CONTROL_API_CONFIG) private readonly config: ControlApiConfig,
    private readonly operators: OperatorsRepository,
    private readonly throttle: LoginThrottle,
    private readonly refreshTokens: RefreshTokenStore,
    private readonly issuer: TokenIssuer,
    private readonly sessions: SessionStore,
  ) {}

  /**
   * One answer and one cost for every failure: unknown email, wrong password, invite pending
   * or disabled all verify a password (a dummy hash when there is none) and say the same thing.
   */
  async login(email: string, password: string, ip: string | null): Promise<SessionResponse> {
    await this.throttle.reserveAttempt(email, ip);
    const operator = await this.operators.findByEmail(email.trim());
    const passwordOk = await verifyPassword(password, operator?.passwordHash ?? DUMMY_PASSWORD_HASH);
    if (!operator || !passwordOk || !canSignIn(operator)) throw new DomainError('UNAUTHENTICATED', INVALID_CREDENTIALS);
    await this.throttle.succeeded(email, ip);
    await this.operators.touchLastLogin(operator.id, new Date());
    return this.startSession(operator);
  }

  /** Rotates a refresh token (one-time use); a reused one ends every session of its operator. */
  async refresh(refreshToken: string): Promise<SessionResponse> {
    const outcome = await this.refreshTokens.consume(refreshToken);
    switch (outcome.kind) {
      case 'unknown':
        throw invalidRefreshToken();
      case 'reused':
        this.logger.warn({ operator_id: outcome.operatorId }, 'Refresh token reused: revoking every session of the operator');
        await this.refreshTokens.revokeAll(outcome.operatorId);
        await this.sessions.revokeSubject(outcome.operatorId);
        throw invalidRefreshToken();
      case 'live': {
        // Roles and status come from the database, never from the previous token.
        const operator = await this.operators.findById(outcome.operatorId);
        if (!operator || !canSignIn(operator)) {
          await this.refreshTokens.revokeAll(outcome.operatorId);
          throw invalidRefreshToken();
        }
        return this.startSession(operator, outcome.remainingSeconds);
      }
    }
  }

  async me(principal: Principal): Promise<MeResponse> {
    if (principal.kind !== 'operator') throw new DomainError('FORBIDDEN', 'Only operators have a profile');
    const operator = await this.operators.findById(principal.id);
    if (!operator || !canSignIn(operator)) throw new DomainError('UNAUTHENTICATED', 'Missing, invalid or expired token');
    return { ...toOperatorResponse(operator), break_glass_active: principal.breakGlass };
  }

  private async startSession(operator: OperatorEntity, refreshTtlSeconds?: number): Promise<SessionResponse> {
    const access = await this.issuer.issue({ typ: 'operator', aud: CONTROL_AUDIENCE, sub: operator.id, roles: [...operator.roles] }, this.config.ORCH_TOKEN_TTL_SECONDS);
    const refreshToken = await this.refreshTokens.issue(operator.id, refreshTtlSeconds);
    return {
      access_token: access.token,
      token_type: 'Bearer',
      expires_in: access.expiresIn,
      refresh_token: refreshToken,
      operator: { id: operator.id, email: operator.email, roles: [...operator.roles] },
    };
  }
}

function canSignIn(operator: OperatorEntity): boolean {
  return operator.status === 'active' && operator.passwordHash !== null;
}

function invalidRefreshToken(): DomainError {
  return new DomainError('UNAUTHENTICATED', 'Invalid or expired refresh token');
}
