// Original file: proto/tessera/peers/v1/peers.proto

import type { Long } from '@grpc/proto-loader';

export interface ExchangeAck {
  'frames'?: (number | string | Long);
}

export interface ExchangeAck__Output {
  'frames': (number);
}
