import { collectiveFailure } from './peer-transport.ts';
import type { CollectiveFailure } from './peer-transport.ts';

interface Waiter {
  resolve: (data: Float32Array) => void;
  reject: (error: unknown) => void;
  dispose: () => void;
}

/**
 * The receiving half every `PeerTransport` needs: logical messages keyed by (fromRank, tag) that may arrive before
 * or after the matching `take`. Holds each message until taken, so memory grows only with messages sent ahead of
 * the collective that wants them (at most one ring step per pipeline slice for ring all-reduce).
 */
export class Mailbox {
  readonly #arrived = new Map<string, Float32Array>();
  readonly #waiting = new Map<string, Waiter>();
  readonly #failedPeers = new Map<number, CollectiveFailure>();
  #failure: CollectiveFailure | undefined;

  /** Hands a complete message to its waiter, or keeps it until someone takes it. */
  deliver(fromRank: number, tag: string, data: Float32Array): void {
    const key = keyOf(fromRank, tag);
    const waiter = this.#waiting.get(key);
    if (waiter !== undefined) {
      this.#waiting.delete(key);
      waiter.dispose();
      waiter.resolve(data);
      return;
    }
    this.#arrived.set(key, data);
  }

  /** Waits for the message; a message already here wins over a later peer failure. */
  take(fromRank: number, tag: string, signal?: AbortSignal): Promise<Float32Array> {
    const key = keyOf(fromRank, tag);
    const ready = this.#arrived.get(key);
    if (ready !== undefined) {
      this.#arrived.delete(key);
      return Promise.resolve(ready);
    }
    const failure = this.#failure ?? this.#failedPeers.get(fromRank);
    if (failure !== undefined) return Promise.reject(failure);
    if (signal?.aborted === true) return Promise.reject(aborted(tag, signal));
    if (this.#waiting.has(key)) {
      return Promise.reject(new Error(`recv("${tag}") from rank ${fromRank} is already waiting: tags must be unique`));
    }
    return new Promise<Float32Array>((resolve, reject) => {
      const onAbort = (): void => {
        this.#waiting.delete(key);
        reject(aborted(tag, signal));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiting.set(key, { resolve, reject, dispose: () => signal?.removeEventListener('abort', onAbort) });
    });
  }

  /** Rejects current and future takes from one rank (its stream broke). */
  failPeer(rank: number, failure: CollectiveFailure): void {
    if (!this.#failedPeers.has(rank)) this.#failedPeers.set(rank, failure);
    for (const [key, waiter] of this.#waiting) {
      if (rankOfKey(key) !== rank) continue;
      this.#waiting.delete(key);
      waiter.dispose();
      waiter.reject(failure);
    }
  }

  /** Rejects every current and future take and drops buffered messages (transport closed or failed). */
  failAll(failure: CollectiveFailure): void {
    this.#failure ??= failure;
    this.#arrived.clear();
    for (const waiter of this.#waiting.values()) {
      waiter.dispose();
      waiter.reject(this.#failure);
    }
    this.#waiting.clear();
  }

  /** Number of messages received but not yet taken (for tests and diagnostics). */
  get buffered(): number {
    return this.#arrived.size;
  }
}

function keyOf(rank: number, tag: string): string {
  return `${rank}\u0000${tag}`;
}

function rankOfKey(key: string): number {
  return Number(key.slice(0, key.indexOf('\u0000')));
}

function aborted(tag: string, signal: AbortSignal | undefined): CollectiveFailure {
  return collectiveFailure({ kind: 'CollectiveAborted', tag, cause: signal?.reason });
}
