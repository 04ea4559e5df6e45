// Original file: proto/tessera/jobs/v1/jobs.proto

import type { SegmentationCase as _tessera_jobs_v1_SegmentationCase, SegmentationCase__Output as _tessera_jobs_v1_SegmentationCase__Output } from '../../../tessera/jobs/v1/SegmentationCase.ts';

export interface SegmentationCaseHeader {
  'dataset'?: (string);
  'sha256'?: (string);
  'case'?: (_tessera_jobs_v1_SegmentationCase | null);
  'units'?: (string);
  'modality'?: (string);
  'classNames'?: (string)[];
  'hasMask'?: (boolean);
  'hasPrediction'?: (boolean);
}

export interface SegmentationCaseHeader__Output {
  'dataset': (string);
  'sha256': (string);
  'case': (_tessera_jobs_v1_SegmentationCase__Output | null);
  'units': (string);
  'modality': (string);
  'classNames': (string)[];
  'hasMask': (boolean);
  'hasPrediction': (boolean);
}
