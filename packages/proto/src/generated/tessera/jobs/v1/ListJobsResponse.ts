// Original file: proto/tessera/jobs/v1/jobs.proto

import type { Job as _tessera_jobs_v1_Job, Job__Output as _tessera_jobs_v1_Job__Output } from '../../../tessera/jobs/v1/Job.ts';

export interface ListJobsResponse {
  'jobs'?: (_tessera_jobs_v1_Job)[];
}

export interface ListJobsResponse__Output {
  'jobs': (_tessera_jobs_v1_Job__Output)[];
}
