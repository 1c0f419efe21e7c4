import type { ConsoleArea } from '../../navigation';
import { AccessPage } from './access-page';
import { AuditPage } from './audit-page';
import { DlqPage } from './dlq-page';
import { EventsPage } from './events-page';
import { JobDetailPage } from './job-detail-page';
import { JobsPage } from './jobs-page';
import { PlaygroundPage } from './playground-page';
import { WebhookInboxDetailPage } from './webhook-inbox-detail-page';
import { WebhookInboxPage } from './webhook-inbox-page';

/** Running traffic and governance: playground, jobs, DLQ, webhook inbox, live events, audit, impersonation. */
export const operationsArea: ConsoleArea = {
  globalRoutes: [
    { path: 'audit', element: <AuditPage /> },
    { path: 'access', element: <AccessPage /> },
  ],
  workspaceRoutes: [
    { path: 'playground', element: <PlaygroundPage /> },
    { path: 'events', element: <EventsPage /> },
    { path: 'jobs', element: <JobsPage /> },
    { path: 'jobs/:jobId', element: <JobDetailPage /> },
    { path: 'dlq', element: <DlqPage /> },
    { path: 'webhook-inbox', element: <WebhookInboxPage /> },
    { path: 'webhook-inbox/:inboxId', element: <WebhookInboxDetailPage /> },
  ],
  nav: [
    { label: 'Playground', path: 'playground', scope: 'workspace', section: 'Operations' },
    { label: 'Live events', path: 'events', scope: 'workspace', section: 'Operations' },
    { label: 'Jobs', path: 'jobs', scope: 'workspace', section: 'Operations' },
    { label: 'Dead-letter queue', path: 'dlq', scope: 'workspace', section: 'Operations' },
    { label: 'Webhook inbox', path: 'webhook-inbox', scope: 'workspace', section: 'Operations' },
    { label: 'Audit log', path: 'audit', scope: 'global', section: 'Governance' },
    { label: 'Access', path: 'access', scope: 'global', section: 'Governance' },
  ],
};
