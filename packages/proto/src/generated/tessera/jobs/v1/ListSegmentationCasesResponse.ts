// Original file: proto/tessera/jobs/v1/jobs.proto

import type { SegmentationCase as _tessera_jobs_v1_SegmentationCase, SegmentationCase__Output as _tessera_jobs_v1_SegmentationCase__Output } from '../../../tessera/jobs/v1/SegmentationCase.ts';

export interface ListSegmentationCasesResponse {
  'dataset'?: (string);
  'sha256'?: (string);
  'dims'?: (number);
  'units'?: (string);
  'modality'?: (string);
  'classNames'?: (string)[];
  'cases'?: (_tessera_jobs_v1_SegmentationCase)[];
  'hasSummary'?: (boolean);
  'predictionSplit'?: (string);
  'meanDice'?: (number | string);
  'meanIou'?: (number | string);
}

export interface ListSegmentationCasesResponse__Output {
  'dataset': (string);
  'sha256': (string);
  'dims': (number);
  'units': (string);
  'modality': (string);
  'classNames': (string)[];
  'cases': (_tessera_jobs_v1_SegmentationCase__Output)[];
  'hasSummary': (boolean);
  'predictionSplit': (string);
  'meanDice': (number);
  'meanIou': (number);
}
