import { buildHttpRequest } from './http.runtime';
import { attemptRequest, httpOperation } from './testing/attempt-request.factory';

describe('buildHttpRequest', () => {
  const connector = (config: Record<string, unknown>) => ({ name: 'api', type: 'http', config });

  it('GET: path values from the payload, the rest in the query, no body', () => {
    const req = buildHttpRequest(
      attemptRequest({ connector: connector({ base_url: 'https://api.example.com/v1' }), operation: httpOperation('GET', '/users/{id}'), payload: { id: 'u 1', expand: ['a', 'b'] } }),
    );
    expect(req.method).toBe('GET');
    expect(req.url.href).toBe('https://api.example.com/v1/users/u%201?expand=a&expand=b');
    expect(req.body).toBeUndefined();
  });

  it('POST: the rest of the payload is the JSON body', () => {
    const req = buildHttpRequest(
      attemptRequest({
        connector: connector({ base_url: 'https://api.example.com', auth: { kind: 'bearer', secret_ref: 'k' }, default_headers: { 'X-A': '1' } }),
        operation: httpOperation('POST', '/orgs/{org}/items', { 'X-B': '2' }),
        payload: { org: 'o', name: 'n', tags: ['t'] },
        secrets: { '/auth/secret_ref': 'tok' },
      }),
    );
    expect(req.url.href).toBe('https://api.example.com/orgs/o/items');
    expect(JSON.parse(req.body ?? '')).toEqual({ name: 'n', tags: ['t'] });
    expect(req.headers).toMatchObject({ 'content-type': 'application/json', authorization: 'Bearer tok', 'x-a': '1', 'x-b': '2', 'x-orchestrator-execution-id': '00000000-0000-4000-8000-0000000000e1' });
  });
});
