// Original file: proto/tessera/jobs/v1/jobs.proto

import type { JobState as _tessera_jobs_v1_JobState, JobState__Output as _tessera_jobs_v1_JobState__Output } from '../../../tessera/jobs/v1/JobState.ts';
import type { Long } from '@grpc/proto-loader';

export interface JobEvent {
  'jobId'?: (string);
  'seq'?: (number | string | Long);
  'at'?: (string);
  'kind'?: (string);
  'message'?: (string);
  'state'?: (_tessera_jobs_v1_JobState);
  'workerId'?: (string);
}

export interface JobEvent__Output {
  'jobId': (string);
  'seq': (number);
  'at': (string);
  'kind': (string);
  'message': (string);
  'state': (_tessera_jobs_v1_JobState__Output);
  'workerId': (string);
}
