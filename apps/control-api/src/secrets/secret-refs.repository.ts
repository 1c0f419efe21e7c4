import { type EntityManager } from 'typeorm';
import { SecretRefEntity, TenantScopedRepository } from '@orch/data';

export const SECRET_REF_NAME_CONSTRAINT = 'uq_secret_refs_workspace_name';

/** Something that still points at a secret ref by name. */
export interface SecretRefUse {
  kind: 'connector' | 'webhook_route' | 'workspace';
  name: string;
}

/*
 * Connectors name refs in `secret_refs` (field → ref name) and in config fields called
 * `secret_ref` or ending in `_ref`, at any depth; webhook routes in their signing secret refs;
 * the workspace in its callback secret ref.
 */
const USES_SQL = `
  SELECT 'connector' AS kind, c.name AS name FROM connectors c
   WHERE c.workspace_id = $1
     AND (EXISTS (SELECT 1 FROM jsonb_each_text(c.secret_refs) e WHERE e.value = $2)
          OR jsonb_path_exists(c.config, 'lax $.** ? (@.type() == "object").keyvalue() ? ((@.key == "secret_ref" || @.key like_regex "_ref$") && @.value == $name)', jsonb_build_object('name', $2::text)))
  UNION ALL
  SELECT 'webhook_route', w.provider || ':' || w.route_key FROM webhook_routes w
   WHERE w.workspace_id = $1 AND (w.signing_secret_ref = $2 OR w.previous_signing_secret_ref = $2)
  UNION ALL
  SELECT 'workspace', ws.name FROM workspaces ws WHERE ws.id = $1 AND ws.callback_secret_ref = $2
  ORDER BY 1, 2
  LIMIT 20`;

/** Queries of secret_refs, each confined to a workspace. */
export class SecretRefsRepository extends TenantScopedRepository<SecretRefEntity> {
  constructor(
    private readonly manager: EntityManager,
  ) {
    super(manager.getRepository(SecretRefEntity), { sortKey: 'createdAt' });
  }

  static of(manager: EntityManager): SecretRefsRepository {
    return new SecretRefsRepository(manager);
  }

  async findByNameForUpdate(workspaceId: string, name: string): Promise<SecretRefEntity | null> {
    return this.repository.findOne({ where: this.scoped(workspaceId, { name }), lock: { mode: 'pessimistic_write' } });
  }

  /** What still references the ref (at most 20, for the error message). */
  async findUses(workspaceId: string, name: string): Promise<SecretRefUse[]> {
    return this.manager.query(USES_SQL, [workspaceId, name]);
  }
}
