'use client';

import Link from 'next/link';

/**
 * What a page shows when the coordinator call behind it fails (unreachable, or a session it no longer accepts).
 * Production builds hide server error messages; the digest matches the server's log line.
 */
export default function ConsoleError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <>
      <h1>Something went wrong</h1>
      <p role="alert">
        The coordinator did not answer this page{error.digest ? ` (error ${error.digest})` : ''}. If your session ended,{' '}
        <Link href="/sign-in">sign in again</Link>.
      </p>
      <button type="button" onClick={reset}>
        Try again
      </button>
    </>
  );
}
