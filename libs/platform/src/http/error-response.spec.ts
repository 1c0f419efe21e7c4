import { BadRequestException, NotFoundException, PayloadTooLargeException } from '@nestjs/common';
import { DomainError } from '@orch/contracts';
import { toErrorResponse } from './error-response';

const RID = 'req-0000000001';

describe('toErrorResponse', () => {
  it('maps a domain error by its code, with details and headers', () => {
    const res = toErrorResponse(new DomainError('CIRCUIT_OPEN', 'Circuit is open', { details: { connector: 'x' }, headers: { 'retry-after': '5' } }), RID);
    expect(res).toEqual({
      status: 503,
      envelope: { error: { code: 'CIRCUIT_OPEN', message: 'Circuit is open', request_id: RID, details: { connector: 'x' } } },
      headers: { 'retry-after': '5' },
      unexpected: false,
    });
  });

  it('maps Nest HTTP exceptions by status', () => {
    expect(toErrorResponse(new NotFoundException(), RID).envelope.error.code).toBe('NOT_FOUND');
    expect(toErrorResponse(new BadRequestException('nope'), RID).envelope.error).toMatchObject({ code: 'VALIDATION_FAILED', message: 'nope' });
    expect(toErrorResponse(new PayloadTooLargeException(), RID).status).toBe(413);
  });

  it('maps Fastify body errors', () => {
    const tooLarge = Object.assign(new Error('Request body is too large'), { code: 'FST_ERR_CTP_BODY_TOO_LARGE', statusCode: 413 });
    expect(toErrorResponse(tooLarge, RID)).toMatchObject({ status: 413, envelope: { error: { code: 'PAYLOAD_TOO_LARGE' } } });
    const badJson = Object.assign(new SyntaxError('Unexpected end of JSON input'), { statusCode: 400 });
    expect(toErrorResponse(badJson, RID)).toMatchObject({ status: 400, envelope: { error: { code: 'VALIDATION_FAILED', message: 'Malformed JSON body' } } });
  });

  it('hides everything about an unexpected error', () => {
    const res = toErrorResponse(new Error('duplicate key value violates unique constraint "secret_values_pkey" SELECT 1'), RID);
    expect(res.status).toBe(500);
    expect(res.unexpected).toBe(true);
    expect(res.envelope).toEqual({ error: { code: 'INTERNAL', message: 'Internal server error', request_id: RID } });
  });

  it('treats non-error throwables as unexpected', () => {
    expect(toErrorResponse('a string', RID).status).toBe(500);
    expect(toErrorResponse(undefined, RID).status).toBe(500);
  });
});
