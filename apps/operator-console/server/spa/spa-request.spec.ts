import { isHashedAsset, isSpaDocumentRequest } from './spa-request';

const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';

describe(isSpaDocumentRequest.name, () => {
  it('claims a browser navigation to a client-side route', () => {
    expect(isSpaDocumentRequest({ method: 'GET', url: '/login', accept: BROWSER_ACCEPT })).toBe(true);
    expect(isSpaDocumentRequest({ method: 'GET', url: '/', accept: 'text/html' })).toBe(true);
    expect(isSpaDocumentRequest({ method: 'HEAD', url: '/workspaces/1?tab=jobs', accept: BROWSER_ACCEPT })).toBe(true);
  });

  it('leaves reserved prefixes to their routes and the JSON 404', () => {
    for (const url of ['/api', '/api/nope', '/health', '/ready', '/metrics', '/docs', '/docs/static/x.css', '/docs-json', '/API/x']) {
      expect(isSpaDocumentRequest({ method: 'GET', url, accept: BROWSER_ACCEPT })).toBe(false);
    }
  });

  it('does not claim paths that merely start like a reserved prefix', () => {
    expect(isSpaDocumentRequest({ method: 'GET', url: '/apis', accept: BROWSER_ACCEPT })).toBe(true);
    expect(isSpaDocumentRequest({ method: 'GET', url: '/healthy?x=/api', accept: BROWSER_ACCEPT })).toBe(true);
  });

  it('leaves requests that do not accept HTML to the JSON 404', () => {
    expect(isSpaDocumentRequest({ method: 'GET', url: '/login', accept: undefined })).toBe(false);
    expect(isSpaDocumentRequest({ method: 'GET', url: '/login', accept: 'application/json' })).toBe(false);
    expect(isSpaDocumentRequest({ method: 'GET', url: '/login', accept: '*/*' })).toBe(false);
    expect(isSpaDocumentRequest({ method: 'GET', url: '/login', accept: 'text/html-fragment' })).toBe(false);
  });

  it('always answers the root with the SPA, as the console front door', () => {
    expect(isSpaDocumentRequest({ method: 'GET', url: '/', accept: '*/*' })).toBe(true);
    expect(isSpaDocumentRequest({ method: 'GET', url: '/?next=jobs', accept: undefined })).toBe(true);
    expect(isSpaDocumentRequest({ method: 'POST', url: '/', accept: '*/*' })).toBe(false);
  });

  it('leaves other methods to the JSON 404', () => {
    expect(isSpaDocumentRequest({ method: 'POST', url: '/login', accept: BROWSER_ACCEPT })).toBe(false);
  });
});

describe(isHashedAsset.name, () => {
  it('recognises the content-hashed files Vite emits', () => {
    expect(isHashedAsset('assets/index-BsdH2x9q.js')).toBe(true);
    expect(isHashedAsset('assets/index-D_1a-Xy3.css')).toBe(true);
  });

  it('treats unhashed files as revalidated', () => {
    expect(isHashedAsset('index.html')).toBe(false);
    expect(isHashedAsset('favicon.svg')).toBe(false);
    expect(isHashedAsset('assets/logo.svg')).toBe(false);
  });
});
