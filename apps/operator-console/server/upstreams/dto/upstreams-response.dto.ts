import { ApiProperty } from '@nestjs/swagger';

export const UPSTREAM_STATES = ['up', 'down'] as const;
export type UpstreamState = (typeof UPSTREAM_STATES)[number];

/** Whether each API the console talks to answers its liveness probe. */
export class UpstreamsResponseDto {
  @ApiProperty({ enum: UPSTREAM_STATES, description: 'control-api answered GET /health with 2xx within 1 s' })
  control_api!: UpstreamState;

  @ApiProperty({ enum: UPSTREAM_STATES, description: 'exec-api answered GET /health with 2xx within 1 s' })
  exec_api!: UpstreamState;
}

/** Console settings the SPA needs from the server's configuration (never a secret). */
export class BffConfigResponseDto {
  @ApiProperty({ type: String, nullable: true, example: 'https://hooks.example.com', description: 'CONSOLE_WEBHOOK_INGRESS_URL, or null when unset' })
  webhook_ingress_url!: string | null;
}
