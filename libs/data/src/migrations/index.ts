import { InitialSchema1795741449973 } from './1795741449973-initial-schema.migration';

/** Every migration, oldest first. A new one is appended here and never edited once merged. */
export const MIGRATIONS = [InitialSchema1795741449973] as const;
