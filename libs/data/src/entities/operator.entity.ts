import { Check, Column, Entity, Index, Unique } from 'typeorm';
import { CreatedAtColumn, TimestampColumn, UpdatedAtColumn, UuidPrimaryColumn, sqlList } from './columns';

export const OPERATOR_ROLES = ['OperatorAdmin', 'Support', 'BillingAdmin', 'ReadOnlyAuditor', 'BreakGlassAdmin'] as const;
export type OperatorRole = (typeof OPERATOR_ROLES)[number];

export const OPERATOR_STATUSES = ['active', 'disabled'] as const;
export type OperatorStatus = (typeof OPERATOR_STATUSES)[number];

/** A person using the console. Global, not per workspace; invite-only (no password until accepted). */
@Entity({ name: 'operators' })
@Unique('uq_operators_invite_token_hash', ['inviteTokenHash'])
@Check('ck_operators_roles', `roles <@ ARRAY[${sqlList(OPERATOR_ROLES)}]::text[]`)
@Check('ck_operators_status', `status IN (${sqlList(OPERATOR_STATUSES)})`)
export class OperatorEntity {
  @UuidPrimaryColumn('operators')
  id!: string;

  /**
   * Unique case-insensitively through the expression index uq_operators_email_lower
   * (citext is not installed). TypeORM cannot express it, so it is left out of its diff.
   */
  @Index('uq_operators_email_lower', { synchronize: false })
  @Column({ type: 'text', name: 'email' })
  email!: string;

  @Column({ type: 'text', name: 'display_name', nullable: true })
  displayName!: string | null;

  /** Null while the invite is pending. */
  @Column({ type: 'text', name: 'password_hash', nullable: true })
  passwordHash!: string | null;

  @Column({ type: 'text', name: 'roles', array: true, default: [] })
  roles!: OperatorRole[];

  @Column({ type: 'text', name: 'status', default: 'active' })
  status!: OperatorStatus;

  @Column({ type: 'text', name: 'invite_token_hash', nullable: true })
  inviteTokenHash!: string | null;

  @TimestampColumn('invite_expires_at', { nullable: true })
  inviteExpiresAt!: Date | null;

  @TimestampColumn('last_login_at', { nullable: true })
  lastLoginAt!: Date | null;

  @CreatedAtColumn()
  createdAt!: Date;

  @UpdatedAtColumn()
  updatedAt!: Date;
}
