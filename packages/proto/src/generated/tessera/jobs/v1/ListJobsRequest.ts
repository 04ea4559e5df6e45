// Original file: proto/tessera/jobs/v1/jobs.proto

import type { JobState as _tessera_jobs_v1_JobState, JobState__Output as _tessera_jobs_v1_JobState__Output } from '../../../tessera/jobs/v1/JobState.ts';

export interface ListJobsRequest {
  'states'?: (_tessera_jobs_v1_JobState)[];
  'limit'?: (number);
  'nameContains'?: (string);
}

export interface ListJobsRequest__Output {
  'states': (_tessera_jobs_v1_JobState__Output)[];
  'limit': (number);
  'nameContains': (string);
}
