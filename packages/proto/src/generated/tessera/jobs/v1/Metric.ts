// Original file: proto/tessera/jobs/v1/jobs.proto

import type { Long } from '@grpc/proto-loader';

export interface Metric {
  'jobId'?: (string);
  'step'?: (number | string | Long);
  'epoch'?: (number);
  'split'?: (string);
  'name'?: (string);
  'value'?: (number | string);
  'at'?: (string);
  'workerId'?: (string);
}

export interface Metric__Output {
  'jobId': (string);
  'step': (number);
  'epoch': (number);
  'split': (string);
  'name': (string);
  'value': (number);
  'at': (string);
  'workerId': (string);
}
