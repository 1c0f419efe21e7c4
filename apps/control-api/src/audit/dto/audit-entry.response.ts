import { ApiProperty } from '@nestjs/swagger';
import { AUDIT_ACTOR_TYPES, type AuditActorType, type OperatorAuditLogEntity } from '@orch/data';
import type { AuditVerification } from '@orch/auth';
import { PageResponse } from '../../common/dto/page.dto';

export class AuditEntryResponse {
  @ApiProperty({ description: 'Increasing row id (a string: it is a bigint)', example: '42' })
  id!: string;

  @ApiProperty({ format: 'uuid', nullable: true, type: String })
  workspace_id!: string | null;

  @ApiProperty({ enum: AUDIT_ACTOR_TYPES })
  actor_type!: AuditActorType;

  @ApiProperty()
  actor_id!: string;

  @ApiProperty({ nullable: true, type: String, description: 'The operator behind an impersonated action' })
  impersonator_id!: string | null;

  @ApiProperty({ example: 'workspace.create' })
  action!: string;

  @ApiProperty({ nullable: true, type: String })
  target_type!: string | null;

  @ApiProperty({ nullable: true, type: String })
  target_id!: string | null;

  @ApiProperty({ nullable: true, type: String })
  reason!: string | null;

  @ApiProperty({ nullable: true, type: 'object', additionalProperties: true, description: 'Snapshot before the change, secrets redacted' })
  before!: unknown;

  @ApiProperty({ nullable: true, type: 'object', additionalProperties: true, description: 'Snapshot after the change, secrets redacted' })
  after!: unknown;

  @ApiProperty({ nullable: true, type: String })
  request_id!: string | null;

  @ApiProperty({ nullable: true, type: String })
  ip!: string | null;

  @ApiProperty({ format: 'date-time' })
  created_at!: string;

  @ApiProperty({ description: 'sha256 over the canonical row, previous hash included' })
  hash!: string;

  @ApiProperty()
  prev_hash!: string;
}

export class AuditPageResponse extends PageResponse<AuditEntryResponse> {
  @ApiProperty({ type: [AuditEntryResponse] })
  data!: AuditEntryResponse[];
}

export class AuditVerificationResponse implements AuditVerification {
  @ApiProperty({ description: 'Whether every row hashes to its stored hash and links to the previous one' })
  ok!: boolean;

  @ApiProperty({ description: 'Rows verified before the first broken one (all rows when ok)' })
  checked!: number;

  @ApiProperty({ nullable: true, type: String, description: 'Id of the first row that does not verify' })
  first_broken_id!: string | null;
}

export function toAuditEntryResponse(row: OperatorAuditLogEntity): AuditEntryResponse {
  return {
    id: row.id,
    workspace_id: row.workspaceId,
    actor_type: row.actorType,
    actor_id: row.actorId,
    impersonator_id: row.impersonatorId,
    action: row.action,
    target_type: row.targetType,
    target_id: row.targetId,
    reason: row.reason,
    before: row.before ?? null,
    after: row.after ?? null,
    request_id: row.requestId,
    ip: row.ip,
    created_at: row.createdAt.toISOString(),
    hash: row.hash,
    prev_hash: row.prevHash,
  };
}
