'use server';

import { cookies } from 'next/headers';
import { redirect } from 'next/navigation';
import { coordinatorFor } from '../server/coordinator-client.ts';
import { requireSession, SESSION_COOKIE } from '../server/session.ts';
import { sessionStore } from '../server/session-store.ts';

/** Ends the session here and at the coordinator (so its token is dead even if it leaked), then shows sign-in. */
export async function signOut(): Promise<void> {
  const session = await requireSession();
  await coordinatorFor(session).logout().catch(() => undefined);
  sessionStore().delete(session.id);
  (await cookies()).delete(SESSION_COOKIE);
  redirect('/sign-in');
}
