import { classifyS3Error } from './s3.runtime';

const calm = { totalExpired: false, callerAborted: false };

describe('classifyS3Error', () => {
  it('an S3 error response keeps its HTTP status', () => {
    const err = Object.assign(new Error('The specified key does not exist.'), { name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } });
    expect(classifyS3Error(err, calm, 4)).toEqual({ kind: 'response', status: 404, headers: {}, output: { code: 'NoSuchKey', message: 'The specified key does not exist.' }, durationMs: 4 });
  });

  it('handler timeouts by phase; ECONNRESET renamed TimeoutError stays network', () => {
    const connect = Object.assign(new Error('the request socket did not establish a connection with the server within the configured timeout of 5 ms.'), { name: 'TimeoutError' });
    expect(classifyS3Error(connect, calm, 1)).toMatchObject({ kind: 'timeout', phase: 'connect' });
    const request = Object.assign(new Error('a request has exceeded the configured 5 ms requestTimeout.'), { name: 'TimeoutError', code: 'ETIMEDOUT' });
    expect(classifyS3Error(request, calm, 1)).toMatchObject({ kind: 'timeout', phase: 'read' });
    const idle = Object.assign(new Error('the request socket timed out after 5 ms of inactivity'), { name: 'TimeoutError' });
    expect(classifyS3Error(idle, calm, 1)).toMatchObject({ kind: 'timeout', phase: 'read' });
    const reset = Object.assign(new Error('socket hang up'), { name: 'TimeoutError', code: 'ECONNRESET' });
    expect(classifyS3Error(reset, calm, 1)).toMatchObject({ kind: 'network' });
  });
});
