import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { epochOrder, imageBatches } from '../data/image-shard-reader.ts';
import type { ImageBatch } from '../data/image-shard-reader.ts';
import type { ImageRecords } from '../data/image-shard-format.ts';
import type { ImageClassificationSpec } from '../jobs/job-spec.ts';
import { classificationHead } from '../models/mlp.ts';
import type { ClassificationHead } from '../models/mlp.ts';
import { SeededRandom } from '../random/seeded-random.ts';
import { computeBottleneckFeatures, gatherFeatureRows } from './bottleneck-features.ts';
import type { BottleneckFeatureCache, BottleneckFeatures } from './bottleneck-features.ts';
import { crossEntropySum, predictedClasses } from './classification-loss.ts';
import { drawDropoutMasks, maskedForward, maskRows } from './masked-forward.ts';
import { averageBatchNormStatistics } from './batch-norm-statistics.ts';
import { learningRateAt } from './learning-rate-schedule.ts';
import { checkRank, RankBatches, runEpochs } from './epoch-loop.ts';
import type { EpochLoopHooks, EpochLoopResult, LoopEpochProgress } from './epoch-loop.ts';
import { SynchronousUpdate } from './synchronous-update.ts';
import type { AllReduceSum, FirstGradientsHook } from './synchronous-update.ts';
import { restoreModelWeights, captureModel } from './training-state.ts';
import type { TrainingState } from './training-state.ts';
import { describePhase, phaseAtStep, planTrainingPhases, setPhaseTrainability } from './training-phases.ts';
import type { PlannedPhase } from './training-phases.ts';

export interface ImageMetricValue {
  readonly split: 'train' | 'valid';
  readonly name: 'loss' | 'accuracy';
  readonly value: number;
}

/** An epoch's end as `run` reports it; `phaseEnd`: the last epoch of a phase (the place for a checkpoint). */
export interface ImageEpochProgress extends LoopEpochProgress<ImageMetricValue> {
  readonly phaseEnd: boolean;
}

export interface ImageRunHooks extends EpochLoopHooks<ImageMetricValue, ImageEpochProgress> {
  /** A phase begins (or resumes, `resumed`, after a restore): the place for an event line. */
  onPhase?: (change: { phase: PlannedPhase; resumed: boolean; message: string }) => void | Promise<void>;
}

export type ImageRunResult = EpochLoopResult<ImageMetricValue>;

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
  /** Where a top phase with `cachedFeatures` gets its features; default: computed in memory. */
  readonly featureCache?: BottleneckFeatureCache | undefined;
  /** Runs before each phase's first step (see FirstGradientsHook): e.g. the webgpu kernel choice. */
  readonly onFirstGradients?: FirstGradientsHook | undefined;
  /**
   * Given the first pass of the frozen base over each split's images (the bottleneck features, when computed rather
   * than cached) before it runs: e.g. compiling its webgpu shaders ahead.
   */
  readonly onFirstForward?: ((forward: () => tf.TensorContainer) => Promise<void>) | undefined;
}

/** The phase being trained: its trainable layers, its own optimizer and, on cached features, the features. */
interface ActivePhase {
  readonly phase: PlannedPhase;
  readonly update: SynchronousUpdate;
  /** Index of the first trained layer: where a forward pass on cached features starts. */
  readonly trainedFrom: number;
  readonly features: { readonly train: BottleneckFeatures; readonly valid: BottleneckFeatures } | undefined;
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
 *
 * Transfer learning (`spec.phases`) runs as consecutive phases on one step axis (training-phases.ts): each freezes
 * the layers it does not train, so only the trained weights' gradients are all-reduced, and starts a fresh
 * optimizer with its own learning rate. A top phase on cached features trains on the frozen base's output for each
 * image, computed once (through `featureCache`), with no augmentation; the dropout masks are the same either way.
 */
export class ImageDataParallelTrainer {
  readonly totalSteps: number;
  readonly stepsPerEpoch: number;
  private readonly options: ImageDataParallelTrainerOptions;
  readonly phases: readonly PlannedPhase[];
  private readonly head: ClassificationHead;
  private readonly batches: RankBatches;
  private active: ActivePhase | undefined;
  /** Optimizer slots from a checkpoint, for the phase they belong to (dropped when the run enters a later one). */
  private restoredOptimizer: { readonly phase: number; readonly bytes: Uint8Array } | undefined;
  private hooks: ImageRunHooks = {};
  private currentStep = 0;
  private order: { epoch: number; rows: Int32Array } | undefined;

  constructor(options: ImageDataParallelTrainerOptions) {
    const { rank, worldSize, spec, trainCounts } = options;
    checkRank(rank, worldSize);
    if (trainCounts.length !== worldSize || trainCounts[rank] !== options.train.count) {
      throw new RangeError(`trainCounts [${trainCounts.join(', ')}] do not match rank ${rank}'s ${options.train.count} images`);
    }
    this.options = options;
    this.batches = new RankBatches(trainCounts, spec.training.batchSize);
    this.stepsPerEpoch = this.batches.stepsPerEpoch;
    this.phases = planTrainingPhases(spec, this.stepsPerEpoch);
    this.totalSteps = this.phases[this.phases.length - 1]?.endStep ?? 0;
    this.head = classificationHead(options.classNames.length);
  }

  get step(): number {
    return this.currentStep;
  }

  get epoch(): number {
    return Math.floor(this.currentStep / this.stepsPerEpoch);
  }

  /** Trains to the end (or until aborted); every `metricsEveryEpochs` epochs evaluates the valid split on all ranks. */
  run(hooks: ImageRunHooks = {}): Promise<ImageRunResult> {
    this.hooks = hooks;
    return runEpochs(
      {
        totalSteps: this.totalSteps,
        stepsPerEpoch: this.stepsPerEpoch,
        metricsEveryEpochs: this.options.spec.training.metricsEveryEpochs,
        step: () => this.currentStep,
        queueStep: () => this.queueStep(),
        endEpoch: async ({ epoch, step, epochLoss, due }) => {
          await this.averageBatchNormStatistics();
          const metrics: ImageMetricValue[] = due ? [{ split: 'train', name: 'loss', value: epochLoss }, ...(await this.evaluate())] : [];
          return { epoch, step, metrics, phaseEnd: this.phases.some((phase) => phase.endStep === step) };
        },
      },
      hooks,
    );
  }

  /** One optimizer step over global batch t; returns the global batch's mean loss (dropout on). */
  async trainStep(): Promise<number> {
    const { loss } = await this.queueStep();
    return loss;
  }

  /** {@link trainStep}, returning once the step is queued (its loss may still be on the device: see StepLosses). */
  private async queueStep(): Promise<{ loss: number | Promise<number> }> {
    if (this.currentStep >= this.totalSteps) throw new RangeError(`training already finished at step ${this.currentStep}`);
    const active = await this.enterPhase();
    const { spec, rank, train } = this.options;
    const epochIndex = this.epoch;
    const t = this.currentStep % this.stepsPerEpoch;
    const sizes = this.batches.sizesAt(t);
    const globalRows = sizes.reduce((a, b) => a + b, 0);
    const lo = sizes.slice(0, rank).reduce((a, b) => a + b, 0);
    const hi = lo + (sizes[rank] ?? 0);
    const masks = drawDropoutMasks(this.options.model, globalRows, SeededRandom.fromSeed(spec.training.seed, 'dropout', this.currentStep), [
      train.height,
      train.width,
      train.channels,
    ]);
    const start = t * (this.batches.local[rank] ?? 0);
    const rows = this.epochOrder(epochIndex).subarray(start, start + (hi - lo));
    let localLoss: (() => tf.Scalar) | null = null;
    if (hi > lo && active.features !== undefined) {
      const features = active.features.train;
      const x = gatherFeatureRows(features, rows);
      const labels = Int32Array.from(rows, (row) => train.labels[row] as number);
      localLoss = () => {
        const p = maskedForward<tf.Tensor2D>(this.options.model, tf.tensor(x, [hi - lo, ...features.shape]), maskRows(masks, lo, hi), { from: active.trainedFrom });
        return tf.div<tf.Scalar>(crossEntropySum(this.head, p, tf.tensor1d(labels, 'int32')), globalRows);
      };
    } else if (hi > lo) {
      const augment = { options: spec.data.augment, random: SeededRandom.fromSeed(spec.training.seed, 'augment', this.currentStep, rank) };
      // One batch of all this rank's rows for the step; the generator's return value (void) is never reached here.
      const next = imageBatches(train, { batchSize: hi - lo, order: rows, augment, normalization: spec.data.normalization }).next();
      const batch: ImageBatch | undefined = next.done === true ? undefined : next.value;
      if (batch !== undefined) {
        localLoss = () => {
          const x = tf.tensor4d(batch.x, batch.shape as [number, number, number, number]);
          const y = tf.tensor1d(batch.y, 'int32');
          const p = maskedForward<tf.Tensor2D>(this.options.model, x, maskRows(masks, lo, hi));
          return tf.div<tf.Scalar>(crossEntropySum(this.head, p, y), globalRows);
        };
      }
    }
    const { phase } = active;
    active.update.setLearningRate(learningRateAt(spec.training.schedule, phase.learningRate, this.currentStep, phase.firstStep, phase.endStep));
    const queued = await active.update.queueStep(localLoss);
    this.currentStep += 1;
    return queued;
  }

  /**
   * Loss and accuracy on the whole valid split: each rank sums over its share (inference, no augmentation), and one
   * all-reduce of [loss sum, hits, count] gives every rank the totals. Every rank must call it together.
   */
  async evaluate(): Promise<ImageMetricValue[]> {
    const { valid } = this.options;
    let lossSum = 0;
    let hits = 0;
    for (const batch of this.validBatches()) {
      const [loss, correct] = tf.tidy((): [tf.Scalar, tf.Tensor] => {
        const y = tf.tensor1d(batch.y, 'int32');
        const p = maskedForward<tf.Tensor2D>(this.options.model, batch.x(), null, { from: batch.from });
        return [crossEntropySum(this.head, p, y), tf.sum(tf.equal(predictedClasses(this.head, p), y))];
      });
      lossSum += (await loss.data())[0] ?? Number.NaN;
      hits += (await correct.data())[0] ?? 0;
      tf.dispose([loss, correct]);
    }
    const [totalLoss = 0, totalHits = 0, count = 0] = await this.options.allReduceSum(Float32Array.of(lossSum, hits, valid.count));
    if (count === 0) return [];
    return [
      { split: 'valid', name: 'loss', value: totalLoss / count },
      { split: 'valid', name: 'accuracy', value: totalHits / count },
    ];
  }

  /** Averages batch normalisation's moving statistics over the ranks (see batch-norm-statistics.ts); all ranks call it. */
  async averageBatchNormStatistics(): Promise<void> {
    const { model, worldSize, allReduceSum } = this.options;
    await averageBatchNormStatistics(model, worldSize, allReduceSum);
  }

  /** The phase the next step belongs to. */
  get phase(): PlannedPhase {
    return phaseAtStep(this.phases, this.currentStep);
  }

  /** Snapshot for a checkpoint; identical on every rank after the same step. Class names go in the label mapping. */
  async saveTrainingState(): Promise<TrainingState> {
    const active = this.active ?? (await this.enterPhase());
    const captured = await captureModel(this.options.model);
    return {
      ...captured,
      optimizer: await active.update.saveOptimizer(),
      state: {
        step: this.currentStep,
        epoch: this.epoch,
        rng: SeededRandom.fromSeed(this.options.spec.training.seed, 'dropout').saveState(),
        labelMapping: this.options.classNames,
        standardization: null,
        phase: active.phase.index,
      },
    };
  }

  /**
   * Restores weights, step and (when the checkpoint's phase is the one to continue) optimizer slots; the run then
   * continues as the uninterrupted one (same world size), in the phase the step belongs to: earlier phases are not
   * redone, and their features are not loaded.
   */
  restoreTrainingState(saved: TrainingState): Promise<void> {
    return Promise.resolve().then(() => this.restore(saved));
  }

  private restore(saved: TrainingState): void {
    const { step } = saved.state;
    if (step > this.totalSteps) {
      throw new RangeError(`checkpoint is at step ${step}, beyond this job's ${this.totalSteps} steps`);
    }
    const savedPhase = saved.state.phase ?? phaseAtStep(this.phases, step).index;
    const phase = this.phases[savedPhase];
    if (phase === undefined || step < phase.firstStep || step > phase.endStep) {
      const range = phase === undefined ? `this job has ${this.phases.length} phase(s)` : `that phase covers steps ${phase.firstStep}-${phase.endStep}`;
      throw new RangeError(`checkpoint at step ${step} is in phase ${savedPhase + 1}, but ${range}: were the spec's phases changed?`);
    }
    restoreModelWeights(this.options.model, saved.weights, saved.weightSpecs);
    this.leavePhase();
    this.restoredOptimizer = { phase: savedPhase, bytes: saved.optimizer };
    this.currentStep = step;
  }

  dispose(): void {
    this.leavePhase();
  }

  /**
   * Makes the phase of the next step the active one: freezes what it does not train, starts its optimizer (with
   * the checkpoint's slots when resuming inside it) and, on cached features, loads or computes them. Tells the
   * run's `onPhase` hook before any features are computed.
   */
  private async enterPhase(): Promise<ActivePhase> {
    const phase = this.phase;
    if (this.active?.phase.index === phase.index) return this.active;
    this.leavePhase();
    const { model, spec, allReduceSum } = this.options;
    const trainedFrom = setPhaseTrainability(model, phase);
    const update = new SynchronousUpdate({
      model,
      optimizer: spec.training.optimizer,
      learningRate: phase.learningRate,
      allReduceSum,
      worldSize: this.options.worldSize,
      onFirstGradients: this.options.onFirstGradients,
    });
    const restored = this.restoredOptimizer;
    this.restoredOptimizer = undefined;
    try {
      if (restored?.phase === phase.index) await update.restoreOptimizer(restored.bytes);
      const resumed = this.currentStep > phase.firstStep;
      await this.hooks.onPhase?.({ phase, resumed, message: `${describePhase(phase)}${resumed ? `: resumed at step ${this.currentStep}` : ''}` });
      const features = phase.cachedFeatures ? await this.loadFeatures(trainedFrom) : undefined;
      this.active = { phase, update, trainedFrom, features };
      return this.active;
    } catch (err) {
      update.dispose();
      throw err;
    }
  }

  private leavePhase(): void {
    this.active?.update.dispose();
    this.active = undefined;
  }

  private async loadFeatures(baseEnd: number): Promise<{ train: BottleneckFeatures; valid: BottleneckFeatures }> {
    const { model, train, valid, spec, featureCache, onFirstForward } = this.options;
    const cache: BottleneckFeatureCache = featureCache ?? ((_split, compute) => compute());
    const load = async (split: 'train' | 'valid', records: ImageRecords) => {
      const features = await cache(split, () => computeBottleneckFeatures(model, baseEnd, records, spec.data.normalization, onFirstForward));
      if (features.count !== records.count) {
        throw new RangeError(`cached ${split} features hold ${features.count} images, but this rank has ${records.count}`);
      }
      return features;
    };
    return { train: await load('train', train), valid: await load('valid', valid) };
  }

  /** The valid split in evaluation chunks: images through the whole model, or cached features through the top. */
  private *validBatches(): Generator<{ x: () => tf.Tensor; y: Int32Array; from: number }> {
    const { valid, spec } = this.options;
    if (valid.count === 0) return;
    const active = this.active;
    if (active?.features === undefined) {
      for (const batch of imageBatches(valid, { batchSize: evaluationChunk, normalization: spec.data.normalization })) {
        yield { x: () => tf.tensor4d(batch.x, batch.shape as [number, number, number, number]), y: batch.y, from: 0 };
      }
      return;
    }
    const features = active.features.valid;
    for (let start = 0; start < features.count; start += evaluationChunk) {
      const rows = Int32Array.from({ length: Math.min(evaluationChunk, features.count - start) }, (_, i) => start + i);
      const x = gatherFeatureRows(features, rows);
      yield { x: () => tf.tensor(x, [rows.length, ...features.shape]), y: valid.labels.subarray(start, start + rows.length), from: active.trainedFrom };
    }
  }

  private epochOrder(epochIndex: number): Int32Array {
    if (this.order?.epoch !== epochIndex) {
      this.order = { epoch: epochIndex, rows: epochOrder(this.options.train.count, this.options.spec.training.seed, epochIndex, this.options.rank) };
    }
    return this.order.rows;
  }
}
