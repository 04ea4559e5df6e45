'use client';

import { useActionState } from 'react';
import { cancelJob, type CancelJobState } from '../actions/cancel-job.ts';

export function CancelJobButton({ jobId }: { jobId: string }) {
  const [state, action, pending] = useActionState<CancelJobState, FormData>(cancelJob.bind(null, jobId), {});
  return (
    <form action={action}>
      <button type="submit" className="danger" disabled={pending}>
        {pending ? 'Cancelling…' : 'Cancel job'}
      </button>
      {state.error && (
        <p className="error" role="alert">
          {state.error}
        </p>
      )}
    </form>
  );
}
