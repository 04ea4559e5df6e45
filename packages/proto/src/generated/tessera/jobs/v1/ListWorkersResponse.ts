// Original file: proto/tessera/jobs/v1/jobs.proto

import type { Worker as _tessera_jobs_v1_Worker, Worker__Output as _tessera_jobs_v1_Worker__Output } from '../../../tessera/jobs/v1/Worker.ts';

export interface ListWorkersResponse {
  'workers'?: (_tessera_jobs_v1_Worker)[];
}

export interface ListWorkersResponse__Output {
  'workers': (_tessera_jobs_v1_Worker__Output)[];
}
