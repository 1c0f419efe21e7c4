import { Inject, Injectable, Logger } from '@nestjs/common';
import { extractEventId, type HmacSignatureHeaderConfig, verifyWebhook, type VerifyInput, type WebhookSecret } from '@orch/connectors';
import { DomainError } from '@orch/contracts';
import type { WebhookRouteEntity, WebhookVerification } from '@orch/data';
import { JobQueue } from '@orch/execution';
import { SecretResolver } from '@orch/secrets';
import { TtlCache } from './route-cache';
import { storableHeaders } from './webhook-headers';
import { WebhookMetrics } from './webhook-metrics';
import { WebhooksRepository } from './webhooks.repository';

/** The enqueue after the insert must not hold the provider's request: past this, the row waits for a sweeper. */
export const ENQUEUE_TIMEOUT_MS = 1000;

export interface IncomingWebhook {
  provider: string;
  /** Absent on the account-routed endpoint. */
  routeKey?: string;
  rawBody: Buffer;
  headers: VerifyInput['headers'];
}

export interface WebhookReceipt {
  received: true;
  id: string;
  duplicate: boolean;
}

/** Injection token of the ingress' own options (WebhooksModule.forRoot). */
export const WEBHOOK_INGRESS_OPTIONS = Symbol('WEBHOOK_INGRESS_OPTIONS');

export interface WebhookIngressOptions {
  /** How long a route with its resolved signing secrets is reused per process; 0 reads them per request. */
  routeCacheMs: number;
}

/** A route with the signing secrets it verifies with (the previous one carries its grace expiry). */
interface ResolvedRoute {
  route: WebhookRouteEntity;
  secrets: WebhookSecret[];
}

type RouteLookup = { by: 'key'; provider: string; routeKey: string } | { by: 'account'; provider: string; account: string };

type ParsedBody = { ok: true; value: unknown } | { ok: false };

function parseJson(raw: Buffer): ParsedBody {
  try {
    return { ok: true, value: JSON.parse(raw.toString('utf8')) as unknown };
  } catch {
    return { ok: false };
  }
}

/** Control-api stores paths as `$.data.object.id` / `$.events[0].id`; extractEventId walks dotted own properties. */
export function toDottedPath(path: string | undefined): string | undefined {
  if (path === undefined) return undefined;
  return path.replace(/^\$\.?/, '').replace(/\[(\d+)\]/g, '.$1').replace(/^\./, '');
}

function stringAt(root: unknown, dotted: string): string | null {
  let current = root;
  for (const segment of dotted.split('.')) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, segment)) return null;
    current = (current as Record<string, unknown>)[segment];
  }
  return typeof current === 'string' ? current : null;
}

function hmacConfig(verification: WebhookVerification): HmacSignatureHeaderConfig | undefined {
  if (verification.scheme !== 'hmac-sha256' || !verification.header) return undefined;
  return { header: verification.header, encoding: verification.encoding ?? 'hex', ...(verification.prefix !== undefined ? { prefix: verification.prefix } : {}) };
}

function notFound(): DomainError {
  // Unknown, disabled and wrong-provider routes answer alike, so route keys cannot be probed.
  return new DomainError('NOT_FOUND', 'No webhook route here');
}

@Injectable()
export class WebhooksService {
  private readonly logger = new Logger(WebhooksService.name);
  private readonly routes: TtlCache<ResolvedRoute>;

  constructor(
    private readonly repository: WebhooksRepository,
    private readonly secrets: SecretResolver,
    private readonly queue: JobQueue,
    private readonly metrics: WebhookMetrics,
    @Inject(WEBHOOK_INGRESS_OPTIONS) options: WebhookIngressOptions,
  ) {
    this.routes = new TtlCache<ResolvedRoute>(options.routeCacheMs);
  }

  async receive(incoming: IncomingWebhook, now = new Date()): Promise<WebhookReceipt> {
    const { route, secrets } = await this.findRoute(incoming, now);
    const verification = route.verification;
    const hmac = hmacConfig(verification);

    const result = verifyWebhook({
      scheme: verification.scheme,
      rawBody: incoming.rawBody,
      headers: incoming.headers,
      // A cached previous secret past its grace is dropped here: verifyWebhook checks expiresAt against `now`.
      secrets,
      now,
      ...(verification.tolerance_seconds !== undefined ? { toleranceSeconds: verification.tolerance_seconds } : {}),
      ...(hmac ? { hmac } : {}),
    });
    if (!result.ok) {
      this.metrics.signatureFailure(route.provider, result.reason);
      throw new DomainError('WEBHOOK_SIGNATURE_INVALID', 'Webhook signature verification failed', { details: { reason: result.reason } });
    }

    const parsed = parseJson(incoming.rawBody);
    // Standard Webhooks takes its id from a header, so a non-JSON body is kept as text.
    if (!parsed.ok && verification.scheme !== 'standard-webhooks') throw new DomainError('VALIDATION_FAILED', 'Webhook body is not valid JSON');
    const payload = parsed.ok ? parsed.value : incoming.rawBody.toString('utf8');
    const eventId = extractEventId(verification.scheme, incoming.headers, payload, toDottedPath(verification.event_id_path));
    if (eventId === undefined) throw new DomainError('VALIDATION_FAILED', 'Webhook carries no event id');

    const typePath = toDottedPath(verification.event_type_path) ?? 'type';
    const stored = await this.repository.insertOrFind(route.workspaceId, {
      routeId: route.id,
      provider: route.provider,
      eventId,
      eventType: stringAt(payload, typePath),
      headers: storableHeaders(incoming.headers, hmac?.header),
      payload,
    });
    if (stored.created) await this.enqueueBounded(stored.id, route.workspaceId);
    return { received: true, id: stored.id, duplicate: !stored.created };
  }

  /**
   * The enabled route the delivery names, with its signing secrets. Both are reused per process
   * for `routeCacheMs` (default 1 s; then reloaded in the background, see TtlCache), so the hot
   * path does not read Postgres three times per delivery. A route created a moment ago is found at
   * once (misses are not cached); a change to an existing route (disable, new secret) applies
   * within `routeCacheMs`, at most twice that.
   */
  private async findRoute(incoming: IncomingWebhook, now: Date): Promise<ResolvedRoute> {
    const lookup = this.lookupOf(incoming);
    if (!lookup) throw notFound();
    const key = lookup.by === 'key' ? `key\u0000${lookup.provider}\u0000${lookup.routeKey}` : `account\u0000${lookup.provider}\u0000${lookup.account}`;
    const resolved = await this.routes.get(key, () => this.loadRoute(lookup, now));
    if (!resolved) throw notFound();
    return resolved;
  }

  private lookupOf(incoming: IncomingWebhook): RouteLookup | undefined {
    if (incoming.routeKey !== undefined) return { by: 'key', provider: incoming.provider, routeKey: incoming.routeKey };
    // Account routing reads the (still unverified) body only to pick the route whose secret then verifies it.
    const parsed = parseJson(incoming.rawBody);
    const account = parsed.ok ? stringAt(parsed.value, 'account') : null;
    return account ? { by: 'account', provider: incoming.provider, account } : undefined;
  }

  private async loadRoute(lookup: RouteLookup, now: Date): Promise<ResolvedRoute | null> {
    const route =
      lookup.by === 'key' ? await this.repository.findEnabledRouteByKey(lookup.provider, lookup.routeKey) : await this.repository.findEnabledRouteByAccount(lookup.provider, lookup.account);
    return route ? { route, secrets: await this.usableSecrets(route, now) } : null;
  }

  /** The current secret, plus the previous one while its rotation grace lasts (at `now`; verifyWebhook checks the expiry again per delivery). */
  private async usableSecrets(route: WebhookRouteEntity, now: Date): Promise<WebhookSecret[]> {
    const secrets: WebhookSecret[] = [];
    try {
      secrets.push({ value: await this.secrets.resolve(route.workspaceId, route.signingSecretRef) });
    } catch (error) {
      this.logger.warn({ route_id: route.id, err: (error as Error).name }, 'webhook signing secret could not be resolved');
    }
    const previousExpiry = route.previousSecretExpiresAt;
    if (route.previousSigningSecretRef && previousExpiry && previousExpiry.getTime() > now.getTime()) {
      try {
        secrets.push({ value: await this.secrets.resolve(route.workspaceId, route.previousSigningSecretRef), expiresAt: previousExpiry });
      } catch (error) {
        this.logger.warn({ route_id: route.id, err: (error as Error).name }, 'previous webhook signing secret could not be resolved');
      }
    }
    return secrets;
  }

  /**
   * The row is already stored, so a Redis outage must not fail the provider's delivery (it would
   * resend, and the repeat is a duplicate that is never enqueued). A failed or slow enqueue leaves
   * the row `received`; the worker's WebhookSweeper enqueues such rows after WEBHOOK_RECEIVED_STUCK_AFTER_MS.
   */
  private async enqueueBounded(inboxId: string, workspaceId: string): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`enqueue timed out after ${ENQUEUE_TIMEOUT_MS} ms`)), ENQUEUE_TIMEOUT_MS);
    });
    try {
      await Promise.race([this.queue.enqueueWebhook({ id: inboxId, workspaceId }), timeout]);
    } catch (error) {
      this.logger.warn({ inbox_id: inboxId, err: (error as Error).message }, 'webhook stored but not enqueued; left as received');
    } finally {
      clearTimeout(timer);
    }
  }
}
