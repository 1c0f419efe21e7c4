import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Access, ApiReason, CurrentPrincipal, Mutation, type MutationContext, type Principal } from '@orch/auth';
import { PageQueryDto, toPageResponse } from '../common/dto/page.dto';
import { ReasonDto } from '../common/dto/reason.dto';
import { CreateServiceIdentityDto } from './dto/create-service-identity.dto';
import { DEFAULT_ROTATION_GRACE_SECONDS, RotateSecretDto } from './dto/rotate-secret.dto';
import {
  ServiceIdentityPageResponse,
  ServiceIdentityResponse,
  ServiceIdentityWithSecretResponse,
  toServiceIdentityResponse,
  toServiceIdentityWithSecretResponse,
} from './dto/service-identity.response';
import { ServiceIdentitiesService } from './service-identities.service';

@ApiTags('service-identities')
@Controller('v1/workspaces/:workspaceId/service-identities')
export class ServiceIdentitiesController {
  constructor(private readonly identities: ServiceIdentitiesService) {}

  @Post()
  @Access('identities.create')
  @ApiReason()
  @ApiCreatedResponse({ type: ServiceIdentityWithSecretResponse, description: 'client_secret is shown here once' })
  async create(@Param('workspaceId') workspaceId: string, @Body() body: CreateServiceIdentityDto, @Mutation() ctx: MutationContext): Promise<ServiceIdentityWithSecretResponse> {
    const { identity, clientSecret } = await this.identities.create(workspaceId, body, ctx);
    return toServiceIdentityWithSecretResponse(identity, clientSecret);
  }

  @Get()
  @Access('identities.list')
  @ApiOkResponse({ type: ServiceIdentityPageResponse })
  async list(@Param('workspaceId') workspaceId: string, @Query() query: PageQueryDto, @CurrentPrincipal() principal: Principal): Promise<ServiceIdentityPageResponse> {
    const page = await this.identities.list(principal, workspaceId, query);
    return toPageResponse(page, toServiceIdentityResponse);
  }

  @Get(':identityId')
  @Access('identities.get')
  @ApiOkResponse({ type: ServiceIdentityResponse })
  async get(@Param('workspaceId') workspaceId: string, @Param('identityId') identityId: string, @CurrentPrincipal() principal: Principal): Promise<ServiceIdentityResponse> {
    return toServiceIdentityResponse(await this.identities.get(principal, workspaceId, identityId));
  }

  @Post(':identityId/revoke')
  @HttpCode(200)
  @Access('identities.revoke')
  @ApiReason()
  @ApiOkResponse({ type: ServiceIdentityResponse, description: 'Its tokens stop working at their next request, in every app' })
  async revoke(
    @Param('workspaceId') workspaceId: string,
    @Param('identityId') identityId: string,
    // Validated for its shape only (unknown fields refused); @Mutation() reads the reason.
    @Body() _body: ReasonDto,
    @Mutation() ctx: MutationContext,
  ): Promise<ServiceIdentityResponse> {
    return toServiceIdentityResponse(await this.identities.revoke(workspaceId, identityId, ctx));
  }

  @Post(':identityId/rotate-secret')
  @HttpCode(200)
  @Access('identities.rotate-secret')
  @ApiReason()
  @ApiOkResponse({ type: ServiceIdentityWithSecretResponse, description: 'The new client_secret, shown once; the previous one works until previous_secret_expires_at' })
  async rotateSecret(
    @Param('workspaceId') workspaceId: string,
    @Param('identityId') identityId: string,
    @Body() body: RotateSecretDto,
    @Mutation() ctx: MutationContext,
  ): Promise<ServiceIdentityWithSecretResponse> {
    const { identity, clientSecret } = await this.identities.rotateSecret(workspaceId, identityId, body.grace_seconds ?? DEFAULT_ROTATION_GRACE_SECONDS, ctx);
    return toServiceIdentityWithSecretResponse(identity, clientSecret);
  }
}
