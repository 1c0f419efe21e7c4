import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { EgressPolicy } from '../egress/address-policy';
import { SMTP_CONNECTOR_TYPE } from '../types/smtp.connector-type';
import type { AttemptRequest } from './runtime';
import { SmtpRuntime } from './smtp.runtime';
import { attemptRequest, TEST_LIMITS } from './testing/attempt-request.factory';
import { LOOPBACK_DNS, tableResolver } from './testing/fake-dns';

const PASSWORD = 'smtp-PASSWORD-never-shown';

interface Received {
  from: string | undefined;
  to: string[];
  raw: string;
}

describe('SmtpRuntime (loopback smtp-server)', () => {
  let server: SMTPServer;
  let port: number;
  let connections = 0;
  const received: Received[] = [];
  const resolveAll = tableResolver(LOOPBACK_DNS);
  const runtime = new SmtpRuntime({ policy: new EgressPolicy('127.0.0.1/32'), resolveAll });
  const closedRuntime = new SmtpRuntime({ policy: new EgressPolicy(), resolveAll });

  beforeAll(async () => {
    server = new SMTPServer({
      secure: false,
      disabledCommands: ['STARTTLS'],
      authMethods: ['PLAIN', 'LOGIN'],
      onConnect: (_session, callback) => {
        connections++;
        callback();
      },
      onAuth: (auth, _session, callback) => {
        if (auth.username === 'mailer' && auth.password === PASSWORD) return callback(null, { user: 'mailer' });
        return callback(Object.assign(new Error('Authentication failed'), { responseCode: 535 }));
      },
      onRcptTo: (address, _session, callback) => {
        if (address.address.endsWith('@unknown.test')) return callback(Object.assign(new Error('No such user'), { responseCode: 550 }));
        if (address.address.endsWith('@busy.test')) return callback(Object.assign(new Error('Try later'), { responseCode: 451 }));
        return callback();
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          received.push({ from: session.envelope.mailFrom === false ? undefined : session.envelope.mailFrom.address, to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8') });
          callback();
        });
      },
    });
    server.on('error', () => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const operation = SMTP_CONNECTOR_TYPE.operations[0];
  const send = (overrides: Partial<AttemptRequest> & { config?: Record<string, unknown>; to?: string[] }, rt: SmtpRuntime = runtime) => {
    if (operation === undefined) throw new Error('no send_email operation');
    return rt.attempt(
      attemptRequest({
        connector: { name: 'mail', type: 'smtp', config: { host: '127.0.0.1', port, secure: false, username: 'mailer', password_ref: 'smtp-pass', ...(overrides.config ?? {}) } },
        operation,
        payload: { from: 'noreply@orchestrator.test', to: overrides.to ?? ['a@example.test', 'b@example.test'], subject: 'Hello from the runtime', text: 'body text' },
        secrets: { '/password_ref': PASSWORD },
        ...(overrides.secrets !== undefined ? { secrets: overrides.secrets } : {}),
        ...(overrides.limits !== undefined ? { limits: overrides.limits } : {}),
      }),
    );
  };

  it('sends a message: received with the subject and recipients; 200 with message_id and accepted', async () => {
    const result = await send({});
    expect(result).toMatchObject({ kind: 'response', status: 200, output: { accepted: ['a@example.test', 'b@example.test'] } });
    expect((result as { output: { message_id: string } }).output.message_id).toMatch(/^<.+>$/);
    const last = received[received.length - 1];
    expect(last?.to).toEqual(['a@example.test', 'b@example.test']);
    expect(last?.from).toBe('noreply@orchestrator.test');
    expect(last?.raw).toContain('Subject: Hello from the runtime');
  });

  it('a wrong password → 401 response (not retryable), the password appears nowhere', async () => {
    const result = await send({ secrets: { '/password_ref': 'wrong-password-value' } });
    expect(result).toMatchObject({ kind: 'response', status: 401, output: { smtp_code: 535 } });
    expect(JSON.stringify(result)).not.toContain('wrong-password-value');
  });

  it('a permanently refused recipient → 422; a transient refusal → 503', async () => {
    expect(await send({ to: ['x@unknown.test'] })).toMatchObject({ kind: 'response', status: 422, output: { smtp_code: 550 } });
    expect(await send({ to: ['x@busy.test'] })).toMatchObject({ kind: 'response', status: 503, output: { smtp_code: 451 } });
  });

  it('a missing password is invalid', async () => {
    expect(await send({ secrets: {} })).toEqual({ kind: 'invalid', message: 'secret for /password_ref is not available', durationMs: 0 });
  });

  it('egress: a policy without loopback → blocked, no connection', async () => {
    const before = connections;
    for (const host of ['127.0.0.1', '2130706433', '[::ffff:127.0.0.1]', 'localhost', 'rebind.test']) {
      const result = await send({ config: { host } }, closedRuntime);
      expect(result).toMatchObject({ kind: 'blocked', error: { code: 'EGRESS_BLOCKED' } });
      expect(JSON.stringify(result)).not.toContain(PASSWORD);
    }
    expect(connections).toBe(before);
  });

  it('a DNS name resolving to an allowed address is connected to by that address', async () => {
    expect(await send({ config: { host: 'localhost' } })).toMatchObject({ kind: 'response', status: 200 });
  });

  it('a refused port → network', async () => {
    const result = await send({ config: { port: 1 } });
    expect(result).toMatchObject({ kind: 'network' });
  });

  it('total_ms shorter than the session → timeout total', async () => {
    expect(await send({ limits: { ...TEST_LIMITS, total_ms: 1 } })).toMatchObject({ kind: 'timeout', phase: 'total' });
  });
});
