// Original file: proto/tessera/jobs/v1/jobs.proto

import type { UploadDatasetHeader as _tessera_jobs_v1_UploadDatasetHeader, UploadDatasetHeader__Output as _tessera_jobs_v1_UploadDatasetHeader__Output } from '../../../tessera/jobs/v1/UploadDatasetHeader.ts';

export interface UploadDatasetRequest {
  'header'?: (_tessera_jobs_v1_UploadDatasetHeader | null);
  'data'?: (Buffer | Uint8Array | string);
  'part'?: "header"|"data";
}

export interface UploadDatasetRequest__Output {
  'header'?: (_tessera_jobs_v1_UploadDatasetHeader__Output | null);
  'data'?: (Buffer);
  'part'?: "header"|"data";
}
