import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { hashSecret, secretMatches, TokenIssuer } from '@orch/auth';
import { DomainError } from '@orch/contracts';
import type { ServiceIdentityEntity } from '@orch/data';
import { CONTROL_API_CONFIG, type ControlApiConfig } from '../config';
import { WorkspacesService } from '../workspaces/workspaces.service';
import { type AuthenticatingClient, invalidClient } from './client-credentials';
import { grantedScopes } from './identity-scopes';
import { ServiceIdentitiesRepository } from './service-identities.repository';

export interface MintedToken {
  accessToken: string;
  expiresIn: number;
  scope: string;
}

/** Compared against when the client id is unknown, so that case costs what a real check costs. */
const DUMMY_SECRET_HASH = hashSecret('orchestrator: no such client');

/**
 * OAuth2 client credentials (RFC 6749 §4.4). Every way of failing to authenticate (unknown
 * client, wrong or expired secret, revoked identity, workspace not served here) gives the
 * same answer, so the endpoint tells nothing about which client ids exist.
 */
@Injectable()
export class OAuthTokenService {
  private readonly logger = new Logger(OAuthTokenService.name);
  private readonly identities: ServiceIdentitiesRepository;

  constructor(
    dataSource: DataSource,
    private readonly workspaces: WorkspacesService,
    private readonly issuer: TokenIssuer,
    @Inject(CONTROL_API_CONFIG) private readonly config: ControlApiConfig,
  ) {
    this.identities = ServiceIdentitiesRepository.of(dataSource.manager);
  }

  async mint({ credentials, basicAuth }: AuthenticatingClient, requestedScope: string | undefined): Promise<MintedToken> {
    const identity = await this.identities.findByClientId(credentials.clientId);
    const secretOk = secretMatchesIdentity(credentials.clientSecret, identity, new Date());
    const workspace = identity ? await this.workspaces.findServed(identity.workspaceId) : null;
    if (!identity || !secretOk || identity.revokedAt || !workspace || workspace.status !== 'active') {
      // The client id only when it is one of ours: a caller may have put its secret there by mistake.
      this.logger.log({ client_id: identity?.clientId ?? null, known_client: identity !== null }, 'Token request refused');
      throw invalidClient(basicAuth);
    }

    const scopes = grantedScopes(identity.scopes, requestedScope);
    if (!scopes) {
      throw new DomainError('VALIDATION_FAILED', 'The requested scope exceeds the scopes of this client', {
        details: [{ path: '/scope', message: `must be a space-separated subset of: ${identity.scopes.join(' ')}` }],
      });
    }
    const scope = scopes.join(' ');
    const issued = await this.issuer.issue({ typ: 'service', aud: identity.audience, sub: identity.id, tid: identity.workspaceId, scope }, this.config.ORCH_TOKEN_TTL_SECONDS);
    // Minted tokens are not audited (volume); this line is their trace. Never the secret or the token.
    this.logger.log(
      { client_id: identity.clientId, identity_id: identity.id, workspace_id: identity.workspaceId, aud: identity.audience, scope, jti: issued.claims.jti, expires_in: issued.expiresIn },
      'Service token issued',
    );
    return { accessToken: issued.token, expiresIn: issued.expiresIn, scope };
  }
}

/** The current secret, or the previous one until its grace period ends; both always compared. */
function secretMatchesIdentity(secret: string, identity: ServiceIdentityEntity | null, now: Date): boolean {
  const current = secretMatches(secret, identity?.clientSecretHash ?? DUMMY_SECRET_HASH);
  const previous = secretMatches(secret, identity?.previousClientSecretHash ?? DUMMY_SECRET_HASH);
  const previousValid = previous && identity?.previousSecretExpiresAt != null && identity.previousSecretExpiresAt.getTime() > now.getTime();
  return identity !== null && (current || previousValid);
}
