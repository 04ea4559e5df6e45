'use client';

import { useActionState } from 'react';
import { uploadDataset, type UploadState } from '../actions/upload-dataset.ts';
import { IMAGE_SIDES } from '../datasets/image-sides.ts';

export function UploadDatasetForm() {
  const [state, action, pending] = useActionState<UploadState, FormData>(uploadDataset, {});
  return (
    <form action={action} className="filters" aria-label="Upload a data set">
      <div className="field">
        <label htmlFor="dataset-name">Name</label>
        <input id="dataset-name" name="name" required pattern="[A-Za-z0-9][A-Za-z0-9._\-]*" />
      </div>
      <div className="field">
        <label htmlFor="dataset-file">CSV file, or zip</label>
        <input id="dataset-file" name="file" type="file" accept=".csv,text/csv,.zip,application/zip" required aria-describedby="dataset-file-hint" />
        <small id="dataset-file-hint" className="muted">
          A zip holds train/&lt;class&gt;/&lt;image&gt; (and optionally valid/…), or images/ and masks/ for segmentation.
        </small>
      </div>
      <div className="field">
        <label htmlFor="dataset-zip-kind">Zip holds</label>
        <select id="dataset-zip-kind" name="zipKind" defaultValue="image-folder">
          <option value="image-folder">class folders (classification)</option>
          <option value="segmentation">images/ + masks/ (segmentation: PNG, TIFF, NIfTI or DICOM)</option>
        </select>
      </div>
      <div className="field">
        <label htmlFor="dataset-image-size">Image size (zip of 2D images only)</label>
        <select id="dataset-image-size" name="imageSize" defaultValue="224">
          {IMAGE_SIDES.map((side) => (
            <option key={side} value={side}>
              {side} x {side}
            </option>
          ))}
        </select>
      </div>
      <button type="submit" disabled={pending}>
        {pending ? 'Uploading…' : 'Upload'}
      </button>
      <div role="status">
        {state.uploaded && <p>Uploaded {state.uploaded}.</p>}
        {state.error && <p className="error">{state.error}</p>}
      </div>
    </form>
  );
}
