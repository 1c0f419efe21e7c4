import { EgressBlockedError } from '../egress/egress-blocked-error';
import { classifySmtpError, smtpReplyStatus } from './smtp.runtime';

const calm = { totalExpired: false, callerAborted: false };

describe('smtpReplyStatus', () => {
  it.each([
    [421, 503],
    [450, 503],
    [454, 503],
    [530, 401],
    [535, 401],
    [550, 422],
    [554, 422],
    [250, 502],
  ])('%i → %i', (code, status) => {
    expect(smtpReplyStatus(code)).toBe(status);
  });
});

describe('classifySmtpError', () => {
  it('maps nodemailer timeouts by phase', () => {
    const err = (timeoutType: string) => Object.assign(new Error('t'), { code: 'ETIMEDOUT', timeoutType });
    expect(classifySmtpError(err('CONNECT_TIMEOUT'), calm, 1)).toMatchObject({ kind: 'timeout', phase: 'connect' });
    expect(classifySmtpError(err('GREETING_TIMEOUT'), calm, 1)).toMatchObject({ kind: 'timeout', phase: 'read' });
    expect(classifySmtpError(err('SOCKET_TIMEOUT'), calm, 1)).toMatchObject({ kind: 'timeout', phase: 'read' });
  });

  it('maps a server reply to a response with the SMTP code in the output', () => {
    const err = Object.assign(new Error('Invalid login: 535 Authentication failed'), { code: 'EAUTH', responseCode: 535, response: '535 Authentication failed' });
    expect(classifySmtpError(err, calm, 3)).toEqual({ kind: 'response', status: 401, headers: {}, output: { smtp_code: 535, response: '535 Authentication failed' }, durationMs: 3 });
  });

  it('connection errors are network; egress refusals are blocked', () => {
    expect(classifySmtpError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ESOCKET' }), calm, 1)).toMatchObject({ kind: 'network' });
    expect(classifySmtpError(new EgressBlockedError('mx', 'private', '10.0.0.1'), calm, 1)).toMatchObject({ kind: 'blocked' });
  });
});
