// Original file: proto/tessera/jobs/v1/jobs.proto

import type { Long } from '@grpc/proto-loader';

export interface Dataset {
  'name'?: (string);
  'sha256'?: (string);
  'kind'?: (string);
  'sizeBytes'?: (number | string | Long);
  'manifestKey'?: (string);
  'createdAt'?: (string);
  'summary'?: (string);
}

export interface Dataset__Output {
  'name': (string);
  'sha256': (string);
  'kind': (string);
  'sizeBytes': (number);
  'manifestKey': (string);
  'createdAt': (string);
  'summary': (string);
}
