import * as tf from '@tensorflow/tfjs-core';
import type { OptimizerName } from '../jobs/job-spec.ts';

/** Kernel names of the fused optimizer update (implemented for webgpu in backends/webgpu-optimizer-kernels.ts). */
export const sgdUpdateKernel = 'TesseraSgdUpdate';
export const adamMomentKernel = 'TesseraAdamMoment';
export const adamWeightsKernel = 'TesseraAdamWeights';

const kernelsOf: Partial<Record<OptimizerName, readonly string[]>> = {
  sgd: [sgdUpdateKernel],
  adam: [adamMomentKernel, adamWeightsKernel],
};

/** Whether the current backend has the fused update kernels for this optimizer (webgpu, for sgd and adam). */
export function fusedUpdateSupported(optimizer: OptimizerName): boolean {
  const needed = kernelsOf[optimizer];
  const backend = tf.getBackend();
  return needed !== undefined && needed.every((kernel) => tf.getKernel(kernel, backend) !== undefined);
}

/**
 * Where variable `index`'s gradient is: a tensor of at least its size, starting at `offset` — the whole reduced
 * fusion buffer with the variable's offset in it, or the variable's own local gradient with offset 0.
 */
export type GradientSource = (index: number) => { readonly tensor: tf.Tensor; readonly offset: number };

/** The gradients of `variables` inside one flat buffer laid out as `layout` (a GradientFusion) says. */
export function fromFlatBuffer(flat: tf.Tensor1D, layout: { offsetOf(index: number): number }): GradientSource {
  return (index) => ({ tensor: flat, offset: layout.offsetOf(index) });
}

interface OptimizerVariable {
  originalName: string;
  variable: tf.Variable;
}
interface SgdInternals {
  learningRate: number;
  incrementIterations(): void;
}
interface AdamInternals extends SgdInternals {
  beta1: number;
  beta2: number;
  epsilon: number;
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: OptimizerVariable[];
  accumulatedSecondMoment: OptimizerVariable[];
}

/**
 * One step of a tfjs SGD or Adam optimizer (as createOptimizer makes them) applied straight from gradients already on
 * the device (the reduced flat buffer, uploaded once, or a single worker's own gradients): one kernel per variable for
 * SGD, three for Adam, instead of one upload per variable and tfjs' two (SGD) or about thirteen (Adam) kernels. The state stays in the optimizer's own
 * variables (moments named `<variable>/m` and `/v`, the β powers, the iteration count), so checkpoints and a later
 * plain `applyGradients` see exactly what tfjs would have left. Call only when {@link fusedUpdateSupported}.
 */
export function applyFusedUpdate(
  optimizer: tf.Optimizer,
  name: OptimizerName,
  variables: readonly tf.Variable[],
  gradient: GradientSource,
): void {
  const engine = tf.engine();
  const run = (kernel: string, inputs: tf.NamedTensorMap, attrs: object): tf.Tensor =>
    engine.runKernel<tf.Tensor>(kernel, inputs, attrs as unknown as tf.NamedAttrMap);
  if (name === 'sgd') {
    const sgd = optimizer as unknown as SgdInternals;
    variables.forEach((w, i) => {
      const { tensor: flat, offset } = gradient(i);
      const next = run(sgdUpdateKernel, { w, flat }, { offset, learningRate: sgd.learningRate });
      w.assign(next);
      next.dispose();
    });
    sgd.incrementIterations();
    return;
  }
  if (name !== 'adam') throw new Error(`no fused update for optimizer ${name}`);
  const adam = optimizer as unknown as AdamInternals;
  variables.forEach((w, i) => {
    // The slots tfjs' Adam creates on its first step, under the same names, in the same positions.
    const m = (adam.accumulatedFirstMoment[i] ??= { originalName: `${w.name}/m`, variable: tf.tidy(() => tf.zerosLike(w).variable(false)) }).variable;
    const v = (adam.accumulatedSecondMoment[i] ??= { originalName: `${w.name}/v`, variable: tf.tidy(() => tf.zerosLike(w).variable(false)) }).variable;
    const { tensor: flat, offset } = gradient(i);
    const nextW = run(adamWeightsKernel, { w, m, v, flat, accBeta1: adam.accBeta1, accBeta2: adam.accBeta2 }, {
      offset,
      learningRate: adam.learningRate,
      beta1: adam.beta1,
      beta2: adam.beta2,
      epsilon: adam.epsilon,
    });
    const nextM = run(adamMomentKernel, { m, flat }, { offset, beta: adam.beta1, square: false });
    const nextV = run(adamMomentKernel, { m: v, flat }, { offset, beta: adam.beta2, square: true });
    m.assign(nextM);
    v.assign(nextV);
    w.assign(nextW);
    tf.dispose([nextW, nextM, nextV]);
  });
  tf.tidy(() => {
    adam.accBeta1.assign(tf.mul(adam.accBeta1, adam.beta1));
    adam.accBeta2.assign(tf.mul(adam.accBeta2, adam.beta2));
  });
  adam.incrementIterations();
}
