import { Mailbox } from './mailbox.ts';
import { collectiveFailure } from './peer-transport.ts';
import type { PeerTransport } from './peer-transport.ts';

/** One `send` as the in-process ring saw it, so tests can check a collective's message topology. */
export interface SendRecord {
  readonly from: number;
  readonly to: number;
  readonly tag: string;
  readonly length: number;
}

/**
 * An in-process `PeerTransport`: the fake that unit tests run collectives over. Messages are copied on send (as the
 * wire would), delivered on a microtask, and logged in `sends`. Closing one transport acts like that peer dying:
 * the others' waits on it reject with `PeerLost`.
 */
export class MemoryPeerTransport implements PeerTransport {
  readonly sends: SendRecord[] = [];
  readonly #mailbox = new Mailbox();
  #peers: readonly MemoryPeerTransport[] = [];
  #closed = false;

  constructor(
    readonly rank: number,
    readonly worldSize: number,
    private readonly log: SendRecord[],
  ) {}

  /** Wires the ring; called once by `createMemoryRing`. */
  connect(peers: readonly MemoryPeerTransport[]): void {
    this.#peers = peers;
  }

  send(toRank: number, tag: string, data: Float32Array): Promise<void> {
    if (this.#closed) return Promise.reject(collectiveFailure({ kind: 'TransportClosed', rank: this.rank }));
    const peer = this.#peers[toRank];
    if (peer === undefined) return Promise.reject(new RangeError(`no rank ${toRank} in a ring of ${this.worldSize}`));
    if (peer.#closed) return Promise.reject(collectiveFailure({ kind: 'PeerLost', rank: toRank }));
    const record = { from: this.rank, to: toRank, tag, length: data.length };
    this.sends.push(record);
    this.log.push(record);
    const copy = data.slice();
    queueMicrotask(() => {
      if (!peer.#closed) peer.#mailbox.deliver(this.rank, tag, copy);
    });
    return Promise.resolve();
  }

  recv(fromRank: number, tag: string, options?: { signal?: AbortSignal }): Promise<Float32Array> {
    return this.#mailbox.take(fromRank, tag, options?.signal);
  }

  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    this.#mailbox.failAll(collectiveFailure({ kind: 'TransportClosed', rank: this.rank }));
    for (const peer of this.#peers) {
      if (peer !== this) peer.#mailbox.failPeer(this.rank, collectiveFailure({ kind: 'PeerLost', rank: this.rank }));
    }
    return Promise.resolve();
  }
}

/** An in-process ring of `n` transports plus the shared log of every send, in order. */
export interface MemoryRing {
  readonly transports: readonly MemoryPeerTransport[];
  readonly sends: readonly SendRecord[];
}

/** Creates `n` connected in-process peers (ranks 0..n-1). Cost: one copy of every message sent. */
export function createMemoryRing(n: number): MemoryRing {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`ring size must be a positive integer, got ${n}`);
  const sends: SendRecord[] = [];
  const transports = Array.from({ length: n }, (_, rank) => new MemoryPeerTransport(rank, n, sends));
  for (const transport of transports) transport.connect(transports);
  return { transports, sends };
}
