import { Body, Controller, HttpCode, Param, Put } from '@nestjs/common';
import { ApiCreatedResponse, ApiTags } from '@nestjs/swagger';
import { Access, ApiReason, Mutation, type MutationContext } from '@orch/auth';
import { PutSecretDto } from './dto/put-secret.dto';
import { SecretVersionResponse } from './dto/secret-ref.response';
import { SecretsService } from './secrets.service';

@ApiTags('secrets')
@Controller('v1/workspaces/:workspaceId/secrets')
export class SecretsController {
  constructor(private readonly secrets: SecretsService) {}

  @Put(':name')
  @HttpCode(201)
  @Access('secrets.put')
  @ApiReason()
  @ApiCreatedResponse({ type: SecretVersionResponse, description: 'A new version of the vault secret; the value is never returned' })
  async put(@Param('workspaceId') workspaceId: string, @Param('name') name: string, @Body() body: PutSecretDto, @Mutation() ctx: MutationContext): Promise<SecretVersionResponse> {
    const stored = await this.secrets.putSecret(workspaceId, name, body.value, ctx);
    return { name: stored.name, version: stored.version, created_at: stored.createdAt.toISOString() };
  }
}
