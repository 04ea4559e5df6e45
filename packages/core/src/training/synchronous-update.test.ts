import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { startTestWebgpu } from '../backends/webgpu-runtime.ts';
import type { OptimizerName } from '../jobs/job-spec.ts';
import { SynchronousUpdate } from './synchronous-update.ts';

interface Outcome {
  losses: number[];
  weights: Float32Array[];
}

/** Three steps of a small dense net on `backend`; `worldSize` 1 takes the single-rank path where it exists. */
async function train(backend: string, optimizer: OptimizerName, worldSize: number | undefined): Promise<Outcome> {
  await tf.setBackend(backend);
  const model = tfl.sequential({
    layers: [
      tfl.layers.dense({ inputShape: [6], units: 5, activation: 'relu', kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }) }),
      tfl.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }) }),
    ],
  });
  const sums: number[] = [];
  const update = new SynchronousUpdate({
    model,
    optimizer,
    learningRate: 0.05,
    // One rank: the sum over ranks is the buffer itself (the buffer is still read back and re-uploaded).
    allReduceSum: (flat) => {
      sums.push(flat.length);
      return Promise.resolve(flat);
    },
    ...(worldSize === undefined ? {} : { worldSize }),
  });
  const losses: number[] = [];
  for (let step = 0; step < 3; step++) {
    losses.push(
      await update.step(() => {
        const x = tf.sin(tf.mul(tf.reshape(tf.range(step, step + 24), [4, 6]), 0.7));
        const y = tf.oneHot(tf.tensor1d([0, 1, 2, step % 3], 'int32'), 3);
        return tf.div(tf.sum(tfl.metrics.categoricalCrossentropy(y, model.apply(x) as tf.Tensor)), 4);
      }),
    );
  }
  const weights = await Promise.all(model.getWeights().map(async (w) => (await w.data()) as Float32Array));
  update.dispose();
  model.dispose();
  if (worldSize === 1 && tf.getKernel('TesseraSgdUpdate', backend) !== undefined) expect(sums).toEqual([]);
  else expect(sums).toHaveLength(3);
  return { losses, weights };
}

function expectSame(actual: Outcome, expected: Outcome): void {
  // The backends' forward passes already differ in the last bits (softmax, log): 1e-4, relative, as for every kernel.
  actual.losses.forEach((loss, i) => expect(Math.abs(loss - expected.losses[i]!) / Math.max(1, Math.abs(loss))).toBeLessThan(1e-4));
  actual.weights.forEach((w, i) => w.forEach((v, j) => expect(Math.abs(v - expected.weights[i]![j]!)).toBeLessThan(1e-4)));
}

const fusedKernels = ['TesseraSgdUpdate', 'TesseraAdamMoment', 'TesseraAdamWeights'];

// The reference is tfjs' own optimizer on the same device (the fused kernels unregistered): Adam's first steps move
// each weight by about ±lr whatever the gradient's size, so the last-bit differences between two backends' forward
// passes would show in the weights; the kernels themselves are checked against cpu in webgpu-optimizer-kernels.test.ts.
describe('SynchronousUpdate with the fused update (webgpu) against tfjs optimizers on the same device', () => {
  let register: () => readonly string[];
  beforeAll(async () => {
    await startTestWebgpu();
    ({ registerWebgpuTrainingKernels: register } = await import('../backends/webgpu-training-kernels.ts'));
    register();
  });

  it.each(['sgd', 'adam'] as const)('%s: the buffer path and the single-rank path give the same losses and weights', async (optimizer) => {
    for (const kernel of fusedKernels) tf.unregisterKernel(kernel, 'webgpu');
    const reference = await train('webgpu', optimizer, undefined);
    register();
    expect(reference.losses.every(Number.isFinite)).toBe(true);
    expectSame(await train('webgpu', optimizer, undefined), reference);
    expectSame(await train('webgpu', optimizer, 1), reference);
    // Where the fused update does not exist (cpu), one rank takes the buffer path.
    expectSame(await train('cpu', optimizer, 1), await train('cpu', optimizer, undefined));
  });
});
