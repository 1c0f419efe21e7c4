// s3rver publishes no types: reuse the connectors library's test typing of it (an ambient module, so no import can name it).
// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- ambient `declare module 's3rver'` file
/// <reference path="../../../libs/connectors/src/runtime/testing/s3rver.d.ts" />
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import { SMTPServer } from 'smtp-server';
import { DataSource } from 'typeorm';
import { EventLogEntity, RequestLogEntity } from '@orch/data';
import { RecordWriter } from '@orch/execution';
import { closeSettled, createSecretRef, createVaultSecret, ExecStack, type TestWorkspace } from './support/exec-stack';

const rand = (): string => randomBytes(6).toString('hex');

const SMTP_USER = 'mailer';
const SMTP_PASSWORD = `smtp-pass-${rand()}`;
const SMTP_WRONG_PASSWORD = `smtp-wrong-${rand()}`;
// s3rver accepts only its built-in credentials.
const S3_ACCESS_KEY = 'S3RVER';
const S3_SECRET = 'S3RVER';
const STRIPE_KEY = `sk_test_${rand()}`;
const HTTP_TOKEN = `tok-${rand()}-never-shown`;

interface ReceivedMail {
  from: string | undefined;
  to: string[];
  raw: string;
}

/**
 * The four built-in connector types through POST /v1/execute with secrets from the vault:
 * smtp (smtp-server), s3 (s3rver), stripe (a fake upstream as base_url) and http with bearer
 * auth — and the secrets never showing in responses, events, request logs or exec-api's logs.
 *
 * exec-api logs at debug for the whole file and process.stdout is captured: pino writes to
 * process.stdout itself (instead of its own fd-1 stream) when stdout.write is replaced before
 * the logger is built, so the spy is installed before the stack starts.
 */
describe('POST /v1/execute per connector type', () => {
  const logLines: string[] = [];
  let stdoutSpy: jest.SpyInstance;
  let stack: ExecStack;
  let ws: TestWorkspace;
  let token: string;
  let smtp: SMTPServer;
  let smtpPort: number;
  const mails: ReceivedMail[] = [];
  let s3rver: S3rver;
  let s3Endpoint: string;
  let s3Directory: string;

  /** A policy with the stack's fast test defaults, merged with `overrides`. */
  const policy = async (overrides: Record<string, unknown> = {}): Promise<string> => {
    const name = `pol-${rand()}`;
    await stack.controlPost(ws.ws.id, 'policies', {
      name,
      timeout: { connect_ms: 1000, read_ms: 3000, total_ms: 8000 },
      retry: { max_attempts: 3, base_delay_ms: 10, max_delay_ms: 50, jitter: 'full', retry_on: ['network', 'timeout', 429, 502, 503, 504], respect_retry_after: true },
      circuit_breaker: { window_ms: 10_000, min_requests: 100, failure_rate_threshold: 0.5, open_ms: 1000, half_open_probes: 1 },
      rate_limit: { capacity: 10_000, refill_per_sec: 10_000 },
      ...overrides,
    });
    return name;
  };

  const connector = async (type: string, config: Record<string, unknown>, policyOverrides: Record<string, unknown> = {}): Promise<string> => {
    const name = `${type}-${rand()}`;
    await stack.controlPost(ws.ws.id, 'connectors', { name, type, policy: await policy(policyOverrides), config });
    return name;
  };

  /** Writes what the RecordWriter still buffers (events, request_log) so the tables can be read. */
  const flushRecords = async (): Promise<void> => {
    await new Promise((resolve) => setTimeout(resolve, 100));
    await stack.exec.app.get(RecordWriter).flush();
  };

  beforeAll(async () => {
    stdoutSpy = jest.spyOn(process.stdout, 'write').mockImplementation(((chunk: string | Uint8Array, ...rest: unknown[]) => {
      logLines.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      const callback = rest.find((arg): arg is () => void => typeof arg === 'function');
      callback?.();
      return true;
    }) as typeof process.stdout.write);

    stack = await ExecStack.start({ execEnv: { LOG_LEVEL: 'debug' } });
    ws = await stack.workspace();
    await stack.setQuotas(ws.ws.id, { rps: 10_000, concurrency: 100, queue_depth: 10_000 });
    token = await ws.token();

    smtp = new SMTPServer({
      secure: false,
      disabledCommands: ['STARTTLS'],
      authMethods: ['PLAIN', 'LOGIN'],
      allowInsecureAuth: true,
      onAuth: (auth, _session, callback) => {
        if (auth.username === SMTP_USER && auth.password === SMTP_PASSWORD) return callback(null, { user: SMTP_USER });
        return callback(Object.assign(new Error('Authentication failed'), { responseCode: 535 }));
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          mails.push({
            from: session.envelope.mailFrom === false ? undefined : session.envelope.mailFrom.address,
            to: session.envelope.rcptTo.map((r) => r.address),
            raw: Buffer.concat(chunks).toString('utf8'),
          });
          callback();
        });
      },
    });
    smtp.on('error', () => undefined);
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    smtpPort = (smtp.server.address() as AddressInfo).port;

    s3Directory = mkdtempSync(join(tmpdir(), 's3rver-exec-'));
    s3rver = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: s3Directory, configureBuckets: [{ name: 'test-bucket' }] });
    const { port } = await s3rver.run();
    s3Endpoint = `http://127.0.0.1:${port}`;
  });

  afterAll(async () => {
    await closeSettled(stack);
    await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
    await s3rver?.close();
    if (s3Directory) rmSync(s3Directory, { recursive: true, force: true });
    stdoutSpy?.mockRestore();
  });

  beforeEach(() => stack.upstream.reset());

  describe('smtp (smtp-server on 127.0.0.1, password from the vault)', () => {
    it('sends the mail: 200 with message_id; the server received subject and recipients', async () => {
      await createVaultSecret(stack, ws.ws.id, 'smtp-pass', SMTP_PASSWORD);
      const mailer = await connector('smtp', { host: '127.0.0.1', port: smtpPort, secure: false, username: SMTP_USER, password_ref: 'smtp-pass' });
      const subject = `Hello ${rand()}`;
      const res = await stack.execute(token, {
        connector: mailer,
        operation: 'send_email',
        payload: { from: 'noreply@orchestrator.test', to: ['a@example.test', 'b@example.test'], subject, text: 'body text' },
      });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ status: 'succeeded', attempts: 1, output: { message_id: expect.stringMatching(/^<.+>$/), accepted: ['a@example.test', 'b@example.test'] } });
      const mail = mails.find((m) => m.raw.includes(`Subject: ${subject}`));
      expect(mail).toBeDefined();
      expect(mail?.to).toEqual(['a@example.test', 'b@example.test']);
      expect(mail?.from).toBe('noreply@orchestrator.test');
      expect(res.text).not.toContain(SMTP_PASSWORD);
    });

    it('a wrong password: 502 UPSTREAM_ERROR with upstream_status 401 (SMTP 535), not retried, no password in the answer', async () => {
      await createVaultSecret(stack, ws.ws.id, 'smtp-wrong', SMTP_WRONG_PASSWORD);
      const mailer = await connector('smtp', { host: '127.0.0.1', port: smtpPort, secure: false, username: SMTP_USER, password_ref: 'smtp-wrong' });
      const before = mails.length;
      const res = await stack.execute(token, { connector: mailer, operation: 'send_email', payload: { from: 'noreply@orchestrator.test', to: ['a@example.test'], subject: 'nope', text: 'x' } });
      expect(res.status).toBe(502);
      expect(res.body.error).toMatchObject({ code: 'UPSTREAM_ERROR', details: { upstream_status: 401, attempts: 1, upstream_body: { smtp_code: 535 } } });
      expect(res.text).not.toContain(SMTP_WRONG_PASSWORD);
      expect(res.text).not.toContain(SMTP_PASSWORD);
      expect(mails.length).toBe(before);
    });
  });

  describe('s3 (s3rver on 127.0.0.1, secret access key from the vault)', () => {
    let files: string;

    beforeAll(async () => {
      await createVaultSecret(stack, ws.ws.id, 's3-secret', S3_SECRET);
      files = await connector('s3', { endpoint: s3Endpoint, region: 'us-east-1', bucket: 'test-bucket', access_key_id: S3_ACCESS_KEY, secret_access_key_ref: 's3-secret', force_path_style: true });
    });

    it('put_object → get_object round-trips the bytes (base64); delete_object removes it', async () => {
      const bytes = Buffer.from([0, 1, 2, 250, 255, 10, 13, ...randomBytes(32)]);
      const key = `dir/${rand()} file.bin`;
      const put = await stack.execute(token, { connector: files, operation: 'put_object', payload: { key, body: bytes.toString('base64'), body_encoding: 'base64', content_type: 'application/octet-stream' } });
      expect(put.status).toBe(200);
      expect(put.body.output.etag).toMatch(/^"[0-9a-f]{32}"$/);

      const got = await stack.execute(token, { connector: files, operation: 'get_object', payload: { key } });
      expect(got.status).toBe(200);
      expect(got.body.output).toMatchObject({ body: bytes.toString('base64'), body_encoding: 'base64', content_type: 'application/octet-stream' });

      const deleted = await stack.execute(token, { connector: files, operation: 'delete_object', payload: { key } });
      expect(deleted.status).toBe(200);
      expect(deleted.body.output).toEqual({ deleted: true });

      const gone = await stack.execute(token, { connector: files, operation: 'get_object', payload: { key } });
      expect(gone.status).toBe(502);
      expect(gone.body.error).toMatchObject({ code: 'UPSTREAM_ERROR', details: { upstream_status: 404 } });
    });

    it('get_object of a key that never existed → 502 UPSTREAM_ERROR with upstream_status 404', async () => {
      const res = await stack.execute(token, { connector: files, operation: 'get_object', payload: { key: `missing-${rand()}` } });
      expect(res.status).toBe(502);
      expect(res.body.error).toMatchObject({ code: 'UPSTREAM_ERROR', details: { upstream_status: 404, attempts: 1 } });
    });
  });

  describe('stripe (fake upstream as base_url, api key from the vault)', () => {
    let payments: string;
    let retrying: string;

    beforeAll(async () => {
      await createVaultSecret(stack, ws.ws.id, 'stripe-key', STRIPE_KEY);
      payments = await connector('stripe', { api_key_ref: 'stripe-key', base_url: stack.upstream.url });
      // 500 is retried only when the policy says so.
      retrying = await connector('stripe', { api_key_ref: 'stripe-key', base_url: stack.upstream.url }, {
        retry: { max_attempts: 3, base_delay_ms: 10, max_delay_ms: 50, jitter: 'full', retry_on: ['network', 'timeout', 429, 500, 502, 503, 504], respect_retry_after: true },
      });
    });

    const intent = { amount: 1999, currency: 'eur', description: 'order 42', metadata: { order_id: 'o-42' } };
    const created = { status: 200, body: { id: 'pi_123', object: 'payment_intent', status: 'requires_payment_method', amount: 1999 } };

    it('create_payment_intent: form-encoded body, Bearer api key, an Idempotency-Key header', async () => {
      stack.upstream.enqueue(created);
      const res = await stack.execute(token, { connector: payments, operation: 'create_payment_intent', payload: intent });
      expect(res.status).toBe(200);
      expect(res.body.output).toMatchObject({ id: 'pi_123', status: 'requires_payment_method' });
      expect(res.text).not.toContain(STRIPE_KEY);

      expect(stack.upstream.requests).toHaveLength(1);
      const sent = stack.upstream.requests[0];
      expect(sent).toMatchObject({ method: 'POST', url: '/v1/payment_intents' });
      expect(sent?.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
      expect(sent?.headers['authorization']).toBe(`Bearer ${STRIPE_KEY}`);
      expect(sent?.headers['idempotency-key']).toEqual(expect.stringMatching(/^\S{8,}$/));
      const form = new URLSearchParams(sent?.body ?? '');
      expect(form.get('amount')).toBe('1999');
      expect(form.get('currency')).toBe('eur');
      expect(form.get('description')).toBe('order 42');
      expect(form.get('metadata[order_id]')).toBe('o-42');
    });

    it('sends the same Idempotency-Key on every attempt of one execution (500, then 200)', async () => {
      stack.upstream.enqueue({ status: 500, body: { error: { type: 'api_error' } } }, created);
      const res = await stack.execute(token, { connector: retrying, operation: 'create_payment_intent', payload: intent });
      expect(res.status).toBe(200);
      expect(res.body.attempts).toBe(2);
      expect(stack.upstream.requests).toHaveLength(2);
      const [first, second] = stack.upstream.requests.map((r) => r.headers['idempotency-key']);
      expect(first).toEqual(expect.any(String));
      expect(second).toBe(first);
    });

    it('derives the upstream key from the client Idempotency-Key: different client keys → different upstream keys', async () => {
      const clientKeys = [`client-${rand()}`, `client-${rand()}`];
      for (const clientKey of clientKeys) {
        stack.upstream.enqueue(created);
        await stack.execute(token, { connector: payments, operation: 'create_payment_intent', payload: intent }, { 'Idempotency-Key': clientKey }).expect(200);
      }
      // Two executions without a client key get keys of their own too.
      stack.upstream.enqueue(created, created);
      await stack.execute(token, { connector: payments, operation: 'create_payment_intent', payload: intent }).expect(200);
      await stack.execute(token, { connector: payments, operation: 'create_payment_intent', payload: intent }).expect(200);

      const upstreamKeys = stack.upstream.requests.map((r) => r.headers['idempotency-key'] as string);
      expect(upstreamKeys).toHaveLength(4);
      expect(new Set(upstreamKeys).size).toBe(4);
      // The derivation documented in ExecutionService: orch_ + sha256("<workspace>:<basis>") (48 hex), basis = the client key.
      clientKeys.forEach((clientKey, i) => {
        expect(upstreamKeys[i]).toBe(`orch_${createHash('sha256').update(`${ws.ws.id}:${clientKey}`).digest('hex').slice(0, 48)}`);
        expect(upstreamKeys[i]).not.toContain(clientKey);
      });
    });
  });

  describe('http with bearer auth from the vault', () => {
    let api: string;
    const executionIds: string[] = [];

    beforeAll(async () => {
      await createVaultSecret(stack, ws.ws.id, 'api-token', HTTP_TOKEN);
      ({ connector: api } = await stack.httpConnector(ws.ws.id, { config: { auth: { kind: 'bearer', secret_ref: 'api-token' } } }));
    });

    it('sends Authorization: Bearer <secret>; the answer does not contain it', async () => {
      stack.upstream.enqueue({ status: 200, body: { ok: 1 } });
      const res = await stack.execute(token, { connector: api, operation: 'get_thing', payload: { id: 'b1' } });
      expect(res.status).toBe(200);
      executionIds.push(res.body.execution_id as string);
      expect(stack.upstream.requests[0]?.headers['authorization']).toBe(`Bearer ${HTTP_TOKEN}`);
      expect(res.text).not.toContain(HTTP_TOKEN);
    });

    it('a failing call (upstream 500, empty body) does not echo it either', async () => {
      stack.upstream.setHandler(() => ({ status: 500, body: '' }));
      const res = await stack.execute(token, { connector: api, operation: 'create_thing', payload: { name: 'x' } });
      expect(res.status).toBe(502);
      expect(res.body.error).toMatchObject({ code: 'UPSTREAM_ERROR', details: { upstream_status: 500 } });
      executionIds.push(res.body.error.details.execution_id as string);
      expect(stack.upstream.requests[0]?.headers['authorization']).toBe(`Bearer ${HTTP_TOKEN}`);
      expect(res.text).not.toContain(HTTP_TOKEN);
    });

    it('an unresolvable ref (env var not set) → 503 UNAVAILABLE naming the ref, no upstream call', async () => {
      const envName = `TEST_MISSING_${rand().toUpperCase()}`;
      await createSecretRef(stack, ws.ws.id, 'missing-token', `env://${envName}`);
      const { connector: broken } = await stack.httpConnector(ws.ws.id, { config: { auth: { kind: 'bearer', secret_ref: 'missing-token' } } });
      const res = await stack.execute(token, { connector: broken, operation: 'get_thing', payload: { id: 'm' } });
      expect(res.status).toBe(503);
      expect(res.body.error.code).toBe('UNAVAILABLE');
      expect(res.body.error.message).toContain('missing-token');
      expect(res.body.error.message).toContain(envName);
      expect(stack.upstream.requests).toHaveLength(0);
    });

    it('no secret value appears in event_log, request_log or the exec-api log lines', async () => {
      await flushRecords();
      const dataSource = stack.control.app.get(DataSource);
      const secrets = [HTTP_TOKEN, STRIPE_KEY, SMTP_PASSWORD, SMTP_WRONG_PASSWORD];

      const events = await dataSource.getRepository(EventLogEntity).find({ where: { workspaceId: ws.ws.id } });
      // Not vacuous: the bearer calls above left their events.
      expect(events.filter((e) => e.executionId !== null && executionIds.includes(e.executionId)).map((e) => e.type)).toEqual(
        expect.arrayContaining(['execution.started', 'execution.succeeded', 'execution.failed']),
      );
      const requests = await dataSource.getRepository(RequestLogEntity).find({ where: { workspaceId: ws.ws.id } });
      expect(requests.length).toBeGreaterThan(5);

      const execLines = logLines.filter((line) => line.includes('"service":"exec-api"'));
      expect(execLines.length).toBeGreaterThan(0);
      expect(execLines.some((line) => line.includes('/v1/execute'))).toBe(true);

      const eventText = JSON.stringify(events);
      const requestText = JSON.stringify(requests);
      const logText = logLines.join('');
      for (const secret of secrets) {
        expect(eventText).not.toContain(secret);
        expect(requestText).not.toContain(secret);
        expect(logText).not.toContain(secret);
      }
    });
  });
});
