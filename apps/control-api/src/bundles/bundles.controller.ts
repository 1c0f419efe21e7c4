import { Body, Controller, Get, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Access, ApiReason, CurrentPrincipal, CurrentRequestMeta, type Principal, reasonOf } from '@orch/auth';
import type { RequestMeta } from '@orch/auth';
import { BundlesService } from './bundles.service';
import { ExportedBundleResponse, ImportBundleResponse } from './dto/bundle.response';
import { ImportBundleDto } from './dto/import-bundle.dto';

@ApiTags('bundles')
@Controller()
export class BundlesController {
  constructor(private readonly bundles: BundlesService) {}

  @Get('v1/workspaces/:workspaceId/bundle')
  @Access('bundle.export')
  @ApiOkResponse({ type: ExportedBundleResponse, description: 'The workspace as an importable bundle, ordered by name; secret refs only, never values' })
  async export(@Param('workspaceId') workspaceId: string, @CurrentPrincipal() principal: Principal): Promise<ExportedBundleResponse> {
    return this.bundles.export(principal, workspaceId);
  }

  @Post('v1/bundles/import')
  @HttpCode(200)
  @Access('bundles.import')
  @ApiReason()
  @ApiOkResponse({ type: ImportBundleResponse, description: 'The plan; applied in one transaction unless dry_run. The reason is required unless dry_run.' })
  async import(@Body() body: ImportBundleDto, @CurrentPrincipal() principal: Principal, @CurrentRequestMeta() meta: RequestMeta, @Req() request: FastifyRequest): Promise<ImportBundleResponse> {
    if (body.dry_run === true) return this.bundles.plan(body.bundle);
    return this.bundles.apply(body.bundle, { principal, reason: reasonOf(request), ...meta });
  }
}
