import { join, relative, resolve } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { isHashedAsset, isSpaDocumentRequest } from './spa-request';

const INDEX_HTML = 'index.html';
const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';

/**
 * Serves the built SPA: each file of the build as its own route (content-hashed assets cached
 * for a year, the rest revalidated), and index.html for every browser navigation that no route
 * claims, so client-side routes such as /login load the app. Requests that are not browser
 * navigations fall through to the JSON 404 envelope.
 */
export async function serveSpa(fastify: FastifyInstance, configuredDir: string): Promise<void> {
  const spaDir = resolve(configuredDir);
  await fastify.register(fastifyStatic, {
    root: spaDir,
    prefix: '/',
    // One route per file that exists at boot: unknown paths stay unmatched instead of being
    // probed on disk, and the build is immutable once deployed.
    wildcard: false,
    index: false,
    redirect: false,
    cacheControl: false,
    setHeaders: (reply, path) => {
      void reply.header('cache-control', isHashedAsset(relative(spaDir, path)) ? IMMUTABLE : REVALIDATE);
    },
  });

  fastify.route({
    method: ['GET', 'HEAD'],
    url: '/*',
    handler: (request, reply) => {
      if (!isSpaDocumentRequest({ method: request.method, url: request.url, accept: request.headers.accept })) return reply.callNotFound();
      return reply.sendFile(INDEX_HTML, spaDir);
    },
  });
}

export function spaIndexPath(spaDir: string): string {
  return join(resolve(spaDir), INDEX_HTML);
}
