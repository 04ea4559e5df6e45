import { collectiveFailure, isCollectiveFailure } from './peer-transport.ts';
import type { CollectiveFailure, PeerTransport } from './peer-transport.ts';

export interface RingAllReduceOptions {
  /** Names this collective call; must be unique among calls in flight on the transport and equal on every rank. */
  tag: string;
  /** `mean` divides the sum by the ring size (data-parallel gradient averaging). Default `sum`. */
  op?: 'sum' | 'mean';
  /** Longest wait for one ring step (its send and its receive) before rejecting with `CollectiveTimeout`. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /**
   * Values per pipeline slice. Longer vectors are cut into slices that run their own ring concurrently, so one
   * slice's additions overlap another's transfer and no message exceeds `sliceElements / n` values.
   */
  sliceElements?: number;
  /** How many slices run at once; bounds the memory held by messages received ahead of use. */
  slicesInFlight?: number;
}

export const RING_ALL_REDUCE_DEFAULTS = {
  timeoutMs: 60_000,
  sliceElements: 4 * 1024 * 1024,
  slicesInFlight: 2,
} as const;

/**
 * Sums (or averages) `data` across every rank of the transport's ring, in place, and returns `data`. Every rank must
 * call it with the same `tag`, length and options.
 *
 * Classic bandwidth-optimal ring: the vector is cut into n near-equal segments; n-1 reduce-scatter steps leave each
 * rank with one fully reduced segment, n-1 all-gather steps circulate those. Each rank sends only to rank+1 and
 * receives only from rank-1, 2(n-1) messages per slice, and moves 2(n-1)/n of the vector each way whatever n is.
 * Segment k is accumulated along the ring starting at rank k, so float32 results are bit-identical on every rank
 * and from run to run for a given n.
 *
 * Rejects with a `CollectiveFailure`: `CollectiveTimeout` when a step makes no progress for `timeoutMs`,
 * `CollectiveAborted` on `signal`, or the transport's `PeerLost` / `StaleGeneration`. After a rejection `data` holds
 * partial sums and the ring must be re-formed.
 */
export async function ringAllReduce(
  transport: PeerTransport,
  data: Float32Array,
  options: RingAllReduceOptions,
): Promise<Float32Array> {
  const n = transport.worldSize;
  const sliceElements = options.sliceElements ?? RING_ALL_REDUCE_DEFAULTS.sliceElements;
  const slicesInFlight = options.slicesInFlight ?? RING_ALL_REDUCE_DEFAULTS.slicesInFlight;
  if (!Number.isInteger(sliceElements) || sliceElements < 1) {
    throw new RangeError(`sliceElements must be a positive integer, got ${sliceElements}`);
  }
  if (!Number.isInteger(slicesInFlight) || slicesInFlight < 1) {
    throw new RangeError(`slicesInFlight must be a positive integer, got ${slicesInFlight}`);
  }
  if (options.signal?.aborted === true) {
    throw collectiveFailure({ kind: 'CollectiveAborted', tag: options.tag, cause: options.signal.reason });
  }
  // Every rank sees the same length, so skipping the ring for n = 1 or an empty vector is consistent across ranks.
  if (n === 1 || data.length === 0) return data;

  const controller = new AbortController();
  const onOuterAbort = (): void => controller.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', onOuterAbort, { once: true });
  const ring: Ring = {
    transport,
    n,
    right: (transport.rank + 1) % n,
    left: (transport.rank - 1 + n) % n,
    mean: options.op === 'mean',
    timeoutMs: options.timeoutMs ?? RING_ALL_REDUCE_DEFAULTS.timeoutMs,
    signal: controller.signal,
  };
  const slices = Math.ceil(data.length / sliceElements);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < slices) {
      const slice = next++;
      const start = slice * sliceElements;
      const view = data.subarray(start, Math.min(data.length, start + sliceElements));
      await reduceSlice(ring, view, slices === 1 ? options.tag : `${options.tag}/${slice}`);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(slicesInFlight, slices) }, lane));
    await confirmDelivery(ring, options.tag);
    return data;
  } catch (error) {
    controller.abort(error);
    throw isCollectiveFailure(error) ? error : collectiveFailure({ kind: 'CollectiveAborted', tag: options.tag, cause: error });
  } finally {
    options.signal?.removeEventListener('abort', onOuterAbort);
  }
}

interface Ring {
  readonly transport: PeerTransport;
  readonly n: number;
  readonly right: number;
  readonly left: number;
  readonly mean: boolean;
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
}

async function reduceSlice(ring: Ring, view: Float32Array, tag: string): Promise<void> {
  const { n } = ring;
  const rank = ring.transport.rank;
  const segment = (index: number): Float32Array => {
    const k = ((index % n) + n) % n;
    return view.subarray(Math.floor((k * view.length) / n), Math.floor(((k + 1) * view.length) / n));
  };

  for (let step = 0; step < n - 1; step++) {
    await exchange(ring, `${tag}/rs${step}`, segment(rank - step), segment(rank - step - 1), 'add');
  }
  if (ring.mean) divideBy(segment(rank + 1), n);
  for (let step = 0; step < n - 1; step++) {
    await exchange(ring, `${tag}/ag${step}`, segment(rank + 1 - step), segment(rank - step), 'set');
  }
}

// Plain functions, so V8 optimises the hot loops on their own rather than inside the async step function.
function addInto(target: Float32Array, incoming: Float32Array): void {
  for (let i = 0; i < target.length; i++) target[i] = (target[i] as number) + (incoming[i] as number);
}

function divideBy(values: Float32Array, n: number): void {
  for (let i = 0; i < values.length; i++) values[i] = (values[i] as number) / n;
}

/**
 * One ring step: send `outgoing` to the right neighbour while receiving from the left into `target` (added to it or
 * copied over it), bounded by the step timeout. Uses the transport's fused `recvInto` when it has one.
 */
async function exchange(
  ring: Ring,
  tag: string,
  outgoing: Float32Array,
  target: Float32Array,
  mode: 'add' | 'set',
): Promise<void> {
  if (ring.signal.aborted) throw abortedBy(ring.signal, tag);
  const { transport } = ring;
  const receive =
    transport.recvInto !== undefined
      ? transport.recvInto(ring.left, tag, target, mode, { signal: ring.signal })
      : transport.recv(ring.left, tag, { signal: ring.signal }).then((incoming) => {
          if (incoming.length !== target.length) {
            throw collectiveFailure({ kind: 'ChunkSizeMismatch', fromRank: ring.left, tag, expected: target.length, received: incoming.length });
          }
          if (mode === 'add') addInto(target, incoming);
          else target.set(incoming);
        });
  await bounded(ring, tag, Promise.all([transport.send(ring.right, tag, outgoing), receive]));
}

/**
 * Waits until the right neighbour holds everything this rank sent it. When a rank's own receives complete, its last
 * frames may still sit in its send buffers (HTTP/2 flow control releases them only as the neighbour reads and the
 * sender's event loop turns); a rank that then starts a long synchronous step (a training step holds the event loop
 * for seconds) would hold them, and its neighbour, until the step ends: measured at 1.5 s per step on 2 workers.
 * So each rank tells its left neighbour it has received everything and waits for the same word from its right one:
 * one one-value message each way.
 */
async function confirmDelivery(ring: Ring, tag: string): Promise<void> {
  const { transport } = ring;
  const delivered = `${tag}/delivered`;
  await bounded(ring, delivered, Promise.all([transport.send(ring.left, delivered, new Float32Array(1)), transport.recv(ring.right, delivered, { signal: ring.signal })]));
}

/** `step`, or a `CollectiveTimeout` after the ring's step timeout. */
async function bounded(ring: Ring, tag: string, step: Promise<unknown>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(collectiveFailure({ kind: 'CollectiveTimeout', rank: ring.transport.rank, tag, timeoutMs: ring.timeoutMs }));
    }, ring.timeoutMs);
  });
  try {
    await Promise.race([step, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function abortedBy(signal: AbortSignal, tag: string): CollectiveFailure {
  const reason: unknown = signal.reason;
  return isCollectiveFailure(reason) ? reason : collectiveFailure({ kind: 'CollectiveAborted', tag, cause: reason });
}
