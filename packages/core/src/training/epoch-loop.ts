import { StepLosses } from './step-losses.ts';

/** What a trainer's `run` reports for each step, once its loss is read. */
export interface LoopStepProgress {
  /** Steps completed, 1..totalSteps. */
  readonly step: number;
  readonly totalSteps: number;
  /** 1-based epoch the step belongs to. */
  readonly epoch: number;
  /** Mean loss over the step's GLOBAL batch (in training mode). */
  readonly loss: number;
}

/** What a trainer's `run` reports at each epoch's end: `metrics` empty between evaluations. */
export interface LoopEpochProgress<M> {
  /** Epochs completed, 1..epochs. */
  readonly epoch: number;
  readonly step: number;
  readonly metrics: readonly M[];
}

export interface EpochLoopHooks<M, P extends LoopEpochProgress<M>> {
  onStep?: ((progress: LoopStepProgress) => void | Promise<void>) | undefined;
  /** Awaited before the next step: the place to write a checkpoint. */
  onEpoch?: ((progress: P) => void | Promise<void>) | undefined;
  /** Checked before every step, as `signal` is. All ranks must stop at the same step, or peers wait in the all-reduce. */
  shouldStop?: (() => boolean) | undefined;
  signal?: AbortSignal | undefined;
}

export interface EpochLoopResult<M> {
  readonly status: 'completed' | 'stopped';
  readonly step: number;
  readonly epoch: number;
  /** Metrics of the last evaluation, if any. */
  readonly metrics: readonly M[];
}

/** The trainer as the loop drives it. */
export interface EpochLoop<M, P extends LoopEpochProgress<M>> {
  readonly totalSteps: number;
  readonly stepsPerEpoch: number;
  /** Evaluate after every this many epochs, and after the last step. */
  readonly metricsEveryEpochs: number;
  /** Steps completed so far. */
  step(): number;
  /** Queues one step of every rank's global batch; its loss may still be on the device (see StepLosses). */
  queueStep(): Promise<{ loss: number | Promise<number> }>;
  /**
   * The end of an epoch, on every rank: collective end-of-epoch work, then the evaluation when `due`, as the
   * progress `onEpoch` gets. `epochLoss` is the mean of the epoch's step losses.
   */
  endEpoch(end: { epoch: number; step: number; epochLoss: number; due: boolean }): Promise<P>;
}

/**
 * The step loop every data-parallel trainer runs: steps until the last (or a stop before a step), step losses read
 * through a window so a device-resident loss does not stall the queue, and at each epoch's end the trainer's
 * `endEpoch` with whether metrics are due. The metrics of the last due evaluation come back in the result.
 */
export async function runEpochs<M, P extends LoopEpochProgress<M>>(loop: EpochLoop<M, P>, hooks: EpochLoopHooks<M, P>): Promise<EpochLoopResult<M>> {
  const { totalSteps, stepsPerEpoch } = loop;
  const epochOf = (step: number) => Math.floor(step / stepsPerEpoch);
  let metrics: readonly M[] = [];
  const losses = new StepLosses();
  while (loop.step() < totalSteps) {
    if (hooks.shouldStop?.() === true || hooks.signal?.aborted === true) {
      return { status: 'stopped', step: loop.step(), epoch: epochOf(loop.step()), metrics };
    }
    const epoch = epochOf(loop.step()) + 1;
    const { loss } = await loop.queueStep();
    const step = loop.step();
    losses.push({ step, epoch, loss });
    const epochEnd = step % stepsPerEpoch === 0;
    for (const read of await losses.take(epochEnd)) await hooks.onStep?.({ ...read, totalSteps });
    if (epochEnd) {
      const due = epoch % loop.metricsEveryEpochs === 0 || step === totalSteps;
      const progress = await loop.endEpoch({ epoch, step, epochLoss: losses.meanSinceLast(), due });
      if (due) metrics = progress.metrics;
      await hooks.onEpoch?.(progress);
    }
  }
  return { status: 'completed', step: loop.step(), epoch: epochOf(loop.step()), metrics };
}

/** Throws unless `rank` is a valid index into a world of `worldSize` ranks. */
export function checkRank(rank: number, worldSize: number): void {
  if (!Number.isInteger(worldSize) || worldSize < 1 || !Number.isInteger(rank) || rank < 0 || rank >= worldSize) {
    throw new RangeError(`invalid rank ${rank} of world size ${worldSize}`);
  }
}

/**
 * How a global batch splits over ranks that each hold their own items (image and segmentation jobs): rank r takes
 * `local[r]` of the `batchSize` items a step from its own epoch order, and an epoch lasts until the rank with the
 * most steps' worth of items is through. Every rank computes the same plan from the same counts.
 */
export class RankBatches {
  /** Items each rank takes per step at most. */
  readonly local: readonly number[];
  readonly stepsPerEpoch: number;
  private readonly counts: readonly number[];

  /** `counts[r]`: the items rank r trains on per epoch. */
  constructor(counts: readonly number[], batchSize: number) {
    const worldSize = counts.length;
    if (batchSize < worldSize) throw new RangeError(`training.batchSize ${batchSize} is smaller than the ${worldSize} workers`);
    this.counts = counts;
    this.local = counts.map((_, r) => Math.floor(((r + 1) * batchSize) / worldSize) - Math.floor((r * batchSize) / worldSize));
    this.stepsPerEpoch = Math.max(1, ...counts.map((n, r) => Math.ceil(n / (this.local[r] ?? 1))));
  }

  /** Items each rank trains on at step t of an epoch (fewer, or none, once its items run out). */
  sizesAt(t: number): number[] {
    return this.counts.map((n, r) => {
      const b = this.local[r] ?? 0;
      return Math.max(0, Math.min(b, n - t * b));
    });
  }
}
