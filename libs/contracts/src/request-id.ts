export const REQUEST_ID_HEADER = 'x-request-id';

/** An incoming request id is kept only when it is short and made of safe characters (no log injection). */
const WELL_FORMED_REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;

export function isWellFormedRequestId(value: unknown): value is string {
  return typeof value === 'string' && WELL_FORMED_REQUEST_ID.test(value);
}
