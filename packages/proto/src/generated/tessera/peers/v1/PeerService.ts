// Original file: proto/tessera/peers/v1/peers.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { ChunkFrame as _tessera_peers_v1_ChunkFrame, ChunkFrame__Output as _tessera_peers_v1_ChunkFrame__Output } from '../../../tessera/peers/v1/ChunkFrame.ts';
import type { ExchangeAck as _tessera_peers_v1_ExchangeAck, ExchangeAck__Output as _tessera_peers_v1_ExchangeAck__Output } from '../../../tessera/peers/v1/ExchangeAck.ts';

export interface PeerServiceClient extends grpc.Client {
  Exchange(metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_peers_v1_ExchangeAck__Output>): grpc.ClientWritableStream<_tessera_peers_v1_ChunkFrame>;
  Exchange(metadata: grpc.Metadata, callback: grpc.requestCallback<_tessera_peers_v1_ExchangeAck__Output>): grpc.ClientWritableStream<_tessera_peers_v1_ChunkFrame>;
  Exchange(options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_peers_v1_ExchangeAck__Output>): grpc.ClientWritableStream<_tessera_peers_v1_ChunkFrame>;
  Exchange(callback: grpc.requestCallback<_tessera_peers_v1_ExchangeAck__Output>): grpc.ClientWritableStream<_tessera_peers_v1_ChunkFrame>;
  exchange(metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_peers_v1_ExchangeAck__Output>): grpc.ClientWritableStream<_tessera_peers_v1_ChunkFrame>;
  exchange(metadata: grpc.Metadata, callback: grpc.requestCallback<_tessera_peers_v1_ExchangeAck__Output>): grpc.ClientWritableStream<_tessera_peers_v1_ChunkFrame>;
  exchange(options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_peers_v1_ExchangeAck__Output>): grpc.ClientWritableStream<_tessera_peers_v1_ChunkFrame>;
  exchange(callback: grpc.requestCallback<_tessera_peers_v1_ExchangeAck__Output>): grpc.ClientWritableStream<_tessera_peers_v1_ChunkFrame>;
  
}

export interface PeerServiceHandlers extends grpc.UntypedServiceImplementation {
  Exchange: grpc.handleClientStreamingCall<_tessera_peers_v1_ChunkFrame__Output, _tessera_peers_v1_ExchangeAck>;
  
}

export interface PeerServiceDefinition extends grpc.ServiceDefinition {
  Exchange: MethodDefinition<_tessera_peers_v1_ChunkFrame, _tessera_peers_v1_ExchangeAck, _tessera_peers_v1_ChunkFrame__Output, _tessera_peers_v1_ExchangeAck__Output>
}
