/** First path segments the SPA never claims: the BFF's API and the platform's endpoints. */
const RESERVED_SEGMENTS = new Set(['api', 'health', 'ready', 'metrics', 'docs', 'docs-json', 'docs-yaml']);

export interface DocumentRequest {
  method: string;
  /** The request URL as received: path plus optional query. */
  url: string;
  accept: string | undefined;
}

/**
 * Whether a request is a browser navigation the SPA answers with index.html: a GET (or HEAD)
 * of the root, whatever it accepts (it is the console's front door: `curl host:4002` shows
 * it), or of any other path not under a reserved prefix when it accepts text/html. Everything
 * else that matches no route stays a JSON 404 envelope, so API clients never receive HTML.
 */
export function isSpaDocumentRequest({ method, url, accept }: DocumentRequest): boolean {
  if (method !== 'GET' && method !== 'HEAD') return false;
  const path = url.split(/[?#]/, 1)[0];
  if (path === '/') return true;
  if (!accept || !/(^|[\s,])text\/html\s*(;|,|$)/i.test(accept)) return false;
  const firstSegment = path.split('/')[1] ?? '';
  return !RESERVED_SEGMENTS.has(firstSegment.toLowerCase());
}

/** Vite names every emitted asset with a content hash: those never change and are cached for a year. */
export function isHashedAsset(relativePath: string): boolean {
  return /^assets\/.+-[A-Za-z0-9_-]{8,}\.[a-z0-9]+$/.test(relativePath.split('\\').join('/'));
}
