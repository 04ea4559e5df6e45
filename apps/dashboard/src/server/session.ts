import 'server-only';
import { cookies } from 'next/headers';
import { redirect } from 'next/navigation';
import type { NextRequest } from 'next/server';
import { sessionStore, type Session } from './session-store.ts';

/** The cookie that carries a session id; the id is a random key into server memory, never a token. */
export const SESSION_COOKIE = 'tessera_session';

/**
 * The signed-in session of the request being rendered, or undefined. Every page, route handler and server action
 * calls one of the guards below itself: middleware alone is not a security boundary (CVE-2025-29927 skipped it with
 * one `x-middleware-subrequest` header).
 */
export async function currentSession(): Promise<Session | undefined> {
  const jar = await cookies();
  return sessionStore().get(jar.get(SESSION_COOKIE)?.value);
}

/** For pages and server actions: the session, or a redirect to the sign-in page (nothing else runs). */
export async function requireSession(): Promise<Session> {
  const session = await currentSession();
  if (!session) redirect('/sign-in');
  return session;
}

/** For route handlers: the session of this request, or undefined (answer 401). */
export function sessionOfRequest(request: NextRequest): Session | undefined {
  return sessionStore().get(request.cookies.get(SESSION_COOKIE)?.value);
}

/** The 401 a route handler answers without a session; it says nothing about what exists. */
export function unauthenticatedResponse(): Response {
  return new Response('sign in first\n', { status: 401, headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' } });
}
