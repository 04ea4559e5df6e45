// Original file: proto/tessera/workers/v1/workers.proto

import type { Long } from '@grpc/proto-loader';

export interface Cancellation {
  'jobId'?: (string);
  'generation'?: (number | string | Long);
  'reason'?: (string);
}

export interface Cancellation__Output {
  'jobId': (string);
  'generation': (number);
  'reason': (string);
}
