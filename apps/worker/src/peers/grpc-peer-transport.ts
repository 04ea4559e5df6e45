import { endianness } from 'node:os';
import * as grpc from '@grpc/grpc-js';
import { Mailbox } from '@tessera/core/collectives/mailbox';
import { collectiveFailure } from '@tessera/core/collectives/peer-transport';
import type { CollectiveFailure, PeerTransport } from '@tessera/core/collectives/peer-transport';
import type { ChunkFrame, ChunkFrame__Output } from '@tessera/proto/generated/tessera/peers/v1/ChunkFrame';
import type { PeerServiceClient } from '@tessera/proto/generated/tessera/peers/v1/PeerService';
import { fromPeerStatus } from './peer-errors.ts';
import type { PeerBinding, PeerServer } from './peer-server.ts';
import { peerService } from './peer-service.ts';

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

/** Where a `recvInto` wants the frames of its message to land as they arrive. */
interface Sink {
  readonly into: Float32Array;
  readonly mode: 'add' | 'set';
  received: number;
}

/**
 * `PeerTransport` over gRPC for one ring (job id + generation). Each destination gets ONE long-lived client stream
 * (ring all-reduce only ever sends to the right neighbour), opened on first send. A message travels as raw
 * little-endian float32 bytes in frames of at most `frameBytes`, (de)serialised by `chunk-frame-codec.ts`: sending
 * copies the payload once into the encoded frame (and once more in gRPC's framing). On receipt, `recvInto` adds or
 * copies each frame straight from gRPC's buffer into the collective's array; a message that arrives before anyone
 * asks for it is a view of gRPC's buffer when it fits one frame, else reassembled into a new array.
 *
 * A sender's stream failing (process died, connection reset) or ending with a message half-received rejects the
 * recvs waiting on it with `PeerLost`; the right neighbour failing rejects everything pending, so a broken ring
 * surfaces at once instead of at the step timeout. A neighbour that leaves cleanly (`close()` without a reason, its
 * collectives done) fails only later sends to it: messages it sent before leaving are still received, even when its
 * leaving is noticed first. FAILED_PRECONDITION from a peer becomes `StaleGeneration`.
 */
export class GrpcPeerTransport implements PeerTransport {
  readonly rank: number;
  readonly worldSize: number;
  readonly #options: GrpcPeerTransportOptions;
  readonly #frameBytes: number;
  readonly #mailbox = new Mailbox();
  readonly #partials = new Map<string, PartialMessage>();
  readonly #sinks = new Map<string, Sink>();
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
   * Adds or copies each frame of the message straight from gRPC's receive buffer into `into`, so a large message
   * needs no reassembly buffer. Frames that came before the call are reassembled as for `recv` and applied then.
   */
  async recvInto(
    fromRank: number,
    tag: string,
    into: Float32Array,
    mode: 'add' | 'set',
    options?: { signal?: AbortSignal },
  ): Promise<void> {
    const key = keyOf(fromRank, tag);
    const sink: Sink = { into, mode, received: 0 };
    const partial = this.#partials.get(key);
    if (partial !== undefined && partial.bytes.length === into.byteLength) {
      // Part of the message is here already: apply it, and let the rest of its frames go to the sink.
      this.#partials.delete(key);
      applyValues(sink, 0, partial.values.subarray(0, partial.received / 4));
      sink.received = partial.received;
    }
    if (!this.#closed) this.#sinks.set(key, sink);
    try {
      const message = await this.#mailbox.take(fromRank, tag, options?.signal);
      if (message === into) return;
      // The whole message arrived before this call (or with another length, reassembled for the error below).
      if (message.length !== into.length) {
        throw collectiveFailure({ kind: 'ChunkSizeMismatch', fromRank, tag, expected: into.length, received: message.length });
      }
      applyValues(sink, 0, message);
    } finally {
      this.#sinks.delete(key);
    }
  }

  /**
   * Leaves the ring: unbinds from the server, half-closes the outbound streams and waits (briefly) for their acks.
   * Pass `reason` when leaving without finishing (a collective or the run failed, the job was stopped): the
   * neighbours' collectives then fail at once. Without one the ring takes it as done: see the class comment.
   */
  async close(reason?: unknown): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#options.server.unbind(this.#binding, reason);
    this.#mailbox.failAll(collectiveFailure({ kind: 'TransportClosed', rank: this.rank }));
    this.#partials.clear();
    this.#sinks.clear();
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
    const key = keyOf(frame.fromRank, frame.tag);
    const sink = this.#sinks.get(key);
    if (sink !== undefined && frame.totalBytes === sink.into.byteLength) {
      this.#onSinkFrame(sink, key, frame);
      return;
    }
    let partial = this.#partials.get(key);
    if (partial === undefined) {
      if (frame.totalBytes % 4 !== 0) {
        this.#mailbox.failPeer(frame.fromRank, malformed(frame, `total_bytes ${frame.totalBytes} is not a multiple of 4`));
        return;
      }
      const { data } = frame;
      if (frame.offset === 0 && data.length === frame.totalBytes && data.byteOffset % 4 === 0) {
        // A whole message in one frame, aligned by the codec: view gRPC's (per-message, never reused) buffer as is.
        this.#mailbox.deliver(frame.fromRank, frame.tag, new Float32Array(data.buffer, data.byteOffset, data.length / 4));
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

  #onSinkFrame(sink: Sink, key: string, frame: ChunkFrame__Output): void {
    const { data } = frame;
    if (frame.offset !== sink.received || frame.offset + data.length > sink.into.byteLength || data.length % 4 !== 0) {
      this.#sinks.delete(key);
      this.#mailbox.failPeer(frame.fromRank, malformed(frame, `frame at ${frame.offset} after ${sink.received} bytes`));
      return;
    }
    // The codec aligns the payload; a peer with another encoder may not, and then one copy aligns it.
    const values =
      data.byteOffset % 4 === 0
        ? new Float32Array(data.buffer, data.byteOffset, data.length / 4)
        : new Float32Array(new Uint8Array(data).buffer);
    applyValues(sink, frame.offset / 4, values);
    sink.received += data.length;
    if (sink.received === sink.into.byteLength) {
      this.#sinks.delete(key);
      this.#mailbox.deliver(frame.fromRank, frame.tag, sink.into);
    }
  }

  #onStreamClosed(fromRank: number | undefined, error: Error | undefined): void {
    if (this.#closed || fromRank === undefined) return;
    // A clean end means the sender closed its transport: nothing more will come from it, so waits on it must fail.
    this.#mailbox.failPeer(fromRank, collectiveFailure({ kind: 'PeerLost', rank: fromRank, cause: error }));
    for (const key of this.#partials.keys()) if (key.startsWith(`${fromRank}\u0000`)) this.#partials.delete(key);
    for (const key of this.#sinks.keys()) if (key.startsWith(`${fromRank}\u0000`)) this.#sinks.delete(key);
  }
}

function keyOf(fromRank: number, tag: string): string {
  return `${fromRank}\u0000${tag}`;
}

/** Adds or copies `values` into the sink at element `at`. */
function applyValues(sink: Sink, at: number, values: Float32Array): void {
  if (sink.mode === 'set') sink.into.set(values, at);
  else addAt(sink.into, at, values);
}

// A plain function, so V8 optimises the loop on its own.
function addAt(into: Float32Array, at: number, values: Float32Array): void {
  const target = into.subarray(at, at + values.length);
  for (let i = 0; i < values.length; i++) target[i] = (target[i] as number) + (values[i] as number);
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
    const { Client } = peerService();
    this.#client = new Client(address, grpc.credentials.createInsecure(), options.channelOptions);
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
      // Ended without an error: the peer left the ring cleanly, having done its part (one that gives up closes with a
      // reason, which fails the stream). What it sent us may still be arriving on its own stream, whose end fails the
      // waits on it; so only sends to it fail from now on, and nothing else that is pending or received.
      else if (!this.#ending) this.#fail(collectiveFailure({ kind: 'PeerLost', rank: toRank }), () => undefined);
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
