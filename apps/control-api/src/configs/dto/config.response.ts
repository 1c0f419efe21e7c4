import { ApiProperty } from '@nestjs/swagger';
import { CONFIG_ACTIVATION_ACTIONS, type ConfigActivationAction, type ConfigEntity } from '@orch/data';
import { PageResponse } from '../../common/dto/page.dto';

/** One immutable version of a config, in full. */
export class ConfigVersionResponse {
  @ApiProperty({ example: 'default' })
  name!: string;

  @ApiProperty({ example: 'v1' })
  version!: string;

  @ApiProperty({ description: 'sha256 (hex) of the canonical JSON of data (keys sorted at every depth)' })
  checksum!: string;

  @ApiProperty({ type: 'object', additionalProperties: true })
  data!: unknown;

  @ApiProperty({ format: 'date-time' })
  created_at!: string;

  @ApiProperty({ description: 'Id of the operator or service identity that created it' })
  created_by!: string;
}

export class ConfigVersionPageResponse extends PageResponse<ConfigVersionResponse> {
  @ApiProperty({ type: [ConfigVersionResponse] })
  data!: ConfigVersionResponse[];
}

/** A config name with its active version (null until one is activated). */
export class ConfigSummaryResponse {
  @ApiProperty({ example: 'default' })
  name!: string;

  @ApiProperty({ type: String, nullable: true, example: 'v2' })
  active_version!: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'The version a rollback would return to' })
  previous_version!: string | null;

  @ApiProperty({ example: 3 })
  version_count!: number;

  @ApiProperty({ format: 'date-time', description: 'When its newest version was created' })
  latest_created_at!: string;
}

export class ConfigSummaryPageResponse extends PageResponse<ConfigSummaryResponse> {
  @ApiProperty({ type: [ConfigSummaryResponse] })
  data!: ConfigSummaryResponse[];
}

/** One move of the pointer. */
export class ConfigActivationResponse {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ enum: CONFIG_ACTIVATION_ACTIONS })
  action!: ConfigActivationAction;

  @ApiProperty({ type: String, nullable: true, description: 'Null on the first activation' })
  from_version!: string | null;

  @ApiProperty()
  to_version!: string;

  @ApiProperty({ description: 'Who moved it (operator or service identity id)' })
  actor!: string;

  @ApiProperty()
  reason!: string;

  @ApiProperty({ format: 'date-time' })
  created_at!: string;
}

export class ConfigActivationPageResponse extends PageResponse<ConfigActivationResponse> {
  @ApiProperty({ type: [ConfigActivationResponse] })
  data!: ConfigActivationResponse[];
}

/** The config's pointer after an activate or rollback. */
export class ConfigPointerResponse {
  @ApiProperty()
  name!: string;

  @ApiProperty({ type: ConfigVersionResponse })
  active!: ConfigVersionResponse;

  @ApiProperty({ type: String, nullable: true, description: 'The version a rollback would return to' })
  previous_version!: string | null;

  @ApiProperty({ type: ConfigActivationResponse })
  activation!: ConfigActivationResponse;
}

export function toConfigVersionResponse(config: ConfigEntity): ConfigVersionResponse {
  return {
    name: config.name,
    version: config.version,
    checksum: config.checksum,
    data: config.data,
    created_at: config.createdAt.toISOString(),
    created_by: config.createdBy,
  };
}
