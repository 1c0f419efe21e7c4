import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { OperatorEntity } from '@orch/data';
import { decodeCursor, encodeCursor, isUuid } from '../common/page-cursor';

export interface OperatorPage {
  items: OperatorEntity[];
  nextCursor: string | null;
}

/**
 * Queries of the operators table. Operators are global (not tenant-scoped); every method takes
 * an optional EntityManager so it can run inside the caller's transaction.
 */
@Injectable()
export class OperatorsRepository {
  constructor(private readonly dataSource: DataSource) {}

  private repo(manager?: EntityManager) {
    return (manager ?? this.dataSource.manager).getRepository(OperatorEntity);
  }

  async findById(id: string, manager?: EntityManager, options: { lock?: boolean } = {}): Promise<OperatorEntity | null> {
    if (!isUuid(id)) return null;
    return this.repo(manager).findOne({ where: { id }, ...(options.lock ? { lock: { mode: 'pessimistic_write' as const } } : {}) });
  }

  /** Emails are unique case-insensitively (uq_operators_email_lower). */
  async findByEmail(email: string, manager?: EntityManager): Promise<OperatorEntity | null> {
    return this.repo(manager).createQueryBuilder('o').where('lower(o.email) = lower(:email)', { email }).getOne();
  }

  async findByInviteHash(inviteTokenHash: string): Promise<OperatorEntity | null> {
    return this.repo().findOne({ where: { inviteTokenHash } });
  }

  async exists(manager?: EntityManager): Promise<boolean> {
    const rows: unknown[] = await (manager ?? this.dataSource.manager).query('SELECT 1 FROM operators LIMIT 1');
    return rows.length > 0;
  }

  /** OperatorAdmins who can actually sign in: active, invite accepted. */
  async countActiveAdmins(manager: EntityManager, excludingId?: string): Promise<number> {
    const query = this.repo(manager)
      .createQueryBuilder('o')
      .where(`o.status = 'active'`)
      .andWhere('o.password_hash IS NOT NULL')
      .andWhere(`'OperatorAdmin' = ANY(o.roles)`);
    if (excludingId) query.andWhere('o.id <> :excludingId', { excludingId });
    return query.getCount();
  }

  async insert(manager: EntityManager, values: Partial<OperatorEntity>): Promise<OperatorEntity> {
    const repository = this.repo(manager);
    return repository.save(repository.create(values));
  }

  async save(manager: EntityManager, operator: OperatorEntity): Promise<OperatorEntity> {
    return this.repo(manager).save(operator);
  }

  /** Sets the password and consumes the invite, only if that invite is still the current, unexpired one. */
  async acceptInvite(manager: EntityManager, id: string, inviteTokenHash: string, passwordHash: string, now: Date): Promise<boolean> {
    const result = await this.repo(manager)
      .createQueryBuilder()
      .update(OperatorEntity)
      .set({ passwordHash, inviteTokenHash: null, inviteExpiresAt: null })
      .where('id = :id AND invite_token_hash = :inviteTokenHash AND invite_expires_at > :now', { id, inviteTokenHash, now })
      .andWhere(`status = 'active'`)
      .execute();
    return (result.affected ?? 0) === 1;
  }

  async touchLastLogin(id: string, at: Date): Promise<void> {
    await this.repo().update({ id }, { lastLoginAt: at });
  }

  /** Newest first, keyset-paginated on (created_at, id). */
  async page(limit: number, cursor: string | undefined): Promise<OperatorPage> {
    const query = this.repo().createQueryBuilder('o').orderBy('o.createdAt', 'DESC').addOrderBy('o.id', 'DESC').limit(limit + 1);
    if (cursor) {
      const [createdAt, id] = decodeCursor(cursor, isCreatedAtIdPair);
      query.where('(o.created_at, o.id) < (:createdAt, :id)', { createdAt: new Date(createdAt), id });
    }
    const rows = await query.getMany();
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return { items, nextCursor: rows.length > limit && last ? encodeCursor([last.createdAt.toISOString(), last.id]) : null };
  }
}

function isCreatedAtIdPair(values: string[]): boolean {
  return values.length === 2 && !Number.isNaN(Date.parse(values[0])) && isUuid(values[1]);
}
