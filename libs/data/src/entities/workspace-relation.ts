import { JoinColumn, ManyToOne } from 'typeorm';
import { WorkspaceEntity } from './workspace.entity';

/**
 * The `workspace_id → workspaces(id) ON DELETE CASCADE` foreign key of a tenant-scoped table.
 * Declared as a relation only so TypeORM's schema diff knows the constraint; code reads and
 * writes the plain `workspaceId` column beside it.
 */
export function WorkspaceRelation(table: string): PropertyDecorator {
  return (target: object, propertyKey: string | symbol) => {
    ManyToOne(() => WorkspaceEntity, { onDelete: 'CASCADE', nullable: false })(target, propertyKey);
    JoinColumn({ name: 'workspace_id', foreignKeyConstraintName: `fk_${table}_workspace` })(target, propertyKey);
  };
}
