import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Access, ApiReason, CurrentPrincipal, Mutation, type MutationContext, type Principal } from '@orch/auth';
import { PageQueryDto, toPageResponse } from '../common/dto/page.dto';
import { ReasonDto } from '../common/dto/reason.dto';
import { CreatePolicyDto } from './dto/create-policy.dto';
import { PolicyPageResponse, PolicyResponse, toPolicyResponse } from './dto/policy.response';
import { UpdatePolicyDto } from './dto/update-policy.dto';
import { PoliciesService } from './policies.service';
import type { PolicyPatch } from './policy-shape';

/** The policy sections of a body, without its reason. */
function sectionsOf(body: UpdatePolicyDto): PolicyPatch {
  return { timeout: body.timeout, retry: body.retry, circuit_breaker: body.circuit_breaker, rate_limit: body.rate_limit, degradation: body.degradation };
}

@ApiTags('policies')
@Controller('v1/workspaces/:workspaceId/policies')
export class PoliciesController {
  constructor(private readonly policies: PoliciesService) {}

  @Post()
  @Access('policies.create')
  @ApiReason()
  @ApiCreatedResponse({ type: PolicyResponse, description: 'Sections and fields left out take the documented defaults' })
  async create(@Param('workspaceId') workspaceId: string, @Body() body: CreatePolicyDto, @Mutation() ctx: MutationContext): Promise<PolicyResponse> {
    return toPolicyResponse(await this.policies.create(workspaceId, { name: body.name, ...sectionsOf(body) }, ctx));
  }

  @Get()
  @Access('policies.list')
  @ApiOkResponse({ type: PolicyPageResponse })
  async list(@Param('workspaceId') workspaceId: string, @Query() query: PageQueryDto, @CurrentPrincipal() principal: Principal): Promise<PolicyPageResponse> {
    const page = await this.policies.list(principal, workspaceId, query);
    return toPageResponse(page, toPolicyResponse);
  }

  @Get(':name')
  @Access('policies.get')
  @ApiOkResponse({ type: PolicyResponse })
  async get(@Param('workspaceId') workspaceId: string, @Param('name') name: string, @CurrentPrincipal() principal: Principal): Promise<PolicyResponse> {
    return toPolicyResponse(await this.policies.get(principal, workspaceId, name));
  }

  @Patch(':name')
  @Access('policies.update')
  @ApiReason()
  @ApiOkResponse({ type: PolicyResponse, description: 'Given fields replace the current ones; the result is validated as a whole' })
  async update(@Param('workspaceId') workspaceId: string, @Param('name') name: string, @Body() body: UpdatePolicyDto, @Mutation() ctx: MutationContext): Promise<PolicyResponse> {
    return toPolicyResponse(await this.policies.update(workspaceId, name, sectionsOf(body), ctx));
  }

  @Delete(':name')
  @HttpCode(204)
  @Access('policies.delete')
  @ApiReason()
  @ApiNoContentResponse({ description: "Deleted; 409 for the workspace's default policy or one a connector still uses" })
  async delete(
    @Param('workspaceId') workspaceId: string,
    @Param('name') name: string,
    // Validated for its shape only (unknown fields refused); @Mutation() reads the reason.
    @Body() _body: ReasonDto,
    @Mutation() ctx: MutationContext,
  ): Promise<void> {
    await this.policies.delete(workspaceId, name, ctx);
  }
}
