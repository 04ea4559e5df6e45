import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { startTestWebgpu } from '../backends/webgpu-runtime.ts';
import type { OptimizerName } from '../jobs/job-spec.ts';
import { parseJobSpec } from '../jobs/job-spec.ts';
import { createReplicas, runReplicas } from '../testing/in-process-replicas.ts';
import { sonarDataset } from '../testing/sonar-fixture.ts';
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
let register: () => readonly string[];

// The reference is tfjs' own optimizer on the same device (the fused kernels unregistered): Adam's first steps move
// each weight by about ±lr whatever the gradient's size, so the last-bit differences between two backends' forward
// passes would show in the weights; the kernels themselves are checked against cpu in webgpu-optimizer-kernels.test.ts.
describe('SynchronousUpdate with the fused update (webgpu) against tfjs optimizers on the same device', () => {
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

// A whole single-rank run on webgpu takes the deferred path: each step is queued without reading its loss, and
// StepLosses reads them a window later; the run must still report every step, in order, with the losses the
// non-deferred path (tfjs' optimizer, the loss read every step) gives.
describe('a single-rank run on webgpu with its losses read a window at a time', () => {
  beforeAll(async () => {
    await startTestWebgpu();
    const { registerWebgpuTrainingKernels } = await import('../backends/webgpu-training-kernels.ts');
    registerWebgpuTrainingKernels();
  });

  async function sonarRun(): Promise<Array<{ step: number; epoch: number; loss: number }>> {
    await tf.setBackend('webgpu');
    const parsed = parseJobSpec({
      name: 'deferred',
      workload: 'tabular-classification',
      dataset: 'sonar',
      model: { hidden: [{ units: 12, activation: 'relu' }] },
      training: { seed: 3, batchSize: 32, learningRate: 0.01, epochs: 3, optimizer: 'adam' },
    });
    if (!parsed.ok || parsed.spec.workload !== 'tabular-classification') throw new Error('bad spec');
    const replicas = createReplicas(parsed.spec, sonarDataset(parsed.spec), 1);
    const steps: Array<{ step: number; epoch: number; loss: number }> = [];
    try {
      const result = await runReplicas(replicas, { onStep: ({ step, epoch, loss }) => void steps.push({ step, epoch, loss }) });
      expect(result.status).toBe('completed');
    } finally {
      replicas[Symbol.dispose]();
    }
    return steps;
  }

  it('queues a single-rank webgpu step without its loss, and gives a number where the loss came back already', async () => {
    for (const backend of ['webgpu', 'cpu']) {
      await tf.setBackend(backend);
      const model = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [2], units: 1 })] });
      const update = new SynchronousUpdate({ model, optimizer: 'sgd', learningRate: 0.1, allReduceSum: (f) => Promise.resolve(f), worldSize: 1 });
      const { loss } = await update.queueStep(() => tf.sum(tf.square(model.apply(tf.ones([3, 2])) as tf.Tensor)));
      if (backend === 'webgpu') expect(loss).toBeInstanceOf(Promise);
      else expect(typeof loss).toBe('number');
      expect(Number.isFinite(await loss)).toBe(true);
      update.dispose();
      model.dispose();
    }
  });

  it('reports every step in order with the losses of the loss-every-step path', async () => {
    const deferred = await sonarRun();
    for (const kernel of fusedKernels) tf.unregisterKernel(kernel, 'webgpu');
    const everyStep = await sonarRun();
    register();
    expect(deferred.map((s) => s.step)).toEqual(everyStep.map((s) => s.step));
    expect(deferred.map((s) => s.step)).toEqual(Array.from({ length: deferred.length }, (_, i) => i + 1));
    expect(deferred.map((s) => s.epoch)).toEqual(everyStep.map((s) => s.epoch));
    deferred.forEach((s, i) => expect(Math.abs(s.loss - everyStep[i]!.loss)).toBeLessThan(1e-4));
  });
});

describe('SynchronousUpdate onFirstGradients', () => {
  it('hands the first step with rows its gradients once, before the update, and they change nothing', async () => {
    await tf.setBackend('cpu');
    const model = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [2], units: 1, kernelInitializer: 'ones' })] });
    const seen: Array<{ loss: number; gradients: number; weights: number[] }> = [];
    const update = new SynchronousUpdate({
      model,
      optimizer: 'sgd',
      learningRate: 0.1,
      allReduceSum: (f) => Promise.resolve(f),
      onFirstGradients: async (gradients) => {
        for (let i = 0; i < 2; i++) {
          const result = gradients();
          const { value, grads } = result as { value: tf.Scalar; grads: tf.NamedTensorMap };
          seen.push({ loss: (await value.data())[0]!, gradients: Object.keys(grads).length, weights: Array.from(await model.getWeights()[0]!.data()) });
          tf.dispose(result);
        }
      },
    });
    const loss = (): tf.Scalar => tf.sum(tf.square(model.apply(tf.ones([3, 2])) as tf.Tensor));
    await update.step(null);
    expect(seen).toEqual([]);
    const before = tf.memory().numTensors;
    const first = await update.step(loss);
    await update.step(loss);
    expect(seen).toEqual([
      { loss: first, gradients: 2, weights: [1, 1] },
      { loss: first, gradients: 2, weights: [1, 1] },
    ]);
    expect(tf.memory().numTensors).toBe(before);
    update.dispose();
    model.dispose();
  });
});
