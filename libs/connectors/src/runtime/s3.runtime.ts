// S3 (put/get/delete one object in the connector's bucket) through @aws-sdk/client-s3, with the
// SDK's retries off (the execution policy retries) and every connection through guarded Agents.
//
// One S3Client per attempt: timeouts come per attempt and the client would otherwise have to be
// cached by config + secret key. Clients are cheap; the sockets live in the shared Agents.
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { Readable } from 'node:stream';
import type { EgressPolicy } from '../egress/address-policy';
import { assertUrlAllowed, type ResolveAll } from '../egress/guarded-dispatcher';
import { AttemptDeadline } from './attempt-deadline';
import { classifyCommonError, describeError, type AbortState } from './attempt-outcome';
import { GuardedHttpAgent, GuardedHttpsAgent } from './guarded-node-agents';
import { requireSecret } from './http-request-builder';
import { InvalidCallError, invalidResult } from './invalid-call-error';
import type { AttemptLimits, AttemptRequest, AttemptResult, ConnectorRuntime } from './runtime';

export const S3_SECRET_KEY_POINTER = '/secret_access_key_ref';

interface S3ConnectorConfig {
  endpoint?: string;
  region: string;
  bucket: string;
  access_key_id: string;
  force_path_style?: boolean;
}

interface ObjectPayload {
  key: string;
  body?: string;
  body_encoding?: 'utf8' | 'base64';
  content_type?: string;
  metadata?: Record<string, string>;
}

/** What the SDK puts on its errors. */
interface SdkError {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

/** The body of a get_object went over max_response_bytes. */
class BodyTooLarge extends Error {}

const NO_LOG = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/** Classifies an SDK failure (after the egress / deadline cases every runtime shares). */
export function classifyS3Error(err: unknown, aborts: AbortState, durationMs: number): AttemptResult {
  const common = classifyCommonError(err, aborts, durationMs);
  if (common !== undefined) return common;
  const e = (typeof err === 'object' && err !== null ? err : {}) as SdkError;
  const status = e.$metadata?.httpStatusCode;
  if (typeof status === 'number' && status >= 300) {
    return { kind: 'response', status, headers: {}, output: { code: e.name, message: e.message }, durationMs };
  }
  const message = e.message ?? '';
  // NodeHttpHandler names its own timeouts TimeoutError — and ECONNRESET/EPIPE too, which are network.
  if (message.includes('did not establish a connection')) return { kind: 'timeout', phase: 'connect', message, durationMs };
  if (e.code === 'ETIMEDOUT' || (e.name === 'TimeoutError' && e.code === undefined)) return { kind: 'timeout', phase: 'read', message, durationMs };
  return { kind: 'network', message: describeError(err), durationMs };
}

async function readCapped(body: Readable, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > maxBytes) {
      body.destroy();
      throw new BodyTooLarge();
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

export interface S3RuntimeOptions {
  policy: EgressPolicy;
  resolveAll?: ResolveAll;
}

export class S3Runtime implements ConnectorRuntime {
  readonly type: string = 's3';
  private readonly httpAgent: GuardedHttpAgent;
  private readonly httpsAgent: GuardedHttpsAgent;

  constructor(private readonly options: S3RuntimeOptions) {
    const guard = { policy: options.policy, ...(options.resolveAll !== undefined ? { resolveAll: options.resolveAll } : {}) };
    this.httpAgent = new GuardedHttpAgent(guard);
    this.httpsAgent = new GuardedHttpsAgent(guard);
  }

  async attempt(request: AttemptRequest): Promise<AttemptResult> {
    const config = request.connector.config as unknown as S3ConnectorConfig;
    let client: S3Client;
    try {
      // A literal or localhost endpoint is refused before any client exists; names are checked at connect.
      if (config.endpoint !== undefined) assertUrlAllowed(config.endpoint, this.options.policy);
      client = this.client(config, requireSecret(request.secrets, S3_SECRET_KEY_POINTER), request.limits);
    } catch (err) {
      const common = classifyCommonError(err, { totalExpired: false, callerAborted: false }, 0);
      return common ?? invalidResult(err);
    }
    const deadline = new AttemptDeadline(request.limits.total_ms, request.signal);
    try {
      const { status, output } = await this.run(client, config.bucket, request, deadline);
      return { kind: 'response', status, headers: {}, output, durationMs: deadline.elapsedMs() };
    } catch (err) {
      if (err instanceof BodyTooLarge) return { kind: 'too_large', status: 200, durationMs: deadline.elapsedMs() };
      return classifyS3Error(err, deadline.state, deadline.elapsedMs());
    } finally {
      deadline.dispose();
    }
  }

  async close(): Promise<void> {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  private client(config: S3ConnectorConfig, secretAccessKey: string, limits: AttemptLimits): S3Client {
    return new S3Client({
      region: config.region,
      ...(config.endpoint !== undefined ? { endpoint: config.endpoint } : {}),
      forcePathStyle: config.force_path_style ?? false,
      credentials: { accessKeyId: config.access_key_id, secretAccessKey },
      maxAttempts: 1,
      // Checksums only where S3 requires them: S3-compatible stores often reject aws-chunked CRC bodies.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      logger: NO_LOG,
      requestHandler: new NodeHttpHandler({
        connectionTimeout: limits.connect_ms,
        // The handler's request timer starts before connecting, so it gets both budgets.
        requestTimeout: limits.connect_ms + limits.read_ms,
        throwOnRequestTimeout: true,
        socketTimeout: limits.read_ms,
        httpAgent: this.httpAgent,
        httpsAgent: this.httpsAgent,
        logger: NO_LOG,
      }),
    });
  }

  private async run(client: S3Client, bucket: string, request: AttemptRequest, deadline: AttemptDeadline): Promise<{ status: number; output: unknown }> {
    const payload = request.payload as unknown as ObjectPayload;
    const opts = { abortSignal: deadline.signal };
    const operationId = request.operation.operation_id;
    switch (operationId) {
      case 'put_object': {
        const body = Buffer.from(payload.body ?? '', payload.body_encoding === 'base64' ? 'base64' : 'utf8');
        const out = await client.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: payload.key,
            Body: body,
            ContentLength: body.length,
            ...(payload.content_type !== undefined ? { ContentType: payload.content_type } : {}),
            ...(payload.metadata !== undefined ? { Metadata: payload.metadata } : {}),
          }),
          opts,
        );
        return { status: out.$metadata.httpStatusCode ?? 200, output: { etag: out.ETag ?? '', ...(out.VersionId !== undefined ? { version_id: out.VersionId } : {}) } };
      }
      case 'get_object': {
        const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: payload.key }), opts);
        if (out.ContentLength !== undefined && out.ContentLength > request.limits.max_response_bytes) {
          (out.Body as Readable | undefined)?.destroy();
          throw new BodyTooLarge();
        }
        const bytes = out.Body === undefined ? Buffer.alloc(0) : await readCapped(out.Body as Readable, request.limits.max_response_bytes);
        return {
          status: out.$metadata.httpStatusCode ?? 200,
          output: {
            body: bytes.toString('base64'),
            body_encoding: 'base64',
            ...(out.ContentType !== undefined ? { content_type: out.ContentType } : {}),
            ...(out.ETag !== undefined ? { etag: out.ETag } : {}),
          },
        };
      }
      case 'delete_object': {
        const out = await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: payload.key }), opts);
        return { status: out.$metadata.httpStatusCode ?? 204, output: { deleted: true } };
      }
      default:
        throw new InvalidCallError(`s3 has no operation ${operationId}`);
    }
  }
}
