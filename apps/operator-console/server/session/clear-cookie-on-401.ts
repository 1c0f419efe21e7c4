import type { FastifyReply } from 'fastify';
import { clearedSessionCookie } from './session-cookie';

/** A request that ended the session (401) also tells the browser to drop its cookie. */
export function clearCookieOnUnauthenticated(error: unknown, reply: FastifyReply, secure: boolean): void {
  if ((error as { code?: string } | undefined)?.code === 'UNAUTHENTICATED') void reply.header('set-cookie', clearedSessionCookie(secure));
}
