import { describe, expect, it } from 'vitest';
import { jsonFetch } from '../testing/test-utils';
import { ApiError } from './api-error';
import { createApiClient } from './client';

const fixedId = () => 'req-spa-0000000001';

async function rejectionOf(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

describe('createApiClient', () => {
  describe('request', () => {
    it('calls the BFF path with JSON accept and an x-request-id, and returns the body', async () => {
      const stub = jsonFetch(200, { control_api: 'up', exec_api: 'down' });
      const client = createApiClient({ fetch: stub.fetch, newRequestId: fixedId });

      await expect(client.request('/api/bff/upstreams')).resolves.toEqual({ control_api: 'up', exec_api: 'down' });

      expect(stub.calls).toHaveLength(1);
      expect(stub.calls[0].url).toBe('/api/bff/upstreams');
      expect(stub.calls[0].init?.headers).toMatchObject({ accept: 'application/json', 'x-request-id': 'req-spa-0000000001' });
    });

    it('sends a JSON body with its content type', async () => {
      const stub = jsonFetch(201, { ok: true });
      const client = createApiClient({ fetch: stub.fetch, newRequestId: fixedId });

      await client.request('/api/things', { method: 'POST', body: { name: 'a' } });

      expect(stub.calls[0].init).toMatchObject({ method: 'POST', body: '{"name":"a"}', headers: { 'content-type': 'application/json' } });
    });

    it('turns an error envelope into an ApiError with its code, message, request id and details', async () => {
      const envelope = { error: { code: 'RATE_LIMITED', message: 'Too many requests', request_id: 'req-from-server-01', details: { limit: 1 } } };
      const client = createApiClient({ fetch: jsonFetch(429, envelope).fetch, newRequestId: fixedId });

      const error = await rejectionOf(client.request('/api/bff/upstreams'));

      expect(error).toBeInstanceOf(ApiError);
      expect(error).toMatchObject({ status: 429, code: 'RATE_LIMITED', message: 'Too many requests', requestId: 'req-from-server-01', details: { limit: 1 } });
    });

    it('reports an error without an envelope as INVALID_RESPONSE with the answered request id', async () => {
      const client = createApiClient({ fetch: jsonFetch(502, { oops: true }, { 'x-request-id': 'req-from-proxy-01' }).fetch, newRequestId: fixedId });

      const error = await rejectionOf(client.request('/api/bff/upstreams'));

      expect(error).toMatchObject({ status: 502, code: 'INVALID_RESPONSE', requestId: 'req-from-proxy-01' });
    });

    it('does not trust an envelope with an unknown code', async () => {
      const envelope = { error: { code: 'MADE_UP', message: 'x', request_id: 'req-from-server-02' } };
      const client = createApiClient({ fetch: jsonFetch(400, envelope).fetch, newRequestId: fixedId });

      expect(await rejectionOf(client.request('/api/x'))).toMatchObject({ code: 'INVALID_RESPONSE', requestId: 'req-spa-0000000001' });
    });

    it('reports a failed connection as NETWORK_ERROR carrying the id it sent', async () => {
      const failing = (async () => {
        throw new TypeError('Failed to fetch');
      }) as typeof fetch;
      const client = createApiClient({ fetch: failing, newRequestId: fixedId });

      expect(await rejectionOf(client.request('/api/bff/upstreams'))).toMatchObject({ status: 0, code: 'NETWORK_ERROR', requestId: 'req-spa-0000000001' });
    });

    it('refuses paths outside /api', async () => {
      const client = createApiClient({ fetch: jsonFetch(200, {}).fetch });

      await expect(client.request('/health')).rejects.toThrow('BFF paths start with /api/');
    });
  });
});
