'use server';

import { cookies, headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { formText } from '../server/form-text.ts';
import { anonymousCoordinator } from '../server/coordinator-client.ts';
import { SESSION_COOKIE } from '../server/session.ts';
import { sessionStore } from '../server/session-store.ts';

export interface SignInState {
  error?: string;
  /** Echoed back so the field keeps it: React resets a form's fields to their defaults after its action runs. */
  username?: string;
}

/**
 * Checks the user's password with the coordinator, keeps the coordinator's session token in server memory and gives
 * the browser only a random session id (httpOnly, SameSite=Lax). The one action that runs without a session.
 */
export async function signIn(_previous: SignInState, form: FormData): Promise<SignInState> {
  const username = formText(form, 'username').trim();
  const password = formText(form, 'password');
  if (!username || !password) return { error: 'Enter your user name and password.', username };
  const client = anonymousCoordinator();
  let login: Awaited<ReturnType<typeof client.login>>;
  try {
    login = await client.login(username, password);
  } catch (err) {
    const kind = (err as { kind?: string }).kind;
    if (kind === 'Unauthenticated') return { error: 'Wrong user name or password.', username };
    return { error: `The coordinator did not answer: ${(err as Error).message}`, username };
  }
  const expiresAt = Date.parse(login.expiresAt) || Date.now() + 12 * 3600_000;
  const session = sessionStore().create({
    username: login.user.username,
    role: login.user.role,
    coordinatorToken: login.sessionToken,
    expiresAt,
  });
  const secure = (await headers()).get('x-forwarded-proto') === 'https';
  (await cookies()).set(SESSION_COOKIE, session.id, {
    httpOnly: true,
    sameSite: 'lax',
    secure,
    path: '/',
    expires: new Date(expiresAt),
  });
  redirect(safeReturnPath(formText(form, 'next')));
}

/** Only same-site paths: `//evil.example` or `https://…` would turn sign-in into an open redirect. */
function safeReturnPath(next: string): string {
  return next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : '/jobs';
}
