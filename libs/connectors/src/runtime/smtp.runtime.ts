// SMTP (`send_email`) through nodemailer. The host is resolved through the egress guard first and
// nodemailer connects to that checked IP (TLS still verifies the original name via servername).
//
// One transport per attempt, no pool: SMTP sessions are short, timeouts come per attempt, and a
// pooled session would have to be keyed by host + credentials — a cache holding secrets.
import nodemailer, { type Transporter } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';
import type { EgressPolicy } from '../egress/address-policy';
import { parseHostLiteral } from '../egress/address-policy';
import type { ResolveAll } from '../egress/guarded-dispatcher';
import { AttemptDeadline } from './attempt-deadline';
import { classifyCommonError, describeError, type AbortState } from './attempt-outcome';
import { resolveAllowedAddress, untilAborted } from './guarded-resolve';
import { requireSecret } from './http-request-builder';
import { InvalidCallError, invalidResult } from './invalid-call-error';
import type { AttemptLimits, AttemptRequest, AttemptResult, ConnectorRuntime } from './runtime';

export const SMTP_PASSWORD_POINTER = '/password_ref';

interface SmtpConnectorConfig {
  host: string;
  port?: number;
  secure?: boolean;
  username?: string;
}

interface SendEmailPayload {
  from: string;
  to: string[];
  subject: string;
  text?: string;
  html?: string;
}

/** What nodemailer puts on its errors. */
interface SmtpError {
  code?: string;
  responseCode?: number;
  response?: string;
  timeoutType?: string;
}

/**
 * SMTP reply → HTTP status, so the execution policy can treat it like any upstream:
 *  - 4xx (transient: greylisting, mailbox busy, 454 temporary auth failure) → 503, retryable;
 *  - 530/534/535 (authentication refused) → 401, not retryable;
 *  - other 5xx (permanent: unknown recipient, message refused) → 422, not retryable — a 502 would
 *    be retried by the policy and resend a message the server already refused for good;
 *  - anything else unexpected → 502.
 */
export function smtpReplyStatus(responseCode: number): number {
  if (responseCode >= 400 && responseCode < 500) return 503;
  if (responseCode === 530 || responseCode === 534 || responseCode === 535) return 401;
  if (responseCode >= 500 && responseCode < 600) return 422;
  return 502;
}

/** Classifies a nodemailer failure (after the egress / deadline cases every runtime shares). */
export function classifySmtpError(err: unknown, aborts: AbortState, durationMs: number): AttemptResult {
  const common = classifyCommonError(err, aborts, durationMs);
  if (common !== undefined) return common;
  const e = (typeof err === 'object' && err !== null ? err : {}) as SmtpError;
  if (e.code === 'ETIMEDOUT') {
    // nodemailer names the phase; only establishing the TCP connection is `connect`.
    const phase = e.timeoutType === 'CONNECT_TIMEOUT' ? 'connect' : 'read';
    return { kind: 'timeout', phase, message: describeError(err), durationMs };
  }
  if (typeof e.responseCode === 'number') {
    return {
      kind: 'response',
      status: smtpReplyStatus(e.responseCode),
      headers: {},
      output: { smtp_code: e.responseCode, ...(e.response !== undefined ? { response: e.response } : {}) },
      durationMs,
    };
  }
  return { kind: 'network', message: describeError(err), durationMs };
}

function transportOptions(config: SmtpConnectorConfig, address: string, password: string | undefined, limits: AttemptLimits): SMTPTransport.Options {
  const isName = parseHostLiteral(config.host) === undefined;
  return {
    host: address,
    port: config.port ?? 587,
    secure: config.secure ?? false,
    ...(config.username !== undefined && password !== undefined ? { auth: { user: config.username, pass: password } } : {}),
    ...(isName ? { tls: { servername: config.host } } : {}),
    connectionTimeout: limits.connect_ms,
    greetingTimeout: limits.read_ms,
    socketTimeout: limits.read_ms,
    // The payload is plain data: never let a message pull in a local file or a URL.
    disableFileAccess: true,
    disableUrlAccess: true,
  };
}

export interface SmtpRuntimeOptions {
  policy: EgressPolicy;
  resolveAll?: ResolveAll;
}

export class SmtpRuntime implements ConnectorRuntime {
  readonly type: string = 'smtp';

  constructor(private readonly options: SmtpRuntimeOptions) {}

  async attempt(request: AttemptRequest): Promise<AttemptResult> {
    if (request.operation.operation_id !== 'send_email') return invalidResult(new InvalidCallError(`smtp has no operation ${request.operation.operation_id}`));
    const config = request.connector.config as unknown as SmtpConnectorConfig;
    let password: string | undefined;
    try {
      password = config.username !== undefined ? requireSecret(request.secrets, SMTP_PASSWORD_POINTER) : undefined;
    } catch (err) {
      return invalidResult(err);
    }
    const deadline = new AttemptDeadline(request.limits.total_ms, request.signal);
    let transport: Transporter<SMTPTransport.SentMessageInfo> | undefined;
    try {
      const address = await untilAborted(resolveAllowedAddress(config.host, this.options.policy, this.options.resolveAll), deadline.signal, () => undefined);
      const smtp = nodemailer.createTransport(transportOptions(config, address, password, request.limits));
      transport = smtp;
      const payload = request.payload as unknown as SendEmailPayload;
      const info = await untilAborted(
        smtp.sendMail({ from: payload.from, to: payload.to, subject: payload.subject, ...(payload.text !== undefined ? { text: payload.text } : {}), ...(payload.html !== undefined ? { html: payload.html } : {}) }),
        deadline.signal,
        () => smtp.close(),
      );
      const accepted = (info.accepted as Array<string | { address: string }>).map((a) => (typeof a === 'string' ? a : a.address));
      return { kind: 'response', status: 200, headers: {}, output: { message_id: info.messageId, accepted }, durationMs: deadline.elapsedMs() };
    } catch (err) {
      return classifySmtpError(err, deadline.state, deadline.elapsedMs());
    } finally {
      transport?.close();
      deadline.dispose();
    }
  }
}
