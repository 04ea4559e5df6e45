import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { epochOrder, imageBatches } from '../data/image-shard-reader.ts';
import type { ImageBatch } from '../data/image-shard-reader.ts';
import type { ImageRecords } from '../data/image-shard-format.ts';
import type { ImageClassificationSpec } from '../jobs/job-spec.ts';
import { classificationHead } from '../models/mlp.ts';
import type { ClassificationHead } from '../models/mlp.ts';
import { SeededRandom } from '../random/seeded-random.ts';
import { crossEntropySum, predictedClasses } from './classification-loss.ts';
import { drawDropoutMasks, maskedForward, maskRows } from './masked-forward.ts';
import { SynchronousUpdate } from './synchronous-update.ts';
import type { AllReduceSum } from './synchronous-update.ts';
import { restoreModelWeights, captureModel } from './training-state.ts';
import type { TrainingState } from './training-state.ts';

export interface ImageMetricValue {
  readonly split: 'train' | 'valid';
  readonly name: 'loss' | 'accuracy';
  readonly value: number;
}

export interface ImageRunHooks {
  onStep?: (progress: { step: number; totalSteps: number; epoch: number; loss: number }) => void | Promise<void>;
  /** Awaited before the next step: the place to write a checkpoint. */
  onEpoch?: (progress: { epoch: number; step: number; metrics: readonly ImageMetricValue[] }) => void | Promise<void>;
  signal?: AbortSignal;
}

export interface ImageRunResult {
  readonly status: 'completed' | 'stopped';
  readonly step: number;
  readonly epoch: number;
  readonly metrics: readonly ImageMetricValue[];
}

export interface ImageDataParallelTrainerOptions {
  readonly spec: ImageClassificationSpec;
  /** Built by `buildImageClassifier` with the spec's seed, so all ranks start identical. Not owned. */
  readonly model: tfl.LayersModel;
  readonly classNames: readonly string[];
  /** This rank's share of the train split (`fetchRankImages`). */
  readonly train: ImageRecords;
  /** This rank's share of the valid split; every rank evaluates its share and the sums are all-reduced. */
  readonly valid: ImageRecords;
  /** Train images held by each rank (`rankRange` over the manifest's train count), the same list on every rank. */
  readonly trainCounts: readonly number[];
  readonly rank: number;
  readonly worldSize: number;
  readonly allReduceSum: AllReduceSum;
}

// Images per forward pass when evaluating: bounds memory at 224x224.
const evaluationChunk = 64;

/**
 * Synchronous data-parallel training of an image classifier on rank-local shards. Each rank holds only its own
 * images, so the GLOBAL batch t of an epoch is the t-th local batch of every rank concatenated: rank r takes
 * b_r = its share of `training.batchSize` images from a shuffle of its shard seeded by (seed, epoch, rank). The loss
 * is summed locally and divided by the actual global batch (computed by every rank from `trainCounts`), so the
 * summed gradients are those of one worker on that batch and the replicas stay identical. Because the shards and
 * shuffles depend on the world size, n workers do not see the same batches as 1 worker: exact equivalence across
 * worker counts holds only for tabular jobs. Augmentation and dropout draw from generators keyed by (seed, step),
 * so a resumed run repeats the uninterrupted one without saving generator state.
 */
export class ImageDataParallelTrainer {
  readonly totalSteps: number;
  readonly stepsPerEpoch: number;
  private readonly options: ImageDataParallelTrainerOptions;
  private readonly head: ClassificationHead;
  private readonly update: SynchronousUpdate;
  private readonly localBatches: readonly number[];
  private currentStep = 0;
  private order: { epoch: number; rows: Int32Array } | undefined;

  constructor(options: ImageDataParallelTrainerOptions) {
    const { rank, worldSize, spec, trainCounts } = options;
    if (!Number.isInteger(worldSize) || worldSize < 1 || !Number.isInteger(rank) || rank < 0 || rank >= worldSize) {
      throw new RangeError(`invalid rank ${rank} of world size ${worldSize}`);
    }
    if (trainCounts.length !== worldSize || trainCounts[rank] !== options.train.count) {
      throw new RangeError(`trainCounts [${trainCounts.join(', ')}] do not match rank ${rank}'s ${options.train.count} images`);
    }
    const batch = spec.training.batchSize;
    if (batch < worldSize) throw new RangeError(`training.batchSize ${batch} is smaller than the ${worldSize} workers`);
    this.options = options;
    this.localBatches = trainCounts.map((_, r) => Math.floor(((r + 1) * batch) / worldSize) - Math.floor((r * batch) / worldSize));
    this.stepsPerEpoch = Math.max(1, ...trainCounts.map((n, r) => Math.ceil(n / (this.localBatches[r] ?? 1))));
    this.totalSteps = this.stepsPerEpoch * spec.training.epochs;
    this.head = classificationHead(options.classNames.length);
    this.update = new SynchronousUpdate({
      model: options.model,
      optimizer: spec.training.optimizer,
      learningRate: spec.training.learningRate,
      allReduceSum: options.allReduceSum,
    });
  }

  get step(): number {
    return this.currentStep;
  }

  get epoch(): number {
    return Math.floor(this.currentStep / this.stepsPerEpoch);
  }

  /** Trains to the end (or until aborted); every `metricsEveryEpochs` epochs evaluates the valid split on all ranks. */
  async run(hooks: ImageRunHooks = {}): Promise<ImageRunResult> {
    let metrics: readonly ImageMetricValue[] = [];
    let epochLoss = 0;
    let epochSteps = 0;
    while (this.currentStep < this.totalSteps) {
      if (hooks.signal?.aborted === true) return { status: 'stopped', step: this.currentStep, epoch: this.epoch, metrics };
      const epoch = this.epoch + 1;
      const loss = await this.trainStep();
      epochLoss += loss;
      epochSteps += 1;
      await hooks.onStep?.({ step: this.currentStep, totalSteps: this.totalSteps, epoch, loss });
      if (this.currentStep % this.stepsPerEpoch === 0) {
        const due = epoch % this.options.spec.training.metricsEveryEpochs === 0 || this.currentStep === this.totalSteps;
        const epochMetrics: ImageMetricValue[] = due
          ? [{ split: 'train', name: 'loss', value: epochLoss / epochSteps }, ...(await this.evaluate())]
          : [];
        if (due) metrics = epochMetrics;
        epochLoss = 0;
        epochSteps = 0;
        await hooks.onEpoch?.({ epoch, step: this.currentStep, metrics: epochMetrics });
      }
    }
    return { status: 'completed', step: this.currentStep, epoch: this.epoch, metrics };
  }

  /** One optimizer step over global batch t; returns the global batch's mean loss (dropout on). */
  async trainStep(): Promise<number> {
    if (this.currentStep >= this.totalSteps) throw new RangeError(`training already finished at step ${this.currentStep}`);
    const { spec, rank, train, trainCounts } = this.options;
    const epochIndex = this.epoch;
    const t = this.currentStep % this.stepsPerEpoch;
    const sizes = trainCounts.map((n, r) => {
      const b = this.localBatches[r] ?? 0;
      return Math.max(0, Math.min(b, n - t * b));
    });
    const globalRows = sizes.reduce((a, b) => a + b, 0);
    const lo = sizes.slice(0, rank).reduce((a, b) => a + b, 0);
    const hi = lo + (sizes[rank] ?? 0);
    const masks = drawDropoutMasks(this.options.model, globalRows, SeededRandom.fromSeed(spec.training.seed, 'dropout', this.currentStep), [
      train.height,
      train.width,
      train.channels,
    ]);
    const start = t * (this.localBatches[rank] ?? 0);
    const rows = this.epochOrder(epochIndex).subarray(start, start + (hi - lo));
    const augment = { options: spec.data.augment, random: SeededRandom.fromSeed(spec.training.seed, 'augment', this.currentStep, rank) };
    let batch: ImageBatch | undefined;
    if (hi > lo) {
      // One batch of all this rank's rows for the step; the generator's return value (void) is never reached here.
      const next = imageBatches(train, { batchSize: hi - lo, order: rows, augment, normalization: spec.data.normalization }).next();
      batch = next.done === true ? undefined : next.value;
    }
    const loss = await this.update.step(
      batch
        ? () => {
            const x = tf.tensor4d(batch.x, batch.shape as [number, number, number, number]);
            const y = tf.tensor1d(batch.y, 'int32');
            const p = maskedForward<tf.Tensor2D>(this.options.model, x, maskRows(masks, lo, hi));
            return tf.div<tf.Scalar>(crossEntropySum(this.head, p, y), globalRows);
          }
        : null,
    );
    this.currentStep += 1;
    return loss;
  }

  /**
   * Loss and accuracy on the whole valid split: each rank sums over its share (inference, no augmentation), and one
   * all-reduce of [loss sum, hits, count] gives every rank the totals. Every rank must call it together.
   */
  async evaluate(): Promise<ImageMetricValue[]> {
    const { valid, spec } = this.options;
    let lossSum = 0;
    let hits = 0;
    if (valid.count > 0) {
      for (const batch of imageBatches(valid, { batchSize: evaluationChunk, normalization: spec.data.normalization })) {
        const [loss, correct] = tf.tidy((): [tf.Scalar, tf.Tensor] => {
          const y = tf.tensor1d(batch.y, 'int32');
          const p = maskedForward<tf.Tensor2D>(this.options.model, tf.tensor4d(batch.x, batch.shape as [number, number, number, number]), null);
          return [crossEntropySum(this.head, p, y), tf.sum(tf.equal(predictedClasses(this.head, p), y))];
        });
        lossSum += (await loss.data())[0] ?? Number.NaN;
        hits += (await correct.data())[0] ?? 0;
        tf.dispose([loss, correct]);
      }
    }
    const [totalLoss = 0, totalHits = 0, count = 0] = await this.options.allReduceSum(Float32Array.of(lossSum, hits, valid.count));
    if (count === 0) return [];
    return [
      { split: 'valid', name: 'loss', value: totalLoss / count },
      { split: 'valid', name: 'accuracy', value: totalHits / count },
    ];
  }

  /** Snapshot for a checkpoint; identical on every rank after the same step. Class names go in the label mapping. */
  async saveTrainingState(): Promise<TrainingState> {
    const captured = await captureModel(this.options.model);
    return {
      ...captured,
      optimizer: await this.update.saveOptimizer(),
      state: {
        step: this.currentStep,
        epoch: this.epoch,
        rng: SeededRandom.fromSeed(this.options.spec.training.seed, 'dropout').saveState(),
        labelMapping: this.options.classNames,
        standardization: null,
      },
    };
  }

  /** Restores weights, optimizer slots and step; the run then continues as the uninterrupted one (same world size). */
  async restoreTrainingState(saved: TrainingState): Promise<void> {
    if (saved.state.step > this.totalSteps) {
      throw new RangeError(`checkpoint is at step ${saved.state.step}, beyond this job's ${this.totalSteps} steps`);
    }
    restoreModelWeights(this.options.model, saved.weights, saved.weightSpecs);
    await this.update.restoreOptimizer(saved.optimizer);
    this.currentStep = saved.state.step;
  }

  dispose(): void {
    this.update.dispose();
  }

  private epochOrder(epochIndex: number): Int32Array {
    if (this.order?.epoch !== epochIndex) {
      this.order = { epoch: epochIndex, rows: epochOrder(this.options.train.count, this.options.spec.training.seed, epochIndex, this.options.rank) };
    }
    return this.order.rows;
  }
}
