import { createHash, timingSafeEqual } from 'node:crypto';
import type { Http2Server, ServerHttp2Session } from 'node:http2';
import * as grpc from '@grpc/grpc-js';
import type { ChunkFrame__Output } from '@tessera/proto/generated/tessera/peers/v1/ChunkFrame';
import type { ExchangeAck } from '@tessera/proto/generated/tessera/peers/v1/ExchangeAck';
import type { PeerServiceHandlers } from '@tessera/proto/generated/tessera/peers/v1/PeerService';
import { toServiceError } from './peer-errors.ts';
import type { PeerServerError } from './peer-errors.ts';
import { peerService } from './peer-service.ts';

/**
 * What a ring transport registers with the server to receive its frames. The server checks job and generation
 * before calling it, so a binding only ever sees frames of its own ring.
 */
export interface PeerBinding {
  readonly jobId: string;
  readonly generation: number;
  /** One frame, in the order the sender wrote it. `frame.data` is a view into gRPC's receive buffer. */
  onFrame(frame: ChunkFrame__Output): void;
  /** A sender's stream ended: `error` is undefined when it closed cleanly. `fromRank` is unknown if no frame came. */
  onStreamClosed(fromRank: number | undefined, error: Error | undefined): void;
}

export interface PeerServerOptions {
  readonly joinToken: string;
  /** Listen address; port 0 picks a free port (read it back from `port`). Default 0.0.0.0:0. */
  readonly host?: string;
  readonly port?: number;
  /**
   * How long a stream whose frames are for a ring not bound yet (this worker has not processed its assignment)
   * waits for `bind` before failing with UNAVAILABLE.
   */
  readonly bindWaitMs?: number;
  readonly channelOptions?: grpc.ChannelOptions;
  /** HTTP/2 receive window per connection and per stream. Default 16 MiB; 0 keeps Node's 64 KiB. */
  readonly receiveWindowBytes?: number;
}

/**
 * 16 MiB instead of HTTP/2's 64 KiB default: with 64 KiB in flight a sender stalls on every window update the
 * receiving event loop is slow to send. Measured in bench/collective (n=2, loopback, 2 cores): 16 MiB all-reduce
 * 112-124 ms with 64 KiB, 70-73 ms with 16 MiB.
 */
export const DEFAULT_RECEIVE_WINDOW_BYTES = 16 * 1024 * 1024;

interface InboundStream {
  readonly call: grpc.ServerReadableStream<ChunkFrame__Output, ExchangeAck>;
  readonly callback: grpc.sendUnaryData<ExchangeAck>;
  binding: PeerBinding | undefined;
  fromRank: number | undefined;
  frames: number;
  /** Frames held while waiting for the ring they belong to be bound. */
  held: ChunkFrame__Output[];
  waitTimer: NodeJS.Timeout | undefined;
  done: boolean;
}

/**
 * The long-lived gRPC server of one worker process for `tessera.peers.v1.PeerService`. It outlives jobs: each job's
 * transport `bind`s its ring (job id + generation) and `unbind`s it when done, so one worker serves jobs one after
 * another on the same port. Frames for another job or an older generation fail their stream with
 * FAILED_PRECONDITION; frames for a ring not bound yet wait up to `bindWaitMs` for it.
 */
export class PeerServer {
  readonly #server: grpc.Server;
  readonly #tokenDigest: Buffer;
  readonly #bindWaitMs: number;
  readonly #streams = new Set<InboundStream>();
  #binding: PeerBinding | undefined;

  private constructor(server: grpc.Server, options: PeerServerOptions, readonly port: number) {
    this.#server = server;
    this.#tokenDigest = digest(options.joinToken);
    this.#bindWaitMs = options.bindWaitMs ?? 30_000;
  }

  /** Starts listening; resolves once the port is bound. */
  static async start(options: PeerServerOptions): Promise<PeerServer> {
    const server = new grpc.Server(options.channelOptions);
    const address = `${options.host ?? '0.0.0.0'}:${options.port ?? 0}`;
    const port = await new Promise<number>((resolve, reject) => {
      server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (error, bound) =>
        error === null ? resolve(bound) : reject(new Error(`peer server cannot listen on ${address}`, { cause: error })),
      );
    });
    widenReceiveWindow(server, options.receiveWindowBytes ?? DEFAULT_RECEIVE_WINDOW_BYTES);
    const peerServer = new PeerServer(server, options, port);
    const handlers: PeerServiceHandlers = { Exchange: (call, callback) => peerServer.#exchange(call, callback) };
    server.addService(peerService().definition, handlers);
    return peerServer;
  }

  /** The ring currently receiving frames, if any. */
  get binding(): PeerBinding | undefined {
    return this.#binding;
  }

  /** Makes `binding` the ring this worker serves; streams of a previous ring fail with FAILED_PRECONDITION. */
  bind(binding: PeerBinding): void {
    const previous = this.#binding;
    this.#binding = binding;
    if (previous !== undefined && previous !== binding) {
      this.#endStreamsOf(previous, { kind: 'Superseded', jobId: previous.jobId, generation: previous.generation });
    }
    for (const stream of this.#streams) {
      if (stream.binding === undefined && stream.held.length > 0) this.#route(stream);
    }
  }

  /**
   * Detaches `binding` if it is still current. Its open streams end cleanly (OK) when `reason` is undefined, the
   * normal end of a job, or fail with UNAVAILABLE so senders learn at once that this rank left a failed ring.
   */
  unbind(binding: PeerBinding, reason?: unknown): void {
    if (this.#binding !== binding) return;
    this.#binding = undefined;
    this.#endStreamsOf(
      binding,
      reason === undefined ? undefined : { kind: 'Unbound', jobId: binding.jobId, generation: binding.generation },
    );
  }

  /** Stops accepting calls, fails open streams and waits for the server to shut down. */
  async close(): Promise<void> {
    this.#binding = undefined;
    for (const stream of this.#streams) this.#finish(stream, { kind: 'Unbound', jobId: '', generation: 0 });
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.#server.forceShutdown();
        resolve();
      }, 2_000);
      this.#server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  #exchange(
    call: grpc.ServerReadableStream<ChunkFrame__Output, ExchangeAck>,
    callback: grpc.sendUnaryData<ExchangeAck>,
  ): void {
    if (!this.#authorized(call.metadata)) {
      callback(toServiceError({ kind: 'Unauthenticated' }));
      return;
    }
    const stream: InboundStream = {
      call,
      callback,
      binding: undefined,
      fromRank: undefined,
      frames: 0,
      held: [],
      waitTimer: undefined,
      done: false,
    };
    this.#streams.add(stream);
    call.on('data', (frame: ChunkFrame__Output) => this.#onFrame(stream, frame));
    call.on('end', () => this.#finish(stream, undefined));
    call.on('error', (error: Error) => this.#lost(stream, error));
    call.on('cancelled', () => this.#lost(stream, new Error('sender cancelled the stream')));
  }

  #authorized(metadata: grpc.Metadata): boolean {
    const header = metadata.get('authorization')[0];
    if (typeof header !== 'string' || !header.startsWith('Bearer ')) return false;
    return timingSafeEqual(digest(header.slice('Bearer '.length)), this.#tokenDigest);
  }

  #onFrame(stream: InboundStream, frame: ChunkFrame__Output): void {
    if (stream.done) return;
    stream.frames++;
    if (stream.fromRank !== undefined && frame.fromRank !== stream.fromRank) {
      this.#finish(stream, { kind: 'MalformedFrame', reason: `stream of rank ${stream.fromRank} carried rank ${frame.fromRank}` });
      return;
    }
    stream.fromRank = frame.fromRank;
    const binding = stream.binding;
    if (binding === undefined) {
      stream.held.push(frame);
      if (stream.held.length === 1) this.#route(stream);
      return;
    }
    if (frame.jobId !== binding.jobId || frame.generation !== binding.generation) {
      this.#finish(stream, { kind: 'MalformedFrame', reason: 'job or generation changed within one stream' });
      return;
    }
    binding.onFrame(frame);
  }

  /** Attaches a stream to the bound ring, rejects it as stale, or holds it until its ring is bound. */
  #route(stream: InboundStream): void {
    const first = stream.held[0];
    if (first === undefined) return;
    const current = this.#binding;
    if (current !== undefined && first.jobId !== current.jobId) {
      this.#finish(stream, { kind: 'WrongJob', jobId: first.jobId, boundJobId: current.jobId });
      return;
    }
    if (current !== undefined && first.generation < current.generation) {
      this.#finish(stream, {
        kind: 'StaleGeneration',
        jobId: first.jobId,
        generation: first.generation,
        boundGeneration: current.generation,
      });
      return;
    }
    if (current === undefined || first.generation > current.generation) {
      if (stream.waitTimer === undefined) {
        stream.call.pause();
        stream.waitTimer = setTimeout(() => {
          this.#finish(stream, { kind: 'NotBound', jobId: first.jobId, generation: first.generation, waitedMs: this.#bindWaitMs });
        }, this.#bindWaitMs);
      }
      return;
    }
    clearTimeout(stream.waitTimer);
    stream.waitTimer = undefined;
    stream.binding = current;
    const held = stream.held;
    stream.held = [];
    for (const frame of held) {
      if (stream.done) return;
      current.onFrame(frame);
    }
    stream.call.resume();
  }

  #endStreamsOf(binding: PeerBinding, error: PeerServerError | undefined): void {
    for (const stream of this.#streams) if (stream.binding === binding) this.#finish(stream, error);
  }

  /** Ends a stream: OK with the frame count, or the error's status. Tells its binding either way. */
  #finish(stream: InboundStream, error: PeerServerError | undefined): void {
    if (stream.done) return;
    stream.done = true;
    clearTimeout(stream.waitTimer);
    this.#streams.delete(stream);
    stream.held = [];
    if (error === undefined) stream.callback(null, { frames: stream.frames });
    else stream.callback(toServiceError(error));
    stream.binding?.onStreamClosed(stream.fromRank, error === undefined ? undefined : new Error(error.kind));
  }

  #lost(stream: InboundStream, error: Error): void {
    if (stream.done) return;
    stream.done = true;
    clearTimeout(stream.waitTimer);
    this.#streams.delete(stream);
    stream.binding?.onStreamClosed(stream.fromRank, error);
  }
}

/**
 * grpc-js has a client option for the HTTP/2 window (`grpc-node.flow_control_window`) but none for servers, and peer
 * traffic flows client to server. So this reaches the Node http2 servers grpc-js created: a private field, used only
 * if present, so a grpc-js upgrade that renames it costs throughput, never correctness.
 */
function widenReceiveWindow(server: grpc.Server, bytes: number): void {
  if (bytes <= 0) return;
  const http2Servers: unknown = Reflect.get(server, 'http2Servers');
  if (!(http2Servers instanceof Map)) return;
  for (const http2Server of http2Servers.keys() as IterableIterator<Http2Server>) {
    http2Server.updateSettings({ initialWindowSize: Math.min(bytes, 2 ** 31 - 1) });
    http2Server.on('session', (session: ServerHttp2Session) => session.setLocalWindowSize(bytes));
  }
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}
