import { InitialSchema1795741449973 } from './1795741449973-initial-schema.migration';
import { WebhookInboxPendingIndex1795900000000 } from './1795900000000-webhook-inbox-pending-index.migration';
import { JobsActiveIndex1796000000000 } from './1796000000000-jobs-active-index.migration';
import { JobsWriteAmplification1796100000000 } from './1796100000000-jobs-write-amplification.migration';

/** Every migration, oldest first. A new one is appended here and never edited once merged. */
export const MIGRATIONS = [InitialSchema1795741449973, WebhookInboxPendingIndex1795900000000, JobsActiveIndex1796000000000, JobsWriteAmplification1796100000000] as const;
