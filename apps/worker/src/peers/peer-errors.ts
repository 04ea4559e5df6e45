import * as grpc from '@grpc/grpc-js';
import { collectiveFailure } from '@tessera/core/collectives/peer-transport';
import type { CollectiveFailure } from '@tessera/core/collectives/peer-transport';

/** Why the peer server refused or ended an `Exchange` stream. */
export type PeerServerError =
  | { kind: 'Unauthenticated' }
  | { kind: 'WrongJob'; jobId: string; boundJobId: string }
  | { kind: 'StaleGeneration'; jobId: string; generation: number; boundGeneration: number }
  | { kind: 'Superseded'; jobId: string; generation: number }
  | { kind: 'Unbound'; jobId: string; generation: number }
  | { kind: 'NotBound'; jobId: string; generation: number; waitedMs: number }
  | { kind: 'MalformedFrame'; reason: string };

/** The one mapping from peer-server errors to gRPC status codes; the compiler flags a missing kind. */
const STATUS: Record<PeerServerError['kind'], grpc.status> = {
  Unauthenticated: grpc.status.UNAUTHENTICATED,
  WrongJob: grpc.status.FAILED_PRECONDITION,
  StaleGeneration: grpc.status.FAILED_PRECONDITION,
  // The receiver moved on to a newer ring: the sender is the stale one.
  Superseded: grpc.status.FAILED_PRECONDITION,
  // The receiver closed its transport (collective failed or worker leaving): for the sender, the peer is gone.
  Unbound: grpc.status.UNAVAILABLE,
  NotBound: grpc.status.UNAVAILABLE,
  MalformedFrame: grpc.status.INVALID_ARGUMENT,
};

function describe(error: PeerServerError): string {
  switch (error.kind) {
    case 'Unauthenticated':
      return 'missing or wrong join token (authorization: Bearer <token>)';
    case 'WrongJob':
      return `frame for job ${error.jobId}, but this worker serves job ${error.boundJobId}`;
    case 'StaleGeneration':
      return `frame for job ${error.jobId} generation ${error.generation}, current generation is ${error.boundGeneration}`;
    case 'Superseded':
      return `job ${error.jobId} generation ${error.generation} was replaced by a newer ring on this worker`;
    case 'Unbound':
      return `this worker left job ${error.jobId} generation ${error.generation}`;
    case 'NotBound':
      return `no ring for job ${error.jobId} generation ${error.generation} after waiting ${error.waitedMs} ms`;
    case 'MalformedFrame':
      return `malformed frame: ${error.reason}`;
  }
}

/** Converts a peer-server error into the status a grpc-js handler fails the call with. */
export function toServiceError(error: PeerServerError): Partial<grpc.StatusObject> {
  return { code: STATUS[error.kind], details: `${error.kind}: ${describe(error)}` };
}

/**
 * The client-side inverse: how a sender classifies the status that ended its stream to `rank`. FAILED_PRECONDITION
 * means the sender's ring is stale; anything else means the peer is gone (the ring must be re-formed).
 */
export function fromPeerStatus(
  error: grpc.ServiceError,
  ring: { rank: number; jobId: string; generation: number },
): CollectiveFailure {
  if (error.code === grpc.status.FAILED_PRECONDITION) {
    return collectiveFailure({ kind: 'StaleGeneration', jobId: ring.jobId, generation: ring.generation, cause: error });
  }
  return collectiveFailure({ kind: 'PeerLost', rank: ring.rank, cause: error });
}
