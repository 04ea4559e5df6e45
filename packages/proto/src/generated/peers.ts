import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { ChunkFrame as _tessera_peers_v1_ChunkFrame, ChunkFrame__Output as _tessera_peers_v1_ChunkFrame__Output } from './tessera/peers/v1/ChunkFrame.ts';
import type { ExchangeAck as _tessera_peers_v1_ExchangeAck, ExchangeAck__Output as _tessera_peers_v1_ExchangeAck__Output } from './tessera/peers/v1/ExchangeAck.ts';
import type { PeerServiceClient as _tessera_peers_v1_PeerServiceClient, PeerServiceDefinition as _tessera_peers_v1_PeerServiceDefinition } from './tessera/peers/v1/PeerService.ts';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  tessera: {
    peers: {
      v1: {
        ChunkFrame: MessageTypeDefinition<_tessera_peers_v1_ChunkFrame, _tessera_peers_v1_ChunkFrame__Output>
        ExchangeAck: MessageTypeDefinition<_tessera_peers_v1_ExchangeAck, _tessera_peers_v1_ExchangeAck__Output>
        PeerService: SubtypeConstructor<typeof grpc.Client, _tessera_peers_v1_PeerServiceClient> & { service: _tessera_peers_v1_PeerServiceDefinition }
      }
    }
  }
}

