// Original file: proto/tessera/jobs/v1/jobs.proto

import type { WorkerState as _tessera_jobs_v1_WorkerState, WorkerState__Output as _tessera_jobs_v1_WorkerState__Output } from '../../../tessera/jobs/v1/WorkerState.ts';

export interface Worker {
  'id'?: (string);
  'host'?: (string);
  'backend'?: (string);
  'device'?: (string);
  'state'?: (_tessera_jobs_v1_WorkerState);
  'jobId'?: (string);
  'rank'?: (number);
  'lastHeartbeatAt'?: (string);
  'peerAddress'?: (string);
  'samplesPerSecond'?: (number | string);
}

export interface Worker__Output {
  'id': (string);
  'host': (string);
  'backend': (string);
  'device': (string);
  'state': (_tessera_jobs_v1_WorkerState__Output);
  'jobId': (string);
  'rank': (number);
  'lastHeartbeatAt': (string);
  'peerAddress': (string);
  'samplesPerSecond': (number);
}
