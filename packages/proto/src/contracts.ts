import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { LOADER_OPTIONS } from './loader-options.ts';
import type { ProtoGrpcType as JobsProto } from './generated/jobs.ts';
import type { ProtoGrpcType as WorkersProto } from './generated/workers.ts';
import type { ProtoGrpcType as PeersProto } from './generated/peers.ts';
import type { ProtoGrpcType as AuthProto } from './generated/auth.ts';

/**
 * Root of the `.proto` contracts: the repository's `proto/` folder, found from this file; TESSERA_PROTO_ROOT names it
 * for code bundled elsewhere (the GPU benchmark's bundle).
 */
export const PROTO_ROOT = process.env.TESSERA_PROTO_ROOT?.trim() || path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../proto');

export const PROTO_FILES = {
  jobs: 'tessera/jobs/v1/jobs.proto',
  workers: 'tessera/workers/v1/workers.proto',
  peers: 'tessera/peers/v1/peers.proto',
  auth: 'tessera/auth/v1/auth.proto',
} as const;

function load<T>(file: string): T {
  const definition = protoLoader.loadSync(file, { ...LOADER_OPTIONS, includeDirs: [PROTO_ROOT] });
  return grpc.loadPackageDefinition(definition) as unknown as T;
}

export interface Contracts {
  jobs: JobsProto;
  workers: WorkersProto;
  peers: PeersProto;
  auth: AuthProto;
}

let cache: Contracts | undefined;

/** Loads the four services once per process (parsing the protos costs a few milliseconds). */
export function contracts(): Contracts {
  cache ??= {
    jobs: load<JobsProto>(PROTO_FILES.jobs),
    workers: load<WorkersProto>(PROTO_FILES.workers),
    peers: load<PeersProto>(PROTO_FILES.peers),
    auth: load<AuthProto>(PROTO_FILES.auth),
  };
  return cache;
}
