/**
 * The seam between collectives and the network. A transport is bound to one ring (one job generation): it knows its
 * own rank and the ring size and moves whole logical messages of float32 values between ranks. Collectives
 * (`ring-all-reduce.ts`) are written against this interface only, so the same algorithm runs over the in-process
 * `memory-peer-transport.ts` in unit tests and over gRPC between worker processes.
 */
export interface PeerTransport {
  readonly rank: number;
  readonly worldSize: number;
  /**
   * Sends one logical message to a rank. Resolves once the transport has taken the bytes (it may still buffer
   * them), so the caller may overwrite `data` afterwards. Rejects with a `CollectiveFailure` when the peer is lost.
   */
  send(toRank: number, tag: string, data: Float32Array): Promise<void>;
  /**
   * Resolves with the message `tag` from `fromRank`. Messages may arrive before `recv` is called: transports buffer
   * them. `signal` withdraws the wait (the collective gave up), so an abandoned recv holds no memory.
   * Rejects with a `CollectiveFailure` (`PeerLost`, `StaleGeneration`, `TransportClosed`, `CollectiveAborted`).
   */
  recv(fromRank: number, tag: string, options?: { signal?: AbortSignal }): Promise<Float32Array>;
  /**
   * Optional fused receive: the message `tag` from `fromRank` is added into (`add`) or copied over (`set`) `into`
   * as its frames arrive, instead of being assembled into a new array first. Saves the collective one allocation and
   * one pass over the data per ring step. Rejects like `recv`, and with `ChunkSizeMismatch` when the message's
   * length differs from `into`'s. After a rejection `into` may hold part of the message.
   */
  recvInto?(
    fromRank: number,
    tag: string,
    into: Float32Array,
    mode: 'add' | 'set',
    options?: { signal?: AbortSignal },
  ): Promise<void>;
  /** Releases the transport; pending and later calls reject with `TransportClosed`. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * Why a collective failed, classified by the recovery it triggers: `PeerLost` and `CollectiveTimeout` mean the ring
 * is broken (restore the last commit and re-form it); `StaleGeneration` means this worker belongs to an older ring
 * (drop the job, wait for a new assignment); the rest are programming or shutdown errors.
 */
export type CollectiveError =
  | { kind: 'CollectiveTimeout'; rank: number; tag: string; timeoutMs: number }
  | { kind: 'PeerLost'; rank: number; cause?: unknown }
  | { kind: 'StaleGeneration'; jobId: string; generation: number; cause?: unknown }
  | { kind: 'CollectiveAborted'; tag: string; cause?: unknown }
  | { kind: 'TransportClosed'; rank: number }
  | { kind: 'ChunkSizeMismatch'; fromRank: number; tag: string; expected: number; received: number };

/** A thrown collective error: an `Error` (stack, message, `cause`) that also carries the union's fields. */
export type CollectiveFailure = Error & CollectiveError;

const KINDS: Record<CollectiveError['kind'], true> = {
  CollectiveTimeout: true,
  PeerLost: true,
  StaleGeneration: true,
  CollectiveAborted: true,
  TransportClosed: true,
  ChunkSizeMismatch: true,
};

function describe(error: CollectiveError): string {
  switch (error.kind) {
    case 'CollectiveTimeout':
      return `rank ${error.rank} made no progress on "${error.tag}" for ${error.timeoutMs} ms`;
    case 'PeerLost':
      return `lost contact with rank ${error.rank}`;
    case 'StaleGeneration':
      return `job ${error.jobId} generation ${error.generation} is no longer current`;
    case 'CollectiveAborted':
      return `collective "${error.tag}" was aborted`;
    case 'TransportClosed':
      return `transport of rank ${error.rank} is closed`;
    case 'ChunkSizeMismatch':
      return `"${error.tag}" from rank ${error.fromRank} has ${error.received} values, expected ${error.expected}`;
  }
}

/** Builds the thrown form of a collective error; `cause` (if any) becomes the Error's cause too. */
export function collectiveFailure(error: CollectiveError): CollectiveFailure {
  const cause = 'cause' in error ? error.cause : undefined;
  return Object.assign(new Error(`${error.kind}: ${describe(error)}`, cause === undefined ? {} : { cause }), error);
}

/** Narrows an unknown rejection to a collective error by its `kind` (not `instanceof`: bundles may hold two copies). */
export function isCollectiveFailure(value: unknown): value is CollectiveFailure {
  if (typeof value !== 'object' || value === null || !('kind' in value)) return false;
  const kind = value.kind;
  return typeof kind === 'string' && Object.hasOwn(KINDS, kind);
}
