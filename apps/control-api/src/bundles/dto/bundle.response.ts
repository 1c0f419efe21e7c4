import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class BundlePlanWorkspace {
  @ApiProperty({ example: 'buildos-dev' })
  name!: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Absent in a dry run that would create the workspace' })
  id?: string;

  @ApiProperty({ enum: ['create', 'unchanged'] })
  action!: 'create' | 'unchanged';
}

const KINDS = ['policy', 'secret_ref', 'connector', 'config', 'config_activation', 'webhook_route'];

export class BundlePlanCreate {
  @ApiProperty({ enum: KINDS })
  kind!: string;

  @ApiProperty({ description: 'Name; `name@version` for a config version; `provider:account-or-signing-ref` for a webhook route' })
  name!: string;

  @ApiProperty({ type: 'object', additionalProperties: true })
  after!: Record<string, unknown>;
}

export class BundlePlanChange {
  @ApiProperty({ example: '/timeout/total_ms', description: 'JSON Pointer inside the item' })
  path!: string;

  @ApiProperty({ nullable: true })
  before!: unknown;

  @ApiProperty({ nullable: true })
  after!: unknown;
}

export class BundlePlanUpdate {
  @ApiProperty({ enum: KINDS })
  kind!: string;

  @ApiProperty()
  name!: string;

  @ApiProperty({ type: [BundlePlanChange] })
  diff!: BundlePlanChange[];
}

export class BundlePlanUnchanged {
  @ApiProperty({ enum: KINDS })
  kind!: string;

  @ApiProperty()
  name!: string;
}

export class BundlePlanResponse {
  @ApiProperty({ type: BundlePlanWorkspace })
  workspace!: BundlePlanWorkspace;

  @ApiProperty({ type: [BundlePlanCreate] })
  create!: BundlePlanCreate[];

  @ApiProperty({ type: [BundlePlanUpdate] })
  update!: BundlePlanUpdate[];

  @ApiProperty({ type: [BundlePlanUnchanged] })
  unchanged!: BundlePlanUnchanged[];
}

export class ImportBundleResponse {
  @ApiProperty({ description: 'false for a dry run' })
  applied!: boolean;

  @ApiProperty({ type: BundlePlanResponse })
  plan!: BundlePlanResponse;
}

export class ExportedBundleResponse {
  @ApiProperty({ type: 'object', properties: { name: { type: 'string' } } })
  tenant!: { name: string };

  @ApiProperty({ type: 'array', items: { type: 'object' }, description: 'Every policy with all its fields' })
  policies!: unknown[];

  @ApiProperty({ type: 'array', items: { type: 'object' }, description: '{name, ref}: refs only, never secret values' })
  secret_refs!: unknown[];

  @ApiProperty({ type: 'array', items: { type: 'object' }, description: '{name, type, policy, config, secret_ref?}' })
  connectors!: unknown[];

  @ApiProperty({ type: 'array', items: { type: 'object' }, description: 'Every version, oldest first per name; activate marks the active one' })
  configs!: unknown[];

  @ApiProperty({ type: 'array', items: { type: 'object' }, description: 'Without route_key: each deployment generates its own' })
  webhook_routes!: unknown[];

  @ApiProperty({ type: 'array', items: { type: 'object' }, description: 'Names, audiences and scopes only; import never creates them' })
  service_identities!: unknown[];
}
