import { endianness } from 'node:os';
import * as grpc from '@grpc/grpc-js';
import { Mailbox } from '@tessera/core/collectives/mailbox';
import { collectiveFailure } from '@tessera/core/collectives/peer-transport';
import type { CollectiveFailure, PeerTransport } from '@tessera/core/collectives/peer-transport';
import { contracts } from '@tessera/proto/contracts';
import type { ChunkFrame, ChunkFrame__Output } from '@tessera/proto/generated/tessera/peers/v1/ChunkFrame';
import type { PeerServiceClient } from '@tessera/proto/generated/tessera/peers/v1/PeerService';
import { fromPeerStatus } from './peer-errors.ts';
import type { PeerBinding, PeerServer } from './peer-server.ts';

/** 1 MiB of payload per frame: a quarter of gRPC's default 4 MiB message limit, with room for the header. */
export const DEFAULT_FRAME_BYTES = 1024 * 1024;

export interface GrpcPeerTransportOptions {
  /** This worker's running peer server; the transport binds its ring there and unbinds on close. */
  readonly server: PeerServer;
  readonly jobId: string;
  readonly generation: number;
  readonly rank: number;
  readonly worldSize: number;
  /** `host:port` of every rank's peer server, indexed by rank. */
  readonly peerAddresses: readonly string[];
  readonly joinToken: string;
  readonly frameBytes?: number;
  readonly channelOptions?: grpc.ChannelOptions;
}

interface PartialMessage {
  readonly values: Float32Array;
  readonly bytes: Uint8Array;
  received: number;
}

/**
 * `PeerTransport` over gRPC for one ring (job id + generation). Each destination gets ONE long-lived client stream
 * (ring all-reduce only ever sends to the right neighbour), opened on first send. A message travels as raw
 * little-endian float32 bytes in frames of at most `frameBytes`; the frames are views over the caller's
 * `Float32Array`, serialised by gRPC on write, so sending copies the bytes only inside gRPC. Received frames are
 * copied once, into the message's final `Float32Array`.
 *
 * A sender's stream failing (process died, connection reset) or ending with a message half-received rejects the
 * recvs waiting on it with `PeerLost`; the right neighbour failing rejects everything pending, so a broken ring
 * surfaces at once instead of at the step timeout. FAILED_PRECONDITION from a peer becomes `StaleGeneration`.
 */
export class GrpcPeerTransport implements PeerTransport {
  readonly rank: number;
  readonly worldSize: number;
  readonly #options: GrpcPeerTransportOptions;
  readonly #frameBytes: number;
  readonly #mailbox = new Mailbox();
  readonly #partials = new Map<string, PartialMessage>();
  readonly #outbound = new Map<number, Outbound>();
  readonly #binding: PeerBinding;
  #closed = false;

  constructor(options: GrpcPeerTransportOptions) {
    if (endianness() !== 'LE') throw new Error('the peer wire format is little-endian float32; this host is big-endian');
    if (options.peerAddresses.length !== options.worldSize) {
      throw new RangeError(`peerAddresses has ${options.peerAddresses.length} entries for a ring of ${options.worldSize}`);
    }
    if (!Number.isInteger(options.rank) || options.rank < 0 || options.rank >= options.worldSize) {
      throw new RangeError(`rank ${options.rank} is outside a ring of ${options.worldSize}`);
    }
    this.rank = options.rank;
    this.worldSize = options.worldSize;
    this.#options = options;
    this.#frameBytes = options.frameBytes ?? DEFAULT_FRAME_BYTES;
    if (this.#frameBytes % 4 !== 0 || this.#frameBytes <= 0) throw new RangeError('frameBytes must be a positive multiple of 4');
    this.#binding = {
      jobId: options.jobId,
      generation: options.generation,
      onFrame: (frame) => this.#onFrame(frame),
      onStreamClosed: (fromRank, error) => this.#onStreamClosed(fromRank, error),
    };
    options.server.bind(this.#binding);
  }

  async send(toRank: number, tag: string, data: Float32Array): Promise<void> {
    if (this.#closed) throw collectiveFailure({ kind: 'TransportClosed', rank: this.rank });
    const outbound = this.#outboundTo(toRank);
    const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    await outbound.serially(async () => {
      let offset = 0;
      do {
        const end = Math.min(bytes.length, offset + this.#frameBytes);
        await outbound.write(
          {
            jobId: this.#options.jobId,
            generation: this.#options.generation,
            fromRank: this.rank,
            tag,
            offset,
            totalBytes: bytes.length,
            data: bytes.subarray(offset, end),
          },
          end === bytes.length,
        );
        offset = end;
      } while (offset < bytes.length);
    });
  }

  recv(fromRank: number, tag: string, options?: { signal?: AbortSignal }): Promise<Float32Array> {
    return this.#mailbox.take(fromRank, tag, options?.signal);
  }

  /**
   * Leaves the ring: unbinds from the server, half-closes the outbound streams and waits (briefly) for their acks.
   * Pass `reason` when leaving because a collective failed: the left neighbour's stream then fails at once.
   */
  async close(reason?: unknown): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#options.server.unbind(this.#binding, reason);
    this.#mailbox.failAll(collectiveFailure({ kind: 'TransportClosed', rank: this.rank }));
    this.#partials.clear();
    await Promise.all([...this.#outbound.values()].map((outbound) => outbound.end(reason)));
  }

  #outboundTo(toRank: number): Outbound {
    let outbound = this.#outbound.get(toRank);
    if (outbound !== undefined) return outbound;
    const address = this.#options.peerAddresses[toRank];
    if (address === undefined) throw new RangeError(`no rank ${toRank} in a ring of ${this.worldSize}`);
    outbound = new Outbound(address, this.#options, toRank, (failure) => {
      // The peer we feed is gone: the ring cannot complete, so fail everything pending now.
      if (!this.#closed) this.#mailbox.failAll(failure);
    });
    this.#outbound.set(toRank, outbound);
    return outbound;
  }

  #onFrame(frame: ChunkFrame__Output): void {
    if (this.#closed) return;
    const key = `${frame.fromRank}\u0000${frame.tag}`;
    let partial = this.#partials.get(key);
    if (partial === undefined) {
      if (frame.totalBytes % 4 !== 0) {
        this.#mailbox.failPeer(frame.fromRank, malformed(frame, `total_bytes ${frame.totalBytes} is not a multiple of 4`));
        return;
      }
      // Not zero-filled (every byte is overwritten by a frame) and outside Buffer's pool, so offset 0 is aligned.
      const bytes = Buffer.allocUnsafeSlow(frame.totalBytes);
      partial = { values: new Float32Array(bytes.buffer, bytes.byteOffset, frame.totalBytes / 4), bytes, received: 0 };
      this.#partials.set(key, partial);
    }
    if (frame.offset < 0 || frame.offset + frame.data.length > partial.bytes.length) {
      this.#mailbox.failPeer(frame.fromRank, malformed(frame, `frame at ${frame.offset} overruns ${partial.bytes.length} bytes`));
      return;
    }
    partial.bytes.set(frame.data, frame.offset);
    partial.received += frame.data.length;
    if (partial.received >= partial.bytes.length) {
      this.#partials.delete(key);
      this.#mailbox.deliver(frame.fromRank, frame.tag, partial.values);
    }
  }

  #onStreamClosed(fromRank: number | undefined, error: Error | undefined): void {
    if (this.#closed || fromRank === undefined) return;
    // A clean end means the sender closed its transport: nothing more will come from it, so waits on it must fail.
    this.#mailbox.failPeer(fromRank, collectiveFailure({ kind: 'PeerLost', rank: fromRank, cause: error }));
    for (const key of this.#partials.keys()) if (key.startsWith(`${fromRank}\u0000`)) this.#partials.delete(key);
  }
}

function malformed(frame: ChunkFrame__Output, reason: string): CollectiveFailure {
  return collectiveFailure({ kind: 'PeerLost', rank: frame.fromRank, cause: new Error(`malformed frame "${frame.tag}": ${reason}`) });
}

/** The one client stream to a destination rank, with backpressure and failure tracking. */
class Outbound {
  readonly #client: PeerServiceClient;
  readonly #call: grpc.ClientWritableStream<ChunkFrame>;
  readonly #done: Promise<void>;
  #failure: CollectiveFailure | undefined;
  #ending = false;
  #queue: Promise<void> = Promise.resolve();
  readonly #failed: Promise<never>;
  #rejectFailed: (failure: CollectiveFailure) => void = () => undefined;

  constructor(
    address: string,
    options: GrpcPeerTransportOptions,
    toRank: number,
    onFailure: (failure: CollectiveFailure) => void,
  ) {
    const { PeerService } = contracts().peers.tessera.peers.v1;
    this.#client = new PeerService(address, grpc.credentials.createInsecure(), options.channelOptions);
    // waitForReady: a peer may start listening a moment after this rank; the collective's step timeout bounds it.
    const metadata = new grpc.Metadata({ waitForReady: true });
    metadata.set('authorization', `Bearer ${options.joinToken}`);
    this.#failed = new Promise<never>((_, reject) => (this.#rejectFailed = reject));
    this.#failed.catch(() => undefined);
    const ring = { rank: toRank, jobId: options.jobId, generation: options.generation };
    let settle: () => void = () => undefined;
    this.#done = new Promise<void>((resolve) => (settle = resolve));
    this.#call = this.#client.Exchange(metadata, (error) => {
      if (error !== null) this.#fail(fromPeerStatus(error, ring), onFailure);
      else if (!this.#ending) this.#fail(collectiveFailure({ kind: 'PeerLost', rank: toRank }), onFailure);
      settle();
    });
    // Errors arrive through the callback above; without a listener an 'error' event would crash the process.
    this.#call.on('error', () => undefined);
  }

  /** Runs sends to this rank one after another so each message's frames stay contiguous on the stream. */
  serially(task: () => Promise<void>): Promise<void> {
    const run = this.#queue.then(task);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Writes one frame, waiting for 'drain' when gRPC's buffer is full. For a message's last frame it waits until
   * gRPC has serialised it, so the caller may reuse its array once `send` resolves.
   */
  async write(frame: ChunkFrame, last: boolean): Promise<void> {
    if (this.#failure !== undefined) throw this.#failure;
    if (last) {
      await Promise.race([
        new Promise<void>((resolve, reject) => {
          this.#call.write(frame, (error: Error | null | undefined) => (error == null ? resolve() : reject(this.#failure ?? error)));
        }),
        this.#failed,
      ]);
      return;
    }
    if (!this.#call.write(frame)) {
      await Promise.race([new Promise<void>((resolve) => this.#call.once('drain', resolve)), this.#failed]);
    }
  }

  /** Half-closes the stream (or cancels it when leaving a failed ring) and waits up to 5 s for the ack. */
  async end(reason: unknown): Promise<void> {
    this.#ending = true;
    if (reason === undefined && this.#failure === undefined) this.#call.end();
    else this.#call.cancel();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.#done, new Promise<void>((resolve) => (timer = setTimeout(resolve, 5_000)))]);
    clearTimeout(timer);
    this.#client.close();
  }

  #fail(failure: CollectiveFailure, onFailure: (failure: CollectiveFailure) => void): void {
    if (this.#failure !== undefined || this.#ending) return;
    this.#failure = failure;
    this.#rejectFailed(failure);
    onFailure(failure);
  }
}
