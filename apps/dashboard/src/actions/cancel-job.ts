'use server';

import { revalidatePath } from 'next/cache';
import { coordinatorFor } from '../server/coordinator-client.ts';
import { requireSession } from '../server/session.ts';

export interface CancelJobState {
  error?: string;
}

/** Cancels a queued or running job as the signed-in user; the coordinator decides whether they may. */
export async function cancelJob(jobId: string, _previous: CancelJobState, _form: FormData): Promise<CancelJobState> {
  const session = await requireSession();
  try {
    await coordinatorFor(session).cancelJob(jobId, `cancelled from the dashboard by ${session.username}`);
  } catch (err) {
    return { error: (err as Error).message };
  }
  revalidatePath(`/jobs/${jobId}`);
  return {};
}
