// Original file: proto/tessera/jobs/v1/jobs.proto

import type { SegmentationCaseHeader as _tessera_jobs_v1_SegmentationCaseHeader, SegmentationCaseHeader__Output as _tessera_jobs_v1_SegmentationCaseHeader__Output } from '../../../tessera/jobs/v1/SegmentationCaseHeader.ts';

export interface SegmentationCaseChunk {
  'header'?: (_tessera_jobs_v1_SegmentationCaseHeader | null);
  'data'?: (Buffer | Uint8Array | string);
  'part'?: "header"|"data";
}

export interface SegmentationCaseChunk__Output {
  'header'?: (_tessera_jobs_v1_SegmentationCaseHeader__Output | null);
  'data'?: (Buffer);
  'part'?: "header"|"data";
}
