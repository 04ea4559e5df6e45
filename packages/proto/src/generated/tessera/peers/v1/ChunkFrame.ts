// Original file: proto/tessera/peers/v1/peers.proto

import type { Long } from '@grpc/proto-loader';

export interface ChunkFrame {
  'jobId'?: (string);
  'generation'?: (number | string | Long);
  'fromRank'?: (number);
  'tag'?: (string);
  'offset'?: (number | string | Long);
  'totalBytes'?: (number | string | Long);
  'data'?: (Buffer | Uint8Array | string);
}

export interface ChunkFrame__Output {
  'jobId': (string);
  'generation': (number);
  'fromRank': (number);
  'tag': (string);
  'offset': (number);
  'totalBytes': (number);
  'data': (Buffer);
}
