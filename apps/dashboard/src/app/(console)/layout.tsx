import Link from 'next/link';
import type { ReactNode } from 'react';
import { signOut } from '../../actions/sign-out.ts';
import { currentSession } from '../../server/session.ts';

/** Chrome shared by the signed-in pages. It only shows who is signed in: each page checks the session itself. */
export default async function ConsoleLayout({ children }: { children: ReactNode }) {
  const session = await currentSession();
  return (
    <>
      <header className="site">
        <Link className="brand" href="/jobs">
          Tessera
        </Link>
        <nav aria-label="Main">
          <ul>
            <li><Link href="/jobs">Jobs</Link></li>
            <li><Link href="/jobs/new">Launch</Link></li>
            <li><Link href="/workers">Workers</Link></li>
            <li><Link href="/datasets">Data sets</Link></li>
          </ul>
        </nav>
        {session && (
          <div className="who">
            <span>
              {session.username} ({session.role})
            </span>
            <form action={signOut}>
              <button type="submit" className="link">
                Sign out
              </button>
            </form>
          </div>
        )}
      </header>
      <main id="main">{children}</main>
    </>
  );
}
