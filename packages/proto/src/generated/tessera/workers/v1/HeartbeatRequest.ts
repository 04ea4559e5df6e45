// Original file: proto/tessera/workers/v1/workers.proto

import type { Long } from '@grpc/proto-loader';

export interface HeartbeatRequest {
  'workerId'?: (string);
  'jobId'?: (string);
  'generation'?: (number | string | Long);
  'samplesPerSecond'?: (number | string);
}

export interface HeartbeatRequest__Output {
  'workerId': (string);
  'jobId': (string);
  'generation': (number);
  'samplesPerSecond': (number);
}
