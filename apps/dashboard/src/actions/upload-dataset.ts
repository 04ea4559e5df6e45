'use server';

import { revalidatePath } from 'next/cache';
import { formText } from '../server/form-text.ts';
import { coordinatorFor } from '../server/coordinator-client.ts';
import { requireSession } from '../server/session.ts';

export interface UploadState {
  error?: string;
  uploaded?: string;
}

/**
 * Streams an uploaded CSV to the coordinator, which stores it content-addressed and registers it. The coordinator
 * checks the name and enforces its size limit; the dashboard only passes the bytes on.
 */
export async function uploadDataset(_previous: UploadState, form: FormData): Promise<UploadState> {
  const session = await requireSession();
  const name = formText(form, 'name').trim();
  const file = form.get('file');
  if (!name) return { error: 'Give the data set a name.' };
  if (!(file instanceof File) || file.size === 0) return { error: 'Choose a CSV file to upload.' };
  try {
    const dataset = await coordinatorFor(session).uploadDataset({ name, fileName: file.name, bytes: new Uint8Array(await file.arrayBuffer()) });
    revalidatePath('/datasets');
    return { uploaded: `${dataset.name}@${dataset.sha256.slice(0, 12)} (${dataset.summary})` };
  } catch (err) {
    return { error: (err as Error).message };
  }
}
