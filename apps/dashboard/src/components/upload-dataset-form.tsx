'use client';

import { useActionState } from 'react';
import { uploadDataset, type UploadState } from '../actions/upload-dataset.ts';

export function UploadDatasetForm() {
  const [state, action, pending] = useActionState<UploadState, FormData>(uploadDataset, {});
  return (
    <form action={action} className="filters" aria-label="Upload a data set">
      <div className="field">
        <label htmlFor="dataset-name">Name</label>
        <input id="dataset-name" name="name" required pattern="[A-Za-z0-9][A-Za-z0-9._\-]*" />
      </div>
      <div className="field">
        <label htmlFor="dataset-file">CSV file</label>
        <input id="dataset-file" name="file" type="file" accept=".csv,text/csv" required />
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
