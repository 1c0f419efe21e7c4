import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { request, type Dispatcher } from 'undici';
import { assertUrlAllowed, createGuardedDispatcher, EgressPolicy, isEgressBlockedError } from '@orch/connectors';
import { WORKER_CONFIG, type WorkerConfig } from '../config';
import { standardWebhookHeaders } from './webhook-signature';

/** How one POST went: a 2xx, another status (3xx included: redirects are not followed), or no answer. */
export type PostResult = { ok: true; status: number } | { ok: false; status: number | null; code: string; message: string; retry: boolean };

export interface SignedPost {
  url: string;
  /** Sent exactly as given; the signature covers these bytes. */
  body: string;
  /** The workspace callback secret (`whsec_…`). */
  secret: string;
  /** `webhook-id`: stable across the retries of one message, so receivers can dedupe. */
  messageId: string;
  timeoutMs: number;
  /** Prefix of the failure codes (`CALLBACK` → CALLBACK_REJECTED, CALLBACK_TIMEOUT…). */
  codePrefix: string;
  /** How the destination is named in failure messages ("the callback URL"). */
  destination: string;
  userAgent: string;
  /** Informative headers sent alongside the signature (never secrets). */
  headers?: Record<string, string>;
  now?: () => number;
}

/**
 * The worker's one way of POSTing a signed message to a product (job callbacks, forwarded
 * webhooks): Standard Webhooks headers, the egress guard (checked on the URL and again on the
 * resolved address by the guarded dispatcher), redirects never followed, one timeout for the
 * whole exchange. Answers a verdict, never throws; failure messages name no secret.
 */
@Injectable()
export class SignedPoster implements OnApplicationShutdown {
  private readonly policy: EgressPolicy;
  private readonly dispatcher: Dispatcher;

  constructor(@Inject(WORKER_CONFIG) config: WorkerConfig) {
    this.policy = new EgressPolicy(config.EGRESS_ALLOW_CIDRS ?? '');
    this.dispatcher = createGuardedDispatcher({ policy: this.policy });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.dispatcher.close();
  }

  async post(message: SignedPost): Promise<PostResult> {
    const { codePrefix, destination, timeoutMs } = message;
    try {
      assertUrlAllowed(message.url, this.policy);
      const timestamp = Math.floor((message.now ?? Date.now)() / 1000);
      const response = await request(message.url, {
        method: 'POST',
        body: message.body,
        headers: {
          'content-type': 'application/json',
          'user-agent': message.userAgent,
          ...(message.headers ?? {}),
          ...standardWebhookHeaders(message.secret, message.messageId, timestamp, message.body),
        },
        dispatcher: this.dispatcher,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        signal: AbortSignal.timeout(timeoutMs),
      });
      await response.body.dump();
      if (response.statusCode >= 200 && response.statusCode < 300) return { ok: true, status: response.statusCode };
      const redirect = response.statusCode >= 300 && response.statusCode < 400;
      return {
        ok: false,
        status: response.statusCode,
        code: `${codePrefix}_${redirect ? 'REDIRECTED' : 'REJECTED'}`,
        message: `${destination} answered ${response.statusCode}${redirect ? ' (redirects are not followed)' : ''}`,
        retry: true,
      };
    } catch (error) {
      const blocked = isEgressBlockedError(error) || (error instanceof Error && isEgressBlockedError(error.cause));
      if (blocked) return { ok: false, status: null, code: 'EGRESS_BLOCKED', message: `${destination} is not an allowed destination`, retry: false };
      const timeout = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'HeadersTimeoutError' || error.name === 'BodyTimeoutError');
      return {
        ok: false,
        status: null,
        code: `${codePrefix}_${timeout ? 'TIMEOUT' : 'UNREACHABLE'}`,
        message: timeout ? `${destination} did not answer in time` : `${destination} could not be reached`,
        retry: true,
      };
    }
  }
}
