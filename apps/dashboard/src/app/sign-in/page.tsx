import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { currentSession } from '../../server/session.ts';
import { SignInForm } from './sign-in-form.tsx';

export const metadata: Metadata = { title: 'Sign in' };

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ next?: string }> }) {
  if (await currentSession()) redirect('/jobs');
  const { next } = await searchParams;
  return (
    <main id="main" className="sign-in">
      <h1>Sign in to Tessera</h1>
      <SignInForm next={typeof next === 'string' ? next : ''} />
      <p className="muted">
        There is no default password: the first administrator is created with the CLI, or printed once when an embedded
        cluster starts.
      </p>
    </main>
  );
}
