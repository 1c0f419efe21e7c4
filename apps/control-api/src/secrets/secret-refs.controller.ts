import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Access, ApiReason, CurrentPrincipal, Mutation, type MutationContext, type Principal } from '@orch/auth';
import { PageQueryDto, toPageResponse } from '../common/dto/page.dto';
import { ReasonDto } from '../common/dto/reason.dto';
import { CreateSecretRefDto } from './dto/create-secret-ref.dto';
import { SecretCheckResponse, SecretRefPageResponse, SecretRefResponse, toSecretRefResponse } from './dto/secret-ref.response';
import { SecretsService } from './secrets.service';

@ApiTags('secrets')
@Controller('v1/workspaces/:workspaceId/secret-refs')
export class SecretRefsController {
  constructor(private readonly secrets: SecretsService) {}

  @Post()
  @Access('secret-refs.create')
  @ApiReason()
  @ApiCreatedResponse({ type: SecretRefResponse })
  async create(@Param('workspaceId') workspaceId: string, @Body() body: CreateSecretRefDto, @Mutation() ctx: MutationContext): Promise<SecretRefResponse> {
    return toSecretRefResponse(await this.secrets.createRef(workspaceId, { name: body.name, ref: body.ref }, ctx));
  }

  @Get()
  @Access('secret-refs.list')
  @ApiOkResponse({ type: SecretRefPageResponse })
  async list(@Param('workspaceId') workspaceId: string, @Query() query: PageQueryDto, @CurrentPrincipal() principal: Principal): Promise<SecretRefPageResponse> {
    const page = await this.secrets.listRefs(principal, workspaceId, query);
    return toPageResponse(page, toSecretRefResponse);
  }

  @Get(':name')
  @Access('secret-refs.get')
  @ApiOkResponse({ type: SecretRefResponse })
  async get(@Param('workspaceId') workspaceId: string, @Param('name') name: string, @CurrentPrincipal() principal: Principal): Promise<SecretRefResponse> {
    return toSecretRefResponse(await this.secrets.getRef(principal, workspaceId, name));
  }

  @Delete(':name')
  @HttpCode(204)
  @Access('secret-refs.delete')
  @ApiReason()
  @ApiNoContentResponse({ description: 'Deleted; 409 while a connector, webhook route or the workspace callback still references it' })
  async delete(
    @Param('workspaceId') workspaceId: string,
    @Param('name') name: string,
    // Validated for its shape only (unknown fields refused); @Mutation() reads the reason.
    @Body() _body: ReasonDto,
    @Mutation() ctx: MutationContext,
  ): Promise<void> {
    await this.secrets.deleteRef(workspaceId, name, ctx);
  }

  @Post(':name/check')
  @HttpCode(200)
  @Access('secret-refs.check')
  @ApiOkResponse({ type: SecretCheckResponse, description: 'Resolves the ref now: {ok: true, version} or {ok: false, reason}; never the value' })
  async check(@Param('workspaceId') workspaceId: string, @Param('name') name: string, @CurrentPrincipal() principal: Principal): Promise<SecretCheckResponse> {
    return this.secrets.checkRef(principal, workspaceId, name);
  }
}
