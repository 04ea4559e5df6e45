// Original file: proto/tessera/workers/v1/workers.proto

import type { MetricValue as _tessera_workers_v1_MetricValue, MetricValue__Output as _tessera_workers_v1_MetricValue__Output } from '../../../tessera/workers/v1/MetricValue.ts';
import type { Long } from '@grpc/proto-loader';

export interface ProgressReport {
  'workerId'?: (string);
  'jobId'?: (string);
  'generation'?: (number | string | Long);
  'rank'?: (number);
  'step'?: (number | string | Long);
  'totalSteps'?: (number | string | Long);
  'epoch'?: (number);
  'totalEpochs'?: (number);
  'metrics'?: (_tessera_workers_v1_MetricValue)[];
  'checkpointKey'?: (string);
  'finished'?: (boolean);
  'error'?: (string);
  'info'?: (string);
  'ringBroken'?: (boolean);
  'lostPeer'?: (string);
}

export interface ProgressReport__Output {
  'workerId': (string);
  'jobId': (string);
  'generation': (number);
  'rank': (number);
  'step': (number);
  'totalSteps': (number);
  'epoch': (number);
  'totalEpochs': (number);
  'metrics': (_tessera_workers_v1_MetricValue__Output)[];
  'checkpointKey': (string);
  'finished': (boolean);
  'error': (string);
  'info': (string);
  'ringBroken': (boolean);
  'lostPeer': (string);
}
