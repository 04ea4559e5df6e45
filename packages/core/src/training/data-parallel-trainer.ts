import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { TabularDataset, TabularSplit } from '../data/tabular-dataset.ts';
import type { TabularClassificationSpec } from '../jobs/job-spec.ts';
import { stepsPerEpoch as stepsPerEpochOf } from '../jobs/job-spec.ts';
import { classificationHead } from '../models/mlp.ts';
import type { ClassificationHead } from '../models/mlp.ts';
import { SeededRandom } from '../random/seeded-random.ts';
import { crossEntropySum, predictedClasses } from './classification-loss.ts';
import { drawDropoutMasks, maskedForward, maskRows } from './masked-forward.ts';
import { checkRank, runEpochs } from './epoch-loop.ts';
import type { EpochLoopHooks, EpochLoopResult, LoopEpochProgress, LoopStepProgress } from './epoch-loop.ts';
import { SynchronousUpdate } from './synchronous-update.ts';
import type { AllReduceSum, FirstGradientsHook } from './synchronous-update.ts';
import { captureModel, restoreModelWeights } from './training-state.ts';
import type { TrainingState } from './training-state.ts';

export type { AllReduceSum } from './synchronous-update.ts';

export interface MetricValue {
  readonly split: 'train' | 'test';
  readonly name: 'loss' | 'accuracy';
  readonly value: number;
}

/** A step's read loss, as `run` reports it. */
export type StepProgress = LoopStepProgress;

/** An epoch's end, as `run` reports it: metrics empty when this rank does not evaluate or between evaluations. */
export type EpochProgress = LoopEpochProgress<MetricValue>;

/** `run`'s hooks; see EpochLoopHooks. A rank that stops alone (shouldStop, signal) leaves its peers waiting. */
export type RunHooks = EpochLoopHooks<MetricValue, EpochProgress>;

export type RunResult = EpochLoopResult<MetricValue>;

export interface DataParallelTrainerOptions {
  readonly spec: TabularClassificationSpec;
  /** Built by `buildMlp` with the spec's seed, so all ranks start identical. The trainer does not own it. */
  readonly model: tfl.LayersModel;
  /** The whole data set: every rank holds all train rows and takes its slice of each global batch. */
  readonly dataset: TabularDataset;
  readonly rank: number;
  readonly worldSize: number;
  readonly allReduceSum: AllReduceSum;
  /** Whether this rank computes epoch metrics (only one rank needs to: the replicas are identical). Default true. */
  readonly evaluate?: boolean;
  /** Start at this step without restored state (weights as given); `restoreTrainingState` is the usual way. */
  readonly startStep?: number;
  /** Runs once before the first step (see FirstGradientsHook): e.g. the webgpu kernel choice. */
  readonly onFirstGradients?: FirstGradientsHook | undefined;
}

// Rows per forward pass when evaluating a split: bounds memory on large tabular sets.
const evaluationChunkRows = 8192;

/**
 * Synchronous data-parallel SGD over one `allReduceSum` per step. Epoch e visits a permutation of the train rows
 * seeded by (seed, e), identical on all ranks; global batch t is rows [t·B, (t+1)·B) of it and rank r takes its
 * contiguous share. Each rank divides its summed per-sample loss by the ACTUAL global batch size, so the summed
 * gradients equal single-worker gradients on that batch and every replica applies the same update, for any number
 * of workers (up to float summation order). Dropout masks are drawn for the whole global batch on every rank from
 * one seeded stream, for the same reason.
 */
export class DataParallelTrainer {
  readonly totalSteps: number;
  readonly stepsPerEpoch: number;
  private readonly spec: TabularClassificationSpec;
  private readonly model: tfl.LayersModel;
  private readonly dataset: TabularDataset;
  private readonly rank: number;
  private readonly worldSize: number;
  private readonly evaluates: boolean;
  private readonly head: ClassificationHead;
  private readonly update: SynchronousUpdate;
  private rng: SeededRandom;
  private currentStep: number;
  private permutation: { epoch: number; rows: Int32Array } | undefined;

  constructor(options: DataParallelTrainerOptions) {
    const { rank, worldSize } = options;
    checkRank(rank, worldSize);
    this.spec = options.spec;
    this.model = options.model;
    this.dataset = options.dataset;
    this.rank = rank;
    this.worldSize = worldSize;
    this.evaluates = options.evaluate ?? true;
    this.head = classificationHead(options.dataset.classCount);
    this.stepsPerEpoch = stepsPerEpochOf(options.spec, options.dataset.train.rows);
    this.totalSteps = this.stepsPerEpoch * options.spec.training.epochs;
    this.update = new SynchronousUpdate({
      model: options.model,
      optimizer: options.spec.training.optimizer,
      learningRate: options.spec.training.learningRate,
      allReduceSum: options.allReduceSum,
      worldSize,
      onFirstGradients: options.onFirstGradients,
    });
    this.rng = SeededRandom.fromSeed(options.spec.training.seed, 'dropout');
    this.currentStep = options.startStep ?? 0;
  }

  /** Steps completed. */
  get step(): number {
    return this.currentStep;
  }

  /** Epochs completed. */
  get epoch(): number {
    return Math.floor(this.currentStep / this.stepsPerEpoch);
  }

  /** Length of the fusion buffer every rank passes to `allReduceSum` (parameters + 1 loss element). */
  get fusionBufferLength(): number {
    return this.update.fusionBufferLength;
  }

  /** Trains from the current step to the end (or until stopped), reporting steps and epochs. */
  run(hooks: RunHooks = {}): Promise<RunResult> {
    return runEpochs(
      {
        totalSteps: this.totalSteps,
        stepsPerEpoch: this.stepsPerEpoch,
        metricsEveryEpochs: this.spec.training.metricsEveryEpochs,
        step: () => this.currentStep,
        queueStep: () => this.queueStep(),
        endEpoch: async ({ epoch, step, due }) => ({ epoch, step, metrics: due && this.evaluates ? await this.evaluate() : [] }),
      },
      hooks,
    );
  }

  /**
   * One optimizer step: local forward/backward, one all-reduce of the fusion buffer, identical update.
   * Returns the mean loss of the global batch.
   */
  async trainStep(): Promise<number> {
    const { loss } = await this.queueStep();
    return loss;
  }

  /** {@link trainStep}, returning once the step is queued (its loss may still be on the device: see StepLosses). */
  private async queueStep(): Promise<{ loss: number | Promise<number> }> {
    if (this.currentStep >= this.totalSteps) {
      throw new RangeError(`training already finished at step ${this.currentStep}`);
    }
    const epochIndex = Math.floor(this.currentStep / this.stepsPerEpoch);
    const order = this.epochPermutation(epochIndex);
    const batch = this.spec.training.batchSize;
    const start = (this.currentStep % this.stepsPerEpoch) * batch;
    const globalRows = Math.min(batch, order.length - start);
    // Drawn for the whole global batch on every rank, before any rank-specific work, so the stream stays in step.
    const masks = drawDropoutMasks(this.model, globalRows, this.rng, [this.dataset.featureCount]);
    const lo = Math.floor((this.rank * globalRows) / this.worldSize);
    const hi = Math.floor(((this.rank + 1) * globalRows) / this.worldSize);

    const rows = order.subarray(start + lo, start + hi);
    const queued = await this.update.queueStep(
      hi > lo
        ? () => {
            const x = gatherRows(this.dataset.train, rows, this.dataset.featureCount);
            const y = tf.tensor1d(gatherLabels(this.dataset.train, rows), 'int32');
            const p = maskedForward<tf.Tensor2D>(this.model, x, maskRows(masks, lo, hi));
            return tf.div<tf.Scalar>(crossEntropySum(this.head, p, y), globalRows);
          }
        : null,
    );
    this.currentStep += 1;
    return queued;
  }

  /** Loss and accuracy of the current weights on both splits (inference mode: no dropout). */
  async evaluate(): Promise<MetricValue[]> {
    const out: MetricValue[] = [];
    for (const split of ['train', 'test'] as const) {
      const data = this.dataset[split];
      let lossSum = 0;
      let correct = 0;
      for (let from = 0; from < data.rows; from += evaluationChunkRows) {
        const to = Math.min(data.rows, from + evaluationChunkRows);
        const [loss, hits] = tf.tidy((): [tf.Scalar, tf.Tensor] => {
          const n = to - from;
          const x = tf.tensor2d(
            data.features.subarray(from * this.dataset.featureCount, to * this.dataset.featureCount),
            [n, this.dataset.featureCount],
          );
          const y = tf.tensor1d(data.labels.subarray(from, to), 'int32');
          const p = maskedForward<tf.Tensor2D>(this.model, x, null);
          return [crossEntropySum(this.head, p, y), tf.sum(tf.equal(predictedClasses(this.head, p), y))];
        });
        lossSum += (await loss.data())[0] ?? Number.NaN;
        correct += (await hits.data())[0] ?? 0;
        tf.dispose([loss, hits]);
      }
      out.push({ split, name: 'loss', value: lossSum / data.rows });
      out.push({ split, name: 'accuracy', value: correct / data.rows });
    }
    return out;
  }

  /** Snapshot for a checkpoint or an in-memory commit; identical on every rank after the same step. */
  async saveTrainingState(): Promise<TrainingState> {
    const captured = await captureModel(this.model);
    return {
      ...captured,
      optimizer: await this.update.saveOptimizer(),
      state: {
        step: this.currentStep,
        epoch: this.epoch,
        rng: this.rng.saveState(),
        labelMapping: this.dataset.labelMapping,
        standardization: this.dataset.standardization,
      },
    };
  }

  /**
   * Restores weights, optimizer slots, step and dropout stream; continuing then matches the uninterrupted run bit
   * for bit (same world size) or to float summation order (another world size). The topology must match.
   */
  async restoreTrainingState(saved: TrainingState): Promise<void> {
    if (saved.state.step > this.totalSteps) {
      throw new RangeError(`checkpoint is at step ${saved.state.step}, beyond this job's ${this.totalSteps} steps`);
    }
    restoreModelWeights(this.model, saved.weights, saved.weightSpecs);
    await this.update.restoreOptimizer(saved.optimizer);
    this.rng = SeededRandom.fromState(saved.state.rng);
    this.currentStep = saved.state.step;
  }

  /** Releases the optimizer's slots; the model belongs to the caller. */
  dispose(): void {
    this.update.dispose();
  }

  private epochPermutation(epochIndex: number): Int32Array {
    if (this.permutation?.epoch !== epochIndex) {
      const rows = SeededRandom.fromSeed(this.spec.training.seed, 'epoch', epochIndex).permutation(
        this.dataset.train.rows,
      );
      this.permutation = { epoch: epochIndex, rows };
    }
    return this.permutation.rows;
  }
}

function gatherRows(split: TabularSplit, rows: Int32Array, featureCount: number): tf.Tensor2D {
  const out = new Float32Array(rows.length * featureCount);
  rows.forEach((row, i) => {
    out.set(split.features.subarray(row * featureCount, (row + 1) * featureCount), i * featureCount);
  });
  return tf.tensor2d(out, [rows.length, featureCount]);
}

function gatherLabels(split: TabularSplit, rows: Int32Array): Int32Array {
  return rows.map((row) => split.labels[row] ?? 0);
}
