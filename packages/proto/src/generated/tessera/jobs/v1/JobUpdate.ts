// Original file: proto/tessera/jobs/v1/jobs.proto

import type { Job as _tessera_jobs_v1_Job, Job__Output as _tessera_jobs_v1_Job__Output } from '../../../tessera/jobs/v1/Job.ts';
import type { JobEvent as _tessera_jobs_v1_JobEvent, JobEvent__Output as _tessera_jobs_v1_JobEvent__Output } from '../../../tessera/jobs/v1/JobEvent.ts';
import type { Metric as _tessera_jobs_v1_Metric, Metric__Output as _tessera_jobs_v1_Metric__Output } from '../../../tessera/jobs/v1/Metric.ts';

export interface JobUpdate {
  'job'?: (_tessera_jobs_v1_Job | null);
  'event'?: (_tessera_jobs_v1_JobEvent | null);
  'metric'?: (_tessera_jobs_v1_Metric | null);
  'update'?: "job"|"event"|"metric";
}

export interface JobUpdate__Output {
  'job'?: (_tessera_jobs_v1_Job__Output | null);
  'event'?: (_tessera_jobs_v1_JobEvent__Output | null);
  'metric'?: (_tessera_jobs_v1_Metric__Output | null);
  'update'?: "job"|"event"|"metric";
}
