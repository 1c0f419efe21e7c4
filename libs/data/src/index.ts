// TypeORM entities, explicit migrations, data source, tenant-scoped repositories.
