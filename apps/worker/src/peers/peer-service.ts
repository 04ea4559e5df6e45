import * as grpc from '@grpc/grpc-js';
import { contracts } from '@tessera/proto/contracts';
import type { PeerServiceClient, PeerServiceDefinition } from '@tessera/proto/generated/tessera/peers/v1/PeerService';
import { decodeChunkFrame, encodeChunkFrame } from './chunk-frame-codec.ts';
import type { ChunkFrameFields } from './chunk-frame-codec.ts';

type PeerServiceClientConstructor = new (
  address: string,
  credentials: grpc.ChannelCredentials,
  options?: Partial<grpc.ChannelOptions>,
) => PeerServiceClient;

let cache: { definition: PeerServiceDefinition; Client: PeerServiceClientConstructor } | undefined;

/**
 * `tessera.peers.v1.PeerService` as loaded from the contract, with `ChunkFrame` (de)serialised by the hand-written
 * codec instead of protobufjs. Same method path and wire bytes, so it interoperates with any other implementation of
 * the contract; both the peer server and the ring transport use it.
 */
export function peerService(): { definition: PeerServiceDefinition; Client: PeerServiceClientConstructor } {
  if (cache !== undefined) return cache;
  const loaded = contracts().peers.tessera.peers.v1.PeerService.service;
  const definition: PeerServiceDefinition = {
    ...loaded,
    Exchange: {
      ...loaded.Exchange,
      requestSerialize: (frame) => encodeChunkFrame(frame as ChunkFrameFields),
      requestDeserialize: decodeChunkFrame,
    },
  };
  const Client = grpc.makeGenericClientConstructor(definition, 'PeerService') as unknown as PeerServiceClientConstructor;
  cache = { definition, Client };
  return cache;
}
