import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { SegmentationSample, VolumeShape } from '../data/segmentation-shard-format.ts';
import type { SegmentationSpec } from '../jobs/job-spec.ts';
import { SeededRandom } from '../random/seeded-random.ts';
import { averageBatchNormStatistics } from './batch-norm-statistics.ts';
import { learningRateAt } from './learning-rate-schedule.ts';
import { assembleBatch, epochItems, prepareCases } from './segmentation-batches.ts';
import type { PreparedCase, TrainingItem } from './segmentation-batches.ts';
import { scoreCases, segmentationLossSum } from './segmentation-evaluation.ts';
import { checkRank, RankBatches, runEpochs } from './epoch-loop.ts';
import type { EpochLoopHooks, EpochLoopResult, LoopEpochProgress } from './epoch-loop.ts';
import { SynchronousUpdate } from './synchronous-update.ts';
import type { AllReduceSum, FirstGradientsHook } from './synchronous-update.ts';
import { captureModel, restoreModelWeights } from './training-state.ts';
import type { TrainingState } from './training-state.ts';

export interface SegmentationMetricValue {
  readonly split: 'train' | 'valid';
  readonly name: 'loss' | 'dice' | 'iou';
  readonly value: number;
}

/** An epoch's end as `run` reports it (`phaseEnd` always false: segmentation jobs train in one phase). */
export interface SegmentationEpochProgress extends LoopEpochProgress<SegmentationMetricValue> {
  readonly phaseEnd: boolean;
}

export type SegmentationRunHooks = EpochLoopHooks<SegmentationMetricValue, SegmentationEpochProgress>;

export type SegmentationRunResult = EpochLoopResult<SegmentationMetricValue>;

export interface SegmentationDataParallelTrainerOptions {
  readonly spec: SegmentationSpec;
  /** A U-Net built by `buildModel(spec.model, { seed, classCount })`, so all ranks start identical. Not owned. */
  readonly model: tfl.LayersModel;
  /** The data set's class names (index 0 background): the checkpoint's label mapping. */
  readonly classNames: readonly string[];
  /** This rank's share of the train cases (slices or volumes). */
  readonly train: readonly SegmentationSample[];
  /** This rank's share of the valid cases; every rank scores its share and the sums are all-reduced. */
  readonly valid: readonly SegmentationSample[];
  /** Train cases held by each rank (`rankRange` over the manifest's train count), the same list on every rank. */
  readonly trainCounts: readonly number[];
  readonly rank: number;
  readonly worldSize: number;
  readonly allReduceSum: AllReduceSum;
  /** Runs once before the first step (see FirstGradientsHook): e.g. the webgpu kernel choice. */
  readonly onFirstGradients?: FirstGradientsHook | undefined;
}

/**
 * Synchronous data-parallel training of a U-Net on rank-local segmentation samples, as the image trainer does for
 * classification: global batch t of an epoch is the t-th local batch of every rank concatenated; rank r takes its
 * share b_r of `training.batchSize` items from its epoch's items (2D: its slices, shuffled by (seed, epoch, rank);
 * 3D: `patches.perVolume` patches drawn from each of its volumes, placed and shuffled by (seed, epoch, rank)). Item
 * counts per rank follow from `trainCounts` (x perVolume in 3D), so every rank knows the actual global batch and
 * divides its per-image loss SUM by it: the all-reduced gradient is that of one worker on the same batch. The
 * forward pass is the graph's own `model.apply(x, { training: true })` (a U-Net is not a layer chain), so U-Net
 * dropout, drawn by tfjs, is not reproducible; with none (the default) runs are.
 *
 * Augmentation draws from a stream keyed by (seed, step, rank), and patch placement from (seed, epoch, rank), so a
 * resumed run repeats the uninterrupted one without saving generator state. Every `metricsEveryEpochs` epochs (and
 * at the end) the valid cases are scored on all ranks: loss, Dice and IoU per case (2D a slice, 3D a whole volume
 * by sliding window), averaged over the split with one all-reduce.
 */
export class SegmentationDataParallelTrainer {
  readonly totalSteps: number;
  readonly stepsPerEpoch: number;
  readonly dims: 2 | 3;
  /** Without the samples: once through the intensity step the raw voxels (views into shard bytes) can be freed. */
  private readonly options: Omit<SegmentationDataParallelTrainerOptions, 'train' | 'valid'>;
  /** The model's [h, w] or [d, h, w]. */
  private readonly spatial: readonly number[];
  private readonly channels: number;
  /** Items (slices or patches) each rank takes per step. */
  private readonly batches: RankBatches;
  private readonly train: readonly PreparedCase[];
  private readonly valid: readonly PreparedCase[];
  private readonly lossSum: ReturnType<typeof segmentationLossSum>;
  private update: SynchronousUpdate | undefined;
  private restoredOptimizer: Uint8Array | undefined;
  private currentStep = 0;
  private items: { epoch: number; items: TrainingItem[] } | undefined;

  constructor(options: SegmentationDataParallelTrainerOptions) {
    const { rank, worldSize, spec, trainCounts, model } = options;
    checkRank(rank, worldSize);
    if (trainCounts.length !== worldSize || trainCounts[rank] !== options.train.length) {
      throw new RangeError(`trainCounts [${trainCounts.join(', ')}] do not match rank ${rank}'s ${options.train.length} train cases`);
    }
    if (trainCounts.reduce((a, b) => a + b, 0) === 0) throw new RangeError('the data set has no train cases');
    const inputShape = model.inputs[0]?.shape ?? [];
    if ((inputShape.length !== 4 && inputShape.length !== 5) || inputShape[inputShape.length - 1] !== 1) {
      throw new RangeError(`a segmentation U-Net takes one channel, [n, h, w, 1] or [n, d, h, w, 1]; this model takes [${inputShape.join(', ')}]`);
    }
    this.dims = inputShape.length === 4 ? 2 : 3;
    this.spatial = inputShape.slice(1, -1) as number[];
    this.channels = model.outputs[0]?.shape[model.outputs[0].shape.length - 1] ?? 1;
    if (this.dims === 2) {
      const [height, width] = this.spatial as [number, number];
      for (const sample of [...options.train, ...options.valid]) {
        if (sample.shape[0] !== 1 || sample.shape[1] !== height || sample.shape[2] !== width) {
          throw new RangeError(`sample '${sample.id}' is [${sample.shape.join(', ')}], but model.options.inputShape takes ${height}x${width} slices`);
        }
      }
    }
    const perCase = this.dims === 3 ? spec.data.patches.perVolume : 1;
    this.batches = new RankBatches(trainCounts.map((n) => n * perCase), spec.training.batchSize);
    const { train: _train, valid: _valid, ...kept } = options;
    this.options = kept;
    this.stepsPerEpoch = this.batches.stepsPerEpoch;
    this.totalSteps = this.stepsPerEpoch * spec.training.epochs;
    this.train = prepareCases(options.train, spec.data.intensity, this.dims);
    this.valid = prepareCases(options.valid, spec.data.intensity, this.dims);
    this.lossSum = segmentationLossSum(spec.loss);
  }

  get step(): number {
    return this.currentStep;
  }

  get epoch(): number {
    return Math.floor(this.currentStep / this.stepsPerEpoch);
  }

  /** Items (slices or patches) this rank trains on per step at most. */
  get localBatchSize(): number {
    return this.batches.local[this.options.rank] ?? 0;
  }

  /** Trains to the end (or until aborted); every `metricsEveryEpochs` epochs scores the valid split on all ranks. */
  run(hooks: SegmentationRunHooks = {}): Promise<SegmentationRunResult> {
    const { model, worldSize, allReduceSum, spec } = this.options;
    return runEpochs(
      {
        totalSteps: this.totalSteps,
        stepsPerEpoch: this.stepsPerEpoch,
        metricsEveryEpochs: spec.training.metricsEveryEpochs,
        step: () => this.currentStep,
        queueStep: () => this.queueStep(),
        endEpoch: async ({ epoch, step, epochLoss, due }) => {
          await averageBatchNormStatistics(model, worldSize, allReduceSum);
          const metrics: SegmentationMetricValue[] = due ? [{ split: 'train', name: 'loss', value: epochLoss }, ...(await this.evaluate())] : [];
          return { epoch, step, metrics, phaseEnd: false };
        },
      },
      hooks,
    );
  }

  /** One optimizer step over global batch t; returns the global batch's mean loss. Every rank calls it together. */
  async trainStep(): Promise<number> {
    const { loss } = await this.queueStep();
    return loss;
  }

  /** {@link trainStep}, returning once the step is queued (its loss may still be on the device: see StepLosses). */
  private async queueStep(): Promise<{ loss: number | Promise<number> }> {
    if (this.currentStep >= this.totalSteps) throw new RangeError(`training already finished at step ${this.currentStep}`);
    const update = await this.optimizerUpdate();
    const { spec, rank, model } = this.options;
    const t = this.currentStep % this.stepsPerEpoch;
    const sizes = this.batches.sizesAt(t);
    const globalItems = sizes.reduce((a, b) => a + b, 0);
    const start = t * this.localBatchSize;
    const items = this.epochItems(this.epoch).slice(start, start + (sizes[rank] ?? 0));
    let localLoss: (() => tf.Scalar) | null = null;
    if (items.length > 0) {
      const random = SeededRandom.fromSeed(spec.training.seed, 'augment', this.currentStep, rank);
      const batch = assembleBatch(this.train, items, this.spatial, this.channels, { options: spec.data.augment, random });
      localLoss = () => {
        const p = model.apply(tf.tensor(batch.x, batch.xShape), { training: true }) as tf.Tensor;
        return tf.div<tf.Scalar>(this.lossSum(p, tf.tensor(batch.y, batch.yShape)), globalItems);
      };
    }
    update.setLearningRate(learningRateAt(spec.training.schedule, spec.training.learningRate, this.currentStep, 0, this.totalSteps));
    const queued = await update.queueStep(localLoss);
    this.currentStep += 1;
    return queued;
  }

  /**
   * Loss, Dice and IoU over the whole valid split: each rank scores its cases, one all-reduce of [loss, dice, iou,
   * count] sums gives every rank the means per case. Empty when the data set has no valid cases. All ranks call it.
   */
  async evaluate(): Promise<SegmentationMetricValue[]> {
    const { spec, allReduceSum, model } = this.options;
    const sums = await scoreCases(model, this.valid, {
      dims: this.dims,
      spatial: this.spatial,
      channels: this.channels,
      lossSum: this.lossSum,
      batchSize: Math.max(1, this.localBatchSize),
      overlap: spec.data.patches.predictionOverlap,
    });
    const [loss = 0, dice = 0, iou = 0, count = 0] = await allReduceSum(Float32Array.of(sums.lossSum, sums.diceSum, sums.iouSum, sums.count));
    if (count === 0) return [];
    return [
      { split: 'valid', name: 'loss', value: loss / count },
      { split: 'valid', name: 'dice', value: dice / count },
      { split: 'valid', name: 'iou', value: iou / count },
    ];
  }

  /** Snapshot for a checkpoint; identical on every rank after the same step. Class names go in the label mapping. */
  async saveTrainingState(): Promise<TrainingState> {
    const update = await this.optimizerUpdate();
    const captured = await captureModel(this.options.model);
    return {
      ...captured,
      optimizer: await update.saveOptimizer(),
      state: {
        step: this.currentStep,
        epoch: this.epoch,
        rng: SeededRandom.fromSeed(this.options.spec.training.seed, 'augment').saveState(),
        labelMapping: this.options.classNames,
        standardization: null,
      },
    };
  }

  /** Restores weights, optimizer slots and step; the run then continues as the uninterrupted one (same world size). */
  restoreTrainingState(saved: TrainingState): Promise<void> {
    return Promise.resolve().then(() => {
      const { step } = saved.state;
      if (step > this.totalSteps) throw new RangeError(`checkpoint is at step ${step}, beyond this job's ${this.totalSteps} steps`);
      restoreModelWeights(this.options.model, saved.weights, saved.weightSpecs);
      this.update?.dispose();
      this.update = undefined;
      this.restoredOptimizer = saved.optimizer;
      this.currentStep = step;
    });
  }

  dispose(): void {
    this.update?.dispose();
    this.update = undefined;
  }

  /** The optimizer, created on first use (with a checkpoint's slots after a restore). */
  private async optimizerUpdate(): Promise<SynchronousUpdate> {
    if (this.update !== undefined) return this.update;
    const { model, spec, allReduceSum } = this.options;
    const update = new SynchronousUpdate({
      model,
      optimizer: spec.training.optimizer,
      learningRate: spec.training.learningRate,
      allReduceSum,
      worldSize: this.options.worldSize,
      onFirstGradients: this.options.onFirstGradients,
    });
    const restored = this.restoredOptimizer;
    this.restoredOptimizer = undefined;
    try {
      if (restored !== undefined) await update.restoreOptimizer(restored);
    } catch (err) {
      update.dispose();
      throw err;
    }
    this.update = update;
    return update;
  }

  private epochItems(epoch: number): TrainingItem[] {
    if (this.items?.epoch !== epoch) {
      const { spec, rank } = this.options;
      const { perVolume, foregroundFraction } = spec.data.patches;
      const patch = (this.dims === 3 ? this.spatial : [1, ...this.spatial]) as unknown as VolumeShape;
      this.items = { epoch, items: epochItems(this.train, { dims: this.dims, patch, perVolume, foregroundFraction, seed: spec.training.seed, epoch, rank }) };
    }
    return this.items.items;
  }
}
