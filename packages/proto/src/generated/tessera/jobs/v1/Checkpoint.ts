// Original file: proto/tessera/jobs/v1/jobs.proto

import type { Long } from '@grpc/proto-loader';

export interface Checkpoint {
  'step'?: (number | string | Long);
  'manifestKey'?: (string);
  'createdAt'?: (string);
  'sizeBytes'?: (number | string | Long);
}

export interface Checkpoint__Output {
  'step': (number);
  'manifestKey': (string);
  'createdAt': (string);
  'sizeBytes': (number);
}
