// Original file: proto/tessera/jobs/v1/jobs.proto

import type { Long } from '@grpc/proto-loader';

export interface ReadCheckpointFileRequest {
  'jobId'?: (string);
  'step'?: (number | string | Long);
  'file'?: (string);
}

export interface ReadCheckpointFileRequest__Output {
  'jobId': (string);
  'step': (number);
  'file': (string);
}
