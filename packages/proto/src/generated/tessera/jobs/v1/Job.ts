// Original file: proto/tessera/jobs/v1/jobs.proto

import type { JobState as _tessera_jobs_v1_JobState, JobState__Output as _tessera_jobs_v1_JobState__Output } from '../../../tessera/jobs/v1/JobState.ts';
import type { Long } from '@grpc/proto-loader';

export interface Job {
  'id'?: (string);
  'name'?: (string);
  'state'?: (_tessera_jobs_v1_JobState);
  'reason'?: (string);
  'priority'?: (number);
  'specJson'?: (string);
  'minWorkers'?: (number);
  'maxWorkers'?: (number);
  'generation'?: (number | string | Long);
  'workerIds'?: (string)[];
  'step'?: (number | string | Long);
  'totalSteps'?: (number | string | Long);
  'epoch'?: (number);
  'totalEpochs'?: (number);
  'checkpointKey'?: (string);
  'latestMetrics'?: ({[key: string]: number | string});
  'createdAt'?: (string);
  'startedAt'?: (string);
  'endedAt'?: (string);
  'dataset'?: (string);
  'resultKey'?: (string);
}

export interface Job__Output {
  'id': (string);
  'name': (string);
  'state': (_tessera_jobs_v1_JobState__Output);
  'reason': (string);
  'priority': (number);
  'specJson': (string);
  'minWorkers': (number);
  'maxWorkers': (number);
  'generation': (number);
  'workerIds': (string)[];
  'step': (number);
  'totalSteps': (number);
  'epoch': (number);
  'totalEpochs': (number);
  'checkpointKey': (string);
  'latestMetrics': ({[key: string]: number});
  'createdAt': (string);
  'startedAt': (string);
  'endedAt': (string);
  'dataset': (string);
  'resultKey': (string);
}
