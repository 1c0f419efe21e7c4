import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import http from 'node:http';
import S3rver from 's3rver';
import { EgressPolicy } from '../egress/address-policy';
import { S3_CONNECTOR_TYPE } from '../types/s3.connector-type';
import type { AttemptResult } from './runtime';
import { S3Runtime } from './s3.runtime';
import { attemptRequest, TEST_LIMITS } from './testing/attempt-request.factory';
import { LOOPBACK_DNS, tableResolver } from './testing/fake-dns';
import { GuardedHttpAgent } from './guarded-node-agents';
import { EgressBlockedError } from '../egress/egress-blocked-error';

// s3rver's built-in credentials.
const ACCESS_KEY = 'S3RVER';
const SECRET_KEY = 'S3RVER';

describe('S3Runtime (loopback s3rver)', () => {
  let s3rver: S3rver;
  let endpoint: string;
  let directory: string;
  const resolveAll = tableResolver(LOOPBACK_DNS);
  const runtime = new S3Runtime({ policy: new EgressPolicy('127.0.0.1/32'), resolveAll });
  const closedRuntime = new S3Runtime({ policy: new EgressPolicy(), resolveAll });

  beforeAll(async () => {
    directory = mkdtempSync(path.join(tmpdir(), 's3rver-'));
    s3rver = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory, configureBuckets: [{ name: 'test-bucket' }] });
    const { port } = await s3rver.run();
    endpoint = `http://127.0.0.1:${port}`;
  });

  afterAll(async () => {
    await runtime.close();
    await closedRuntime.close();
    await s3rver.close();
    rmSync(directory, { recursive: true, force: true });
  });

  const op = (id: string) => {
    const found = S3_CONNECTOR_TYPE.operations.find((o) => o.operation_id === id);
    if (found === undefined) throw new Error(id);
    return found;
  };
  const call = (operationId: string, payload: Record<string, unknown>, opts: { rt?: S3Runtime; accessKey?: string; secret?: string; endpoint?: string; maxBytes?: number } = {}): Promise<AttemptResult> =>
    (opts.rt ?? runtime).attempt(
      attemptRequest({
        connector: { name: 'files', type: 's3', config: { endpoint: opts.endpoint ?? endpoint, region: 'us-east-1', bucket: 'test-bucket', access_key_id: opts.accessKey ?? ACCESS_KEY, secret_access_key_ref: 'k', force_path_style: true } },
        operation: op(operationId),
        payload,
        secrets: { '/secret_access_key_ref': opts.secret ?? SECRET_KEY },
        limits: { ...TEST_LIMITS, ...(opts.maxBytes !== undefined ? { max_response_bytes: opts.maxBytes } : {}) },
      }),
    );

  it('put → get round-trips the bytes (base64), delete removes, get missing → 404', async () => {
    const bytes = Buffer.from([0, 1, 2, 250, 255, 10, 13]);
    const put = await call('put_object', { key: 'dir/a file.bin', body: bytes.toString('base64'), body_encoding: 'base64', content_type: 'application/octet-stream' });
    expect(put).toMatchObject({ kind: 'response', status: 200 });
    expect((put as { output: { etag: string } }).output.etag).toMatch(/^"[0-9a-f]{32}"$/);

    const got = await call('get_object', { key: 'dir/a file.bin' });
    expect(got).toMatchObject({ kind: 'response', status: 200, output: { body: bytes.toString('base64'), body_encoding: 'base64', content_type: 'application/octet-stream' } });

    expect(await call('delete_object', { key: 'dir/a file.bin' })).toMatchObject({ kind: 'response', status: 204, output: { deleted: true } });
    expect(await call('get_object', { key: 'dir/a file.bin' })).toMatchObject({ kind: 'response', status: 404, output: { code: 'NoSuchKey' } });
  });

  it('utf8 bodies are stored as text', async () => {
    await call('put_object', { key: 'hello.txt', body: 'héllo', content_type: 'text/plain' });
    expect(await call('get_object', { key: 'hello.txt' })).toMatchObject({ output: { body: Buffer.from('héllo', 'utf8').toString('base64') } });
  });

  it('an object over max_response_bytes → too_large', async () => {
    await call('put_object', { key: 'big.txt', body: 'x'.repeat(4096) });
    expect(await call('get_object', { key: 'big.txt' }, { maxBytes: 1024 })).toMatchObject({ kind: 'too_large' });
  });

  it('an unknown access key → 403 response; the secret key appears nowhere', async () => {
    const result = await call('get_object', { key: 'hello.txt' }, { accessKey: 'NOT-A-KEY', secret: 'WRONG_SECRET_KEY_VALUE' });
    expect(result).toMatchObject({ kind: 'response', status: 403 });
    expect(JSON.stringify(result)).not.toContain('WRONG_SECRET_KEY_VALUE');
  });

  it('egress: a policy without loopback → blocked (literal and localhost endpoints)', async () => {
    for (const ep of [endpoint, endpoint.replace('127.0.0.1', '2130706433'), endpoint.replace('127.0.0.1', 'localhost'), endpoint.replace('127.0.0.1', 'rebind.test')]) {
      expect(await call('get_object', { key: 'hello.txt' }, { rt: closedRuntime, endpoint: ep })).toMatchObject({ kind: 'blocked', error: { code: 'EGRESS_BLOCKED' } });
    }
  });

  it('the guarded Agent itself refuses a blocked literal before connecting (no pre-check needed)', async () => {
    const agent = new GuardedHttpAgent({ policy: new EgressPolicy(), resolveAll });
    try {
      const err = await new Promise<unknown>((resolve) => {
        http.get(`${endpoint}/test-bucket`, { agent }, () => resolve(undefined)).on('error', resolve);
      });
      expect(err).toBeInstanceOf(EgressBlockedError);
    } finally {
      agent.destroy();
    }
  });
});
