import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsDefined, IsOptional } from 'class-validator';
import { ReasonDto } from '../../common/dto/reason.dto';

export class ImportBundleDto extends ReasonDto {
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'The bundle (seed §1.5): tenant, policies, secret_refs, connectors, configs, webhook_routes, service_identities. Checked as a whole; errors point into it (/bundle/…).',
    example: {
      tenant: { name: 'buildos-dev' },
      policies: [{ name: 'default', timeout_json: { total_ms: 5000 } }],
      secret_refs: [{ name: 'stripe_signing', ref: 'env://STRIPE_SIGNING_SECRET' }],
      connectors: [{ type: 'http', name: 'stripe', policy: 'default', secret_ref: 'stripe_signing' }],
      configs: [{ name: 'default', version: 'v1', data: { foo: 'bar' }, activate: true }],
    },
  })
  // Any JSON value: the service validates it against the bundle schema, so its errors carry /bundle/… paths.
  @IsDefined()
  bundle!: unknown;

  @ApiPropertyOptional({ default: false, description: 'Answer the plan without writing anything (no reason needed)' })
  @IsOptional()
  @IsBoolean()
  dry_run?: boolean;
}
