import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { WebhookRouteEntity } from '@orch/data';

export interface NewInboxRow {
  routeId: string;
  provider: string;
  eventId: string;
  eventType: string | null;
  headers: Record<string, string>;
  payload: unknown;
}

@Injectable()
export class WebhooksRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Not tenant-scoped on purpose: the route key is what tells the workspace. */
  findEnabledRouteByKey(provider: string, routeKey: string): Promise<WebhookRouteEntity | null> {
    return this.dataSource.getRepository(WebhookRouteEntity).findOne({ where: { provider, routeKey, enabled: true } });
  }

  /** The provider account id is unique per provider (uq_webhook_routes_provider_account). */
  findEnabledRouteByAccount(provider: string, providerAccountId: string): Promise<WebhookRouteEntity | null> {
    return this.dataSource.getRepository(WebhookRouteEntity).findOne({ where: { provider, providerAccountId, enabled: true } });
  }

  /**
   * One statement, so concurrent deliveries of the same event race on the unique constraint and
   * exactly one gets a row back; the others read the winner's id.
   */
  async insertOrFind(workspaceId: string, row: NewInboxRow): Promise<{ id: string; created: boolean }> {
    const inserted: Array<{ id: string }> = await this.dataSource.query(
      `INSERT INTO webhook_inbox (workspace_id, route_id, provider, event_id, event_type, headers, payload)
       VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb)
       ON CONFLICT (workspace_id, provider, event_id) DO NOTHING
       RETURNING id`,
      [workspaceId, row.routeId, row.provider, row.eventId, row.eventType, JSON.stringify(row.headers), JSON.stringify(row.payload)],
    );
    if (inserted[0]) return { id: inserted[0].id, created: true };
    const existing: Array<{ id: string }> = await this.dataSource.query(
      'SELECT id FROM webhook_inbox WHERE workspace_id = $1 AND provider = $2 AND event_id = $3',
      [workspaceId, row.provider, row.eventId],
    );
    if (!existing[0]) throw new Error('webhook_inbox row vanished between insert and read');
    return { id: existing[0].id, created: false };
  }
}
