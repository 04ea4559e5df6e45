import type { AllReduceSum } from './data-parallel-trainer.ts';

/**
 * `worldSize` all-reduce functions over shared memory: a barrier that waits for every rank's buffer, sums them in
 * rank order and hands each rank its own copy. The stand-in for the ring all-reduce when replicas share a process
 * (unit tests, single-machine debugging); it checks that every rank sends a buffer of the same length.
 */
export function createInProcessAllReduce(worldSize: number): AllReduceSum[] {
  if (!Number.isInteger(worldSize) || worldSize < 1) {
    throw new RangeError(`world size must be a positive integer, got ${worldSize}`);
  }
  let pending: Array<Float32Array | undefined> = new Array<Float32Array | undefined>(worldSize);
  let waiters: Array<{ resolve: (sum: Float32Array) => void; reject: (error: Error) => void }> = [];
  let arrived = 0;

  return Array.from({ length: worldSize }, (_, rank): AllReduceSum => (flat) =>
    new Promise<Float32Array>((resolve, reject) => {
      if (pending[rank] !== undefined) {
        reject(new Error(`rank ${rank} entered the all-reduce twice in one round`));
        return;
      }
      pending[rank] = flat;
      waiters.push({ resolve, reject });
      arrived += 1;
      if (arrived < worldSize) {
        return;
      }
      const buffers = pending;
      const round = waiters;
      pending = new Array<Float32Array | undefined>(worldSize);
      waiters = [];
      arrived = 0;
      const length = buffers[0]?.length ?? 0;
      if (buffers.some((b) => b?.length !== length)) {
        const lengths = buffers.map((b) => b?.length).join(', ');
        round.forEach((w) => w.reject(new Error(`all-reduce buffers differ in length: ${lengths}`)));
        return;
      }
      const sum = new Float32Array(length);
      for (const buffer of buffers) {
        for (let i = 0; i < length; i += 1) {
          sum[i] = (sum[i] ?? 0) + (buffer?.[i] ?? 0);
        }
      }
      round.forEach((w) => w.resolve(sum.slice()));
    }),
  );
}
