// Original file: proto/tessera/jobs/v1/jobs.proto

import type { Dataset as _tessera_jobs_v1_Dataset, Dataset__Output as _tessera_jobs_v1_Dataset__Output } from '../../../tessera/jobs/v1/Dataset.ts';

export interface ListDatasetsResponse {
  'datasets'?: (_tessera_jobs_v1_Dataset)[];
}

export interface ListDatasetsResponse__Output {
  'datasets': (_tessera_jobs_v1_Dataset__Output)[];
}
