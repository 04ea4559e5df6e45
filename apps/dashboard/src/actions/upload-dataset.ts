'use server';

import { revalidatePath } from 'next/cache';
import { IMAGE_SIDES, imageSideFrom } from '../datasets/image-sides.ts';
import { formText } from '../server/form-text.ts';
import { coordinatorFor } from '../server/coordinator-client.ts';
import { requireSession } from '../server/session.ts';

export interface UploadState {
  error?: string;
  uploaded?: string;
}

/**
 * Streams an uploaded file to the coordinator, which stores it content-addressed and registers it: a `.csv` as a
 * tabular-csv data set, a `.zip` of class folders as an image-folder one, or a `.zip` of `images/` and `masks/` as a
 * segmentation one (2D slices at the chosen square size; NIfTI or DICOM volumes as they are). The coordinator
 * checks the name, the zip's contents and its size limit; the dashboard only passes the bytes on.
 */
export async function uploadDataset(_previous: UploadState, form: FormData): Promise<UploadState> {
  const session = await requireSession();
  const name = formText(form, 'name').trim();
  const file = form.get('file');
  if (!name) return { error: 'Give the data set a name.' };
  if (!(file instanceof File) || file.size === 0) return { error: 'Choose a CSV or zip file to upload.' };
  const isZip = file.name.toLowerCase().endsWith('.zip');
  const zipKind = formText(form, 'zipKind') === 'segmentation' ? 'segmentation' : 'image-folder';
  const side = imageSideFrom(formText(form, 'imageSize') || '224');
  if (isZip && side === undefined) return { error: `Image size must be one of ${IMAGE_SIDES.join(', ')}.` };
  try {
    const bytes = new Uint8Array(await file.arrayBuffer());
    const dataset = await coordinatorFor(session).uploadDataset(
      isZip
        ? { name, kind: zipKind, fileName: file.name, bytes, imageHeight: side ?? 224, imageWidth: side ?? 224 }
        : { name, kind: 'tabular-csv', fileName: file.name, bytes },
    );
    revalidatePath('/datasets');
    return { uploaded: `${dataset.name}@${dataset.sha256.slice(0, 12)} (${dataset.summary})` };
  } catch (err) {
    return { error: (err as Error).message };
  }
}
