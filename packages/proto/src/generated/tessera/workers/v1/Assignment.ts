// Original file: proto/tessera/workers/v1/workers.proto

import type { Long } from '@grpc/proto-loader';

export interface Assignment {
  'jobId'?: (string);
  'generation'?: (number | string | Long);
  'rank'?: (number);
  'worldSize'?: (number);
  'peerAddresses'?: (string)[];
  'workerIds'?: (string)[];
  'specJson'?: (string);
  'datasetManifestKey'?: (string);
  'resumeCheckpointKey'?: (string);
  'checkpointPrefix'?: (string);
  'sourceCheckpointKey'?: (string);
  'sourceSpecJson'?: (string);
}

export interface Assignment__Output {
  'jobId': (string);
  'generation': (number);
  'rank': (number);
  'worldSize': (number);
  'peerAddresses': (string)[];
  'workerIds': (string)[];
  'specJson': (string);
  'datasetManifestKey': (string);
  'resumeCheckpointKey': (string);
  'checkpointPrefix': (string);
  'sourceCheckpointKey': (string);
  'sourceSpecJson': (string);
}
