'use server';

import { redirect } from 'next/navigation';
import { parseJobSpec } from '@tessera/core/jobs/job-spec';
import { fieldForError, LAUNCH_FIELDS, specFromForm } from '../launch/spec-from-form.ts';
import { coordinatorFor } from '../server/coordinator-client.ts';
import { requireSession } from '../server/session.ts';

export interface LaunchState {
  /** Input name (a spec path) → message; `''` for errors that belong to no single field. */
  errors: Record<string, string>;
}

/**
 * Validates the form with the shared job-spec schema (the browser already did; this is the check that counts) and
 * submits it as the signed-in user, then opens the job's page. A coordinator rejection is shown on its field when the
 * message names one.
 */
export async function launchJob(_previous: LaunchState, form: FormData): Promise<LaunchState> {
  const session = await requireSession();
  const parsed = parseJobSpec(specFromForm(form));
  if (!parsed.ok) return { errors: { [fieldForError(parsed.field, LAUNCH_FIELDS) ?? '']: `${parsed.field || 'spec'}: ${parsed.message}` } };
  let jobId: string;
  try {
    jobId = (await coordinatorFor(session).submitJob(parsed.spec)).id;
  } catch (err) {
    const message = (err as Error).message;
    const field = LAUNCH_FIELDS.filter((f) => message.includes(f)).sort((a, b) => b.length - a.length)[0];
    return { errors: { [field ?? (message.includes('data set') ? 'dataset' : '')]: message } };
  }
  redirect(`/jobs/${jobId}`);
}
