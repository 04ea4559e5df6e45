// Original file: proto/tessera/jobs/v1/jobs.proto

import type { Checkpoint as _tessera_jobs_v1_Checkpoint, Checkpoint__Output as _tessera_jobs_v1_Checkpoint__Output } from '../../../tessera/jobs/v1/Checkpoint.ts';

export interface ListCheckpointsResponse {
  'checkpoints'?: (_tessera_jobs_v1_Checkpoint)[];
}

export interface ListCheckpointsResponse__Output {
  'checkpoints': (_tessera_jobs_v1_Checkpoint__Output)[];
}
