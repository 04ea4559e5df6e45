import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { OptimizerName } from '../jobs/job-spec.ts';
import { applyFusedUpdate, fromFlatBuffer, fusedUpdateSupported } from './fused-update.ts';
import { GradientFusion } from './gradient-fusion.ts';
import { setOptimizerLearningRate } from './learning-rate-schedule.ts';
import { createOptimizer, decodeOptimizerState, encodeOptimizerState } from './optimizer-state.ts';

/** Sums a fusion buffer over all ranks; every rank must call it once per step with a buffer of the same length. */
export type AllReduceSum = (flat: Float32Array) => Promise<Float32Array>;

export interface SynchronousUpdateOptions {
  readonly model: tfl.LayersModel;
  readonly optimizer: OptimizerName;
  readonly learningRate: number;
  readonly allReduceSum: AllReduceSum;
  /** Ranks in the job. With one, and the fused update available (webgpu), gradients never leave the device. */
  readonly worldSize?: number;
  /** Runs once, before the first step this rank has rows for (see {@link FirstGradientsHook}). */
  readonly onFirstGradients?: FirstGradientsHook | undefined;
}

/**
 * Given, once, a function that computes the first step's local loss and gradients and changes nothing (it may be
 * called repeatedly; the caller disposes what it returns): the place to measure kernels on the job's real shapes
 * (backends/webgpu-kernel-choice.ts). The step waits for it.
 */
export type FirstGradientsHook = (gradients: () => tf.TensorContainer) => Promise<void>;

/**
 * The part of a data-parallel step every workload shares: local gradients of a loss the caller has already divided
 * by the GLOBAL batch, one all-reduce of the fusion buffer (gradients + loss), and the same optimizer update on every
 * replica. Owns the optimizer (and its checkpointed slots); the model belongs to the caller.
 */
export class SynchronousUpdate {
  private readonly fusion: GradientFusion;
  private readonly options: SynchronousUpdateOptions;
  private optimizer: tf.Optimizer;
  private firstGradients: FirstGradientsHook | undefined;

  constructor(options: SynchronousUpdateOptions) {
    this.options = options;
    this.firstGradients = options.onFirstGradients;
    this.fusion = new GradientFusion(options.model.trainableWeights.map((w) => w.read() as tf.Variable));
    this.optimizer = createOptimizer(options.optimizer, options.learningRate);
  }

  /** The rate the next steps apply (a schedule sets it before each step). */
  setLearningRate(learningRate: number): void {
    setOptimizerLearningRate(this.optimizer, learningRate);
  }

  /** Length of the fusion buffer every rank passes to `allReduceSum` (parameters + 1 loss element). */
  get fusionBufferLength(): number {
    return this.fusion.bufferLength;
  }

  /**
   * One optimizer step. `localLoss` builds this rank's summed loss over its rows divided by the global batch size
   * (null: the rank has no rows this step and contributes zeros). Returns the global batch's mean loss.
   */
  async step(localLoss: (() => tf.Scalar) | null): Promise<number> {
    const { loss } = await this.queueStep(localLoss);
    return loss;
  }

  /**
   * {@link step}, returning as soon as the step is queued. On the single-rank fused path (webgpu) nothing is read back
   * to the CPU, and the loss is a promise that resolves when the device reaches it (see StepLosses); elsewhere the
   * all-reduce has already brought the loss back with the gradients, and it is a number.
   */
  async queueStep(localLoss: (() => tf.Scalar) | null): Promise<{ loss: number | Promise<number> }> {
    const firstGradients = this.firstGradients;
    if (localLoss !== null && firstGradients !== undefined) {
      this.firstGradients = undefined;
      const variables = [...this.fusion.variables];
      await firstGradients(() => tf.tidy(() => tf.variableGrads(localLoss, variables)));
    }
    if (localLoss !== null && this.options.worldSize === 1 && fusedUpdateSupported(this.options.optimizer)) {
      return { loss: this.localStep(localLoss) };
    }
    let flat: Float32Array;
    if (localLoss === null) {
      flat = this.fusion.zeros();
    } else {
      // tidy: the caller's input tensors, made inside `localLoss`, go with the step.
      const { value, grads } = tf.tidy(() => tf.variableGrads(localLoss, [...this.fusion.variables]));
      try {
        flat = await this.fusion.flatten(grads, value);
      } finally {
        tf.dispose([value, ...Object.values(grads)]);
      }
    }
    const reduced = await this.options.allReduceSum(flat);
    if (fusedUpdateSupported(this.options.optimizer)) {
      // One upload of the whole buffer; each variable's update kernel reads its gradient at its offset.
      const onDevice = tf.tensor1d(reduced, 'float32');
      try {
        applyFusedUpdate(this.optimizer, this.options.optimizer, this.fusion.variables, fromFlatBuffer(onDevice, this.fusion));
      } finally {
        onDevice.dispose();
      }
    } else {
      const summed = this.fusion.unflatten(reduced);
      try {
        this.optimizer.applyGradients(summed);
      } finally {
        tf.dispose(Object.values(summed));
      }
    }
    return { loss: this.fusion.loss(reduced) };
  }

  /**
   * A single rank's step on the fused update: nothing to sum with peers, so the gradients go from the backward pass
   * straight into the update kernels. Queues the step and returns the loss's read without waiting for it.
   */
  private localStep(localLoss: () => tf.Scalar): Promise<number> {
    const variables = this.fusion.variables;
    const { value, grads } = tf.tidy(() => tf.variableGrads(localLoss, [...variables]));
    // A variable the loss does not reach gets a zero gradient, as in the buffer path (the optimizer still steps it).
    const zeros = new Map<number, tf.Tensor>();
    try {
      applyFusedUpdate(this.optimizer, this.options.optimizer, variables, (i) => {
        const grad = grads[variables[i]!.name];
        if (grad !== undefined) return { tensor: grad, offset: 0 };
        const zero = zeros.get(i) ?? tf.zeros(variables[i]!.shape);
        zeros.set(i, zero);
        return { tensor: zero, offset: 0 };
      });
    } catch (error) {
      value.dispose();
      throw error;
    } finally {
      tf.dispose([...zeros.values(), ...Object.values(grads)]);
    }
    // The loss scalar lives until its read completes.
    return value
      .data()
      .then((values) => values[0] ?? Number.NaN)
      .finally(() => value.dispose());
  }

  /** The optimizer's slots as checkpoint bytes (see optimizer-state.ts). */
  saveOptimizer(): Promise<Uint8Array> {
    return encodeOptimizerState(this.optimizer, this.options.optimizer);
  }

  async restoreOptimizer(bytes: Uint8Array): Promise<void> {
    const optimizer = await decodeOptimizerState(bytes, this.options.optimizer, this.options.learningRate);
    this.optimizer.dispose();
    this.optimizer = optimizer;
  }

  dispose(): void {
    this.optimizer.dispose();
  }
}
