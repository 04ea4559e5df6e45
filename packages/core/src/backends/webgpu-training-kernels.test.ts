import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { startTestWebgpu } from './webgpu-runtime.ts';
import type * as Kernels from './webgpu-training-kernels.ts';

// Imported after WebGPU is up: tfjs-backend-webgpu looks for navigator.gpu when first imported.
let kernels: typeof Kernels;

/** A small VGG-shaped model: conv-relu ×2, 2x2 max pool, conv, pool, dense softmax (every kernel Tessera replaces). */
function model(): tfl.LayersModel {
  const m = tfl.sequential();
  m.add(tfl.layers.conv2d({ inputShape: [12, 10, 3], filters: 5, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }) }));
  m.add(tfl.layers.conv2d({ filters: 6, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }) }));
  m.add(tfl.layers.maxPooling2d({ poolSize: 2, strides: 2 }));
  m.add(tfl.layers.conv2d({ filters: 7, kernelSize: 3, padding: 'valid', activation: 'relu', kernelInitializer: tfl.initializers.glorotUniform({ seed: 3 }) }));
  m.add(tfl.layers.maxPooling2d({ poolSize: 2, strides: 2 }));
  m.add(tfl.layers.flatten());
  m.add(tfl.layers.dense({ units: 4, activation: 'softmax', kernelInitializer: tfl.initializers.glorotUniform({ seed: 4 }) }));
  return m;
}

/** Loss and every weight's gradient for one batch, computed on `backend`. */
async function gradientsOn(backend: string): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const m = model();
  // Bias initialisers are zeros: give them values so their gradients' sums are not trivially checked.
  m.trainableWeights.filter((w) => w.name.includes('bias')).forEach((w, i) => w.write(tf.fill(w.shape as number[], 0.01 * (i + 1))));
  const x = tf.tidy(() => tf.sin(tf.mul(tf.reshape(tf.range(0, 3 * 12 * 10 * 3), [3, 12, 10, 3]), 0.37)));
  const y = tf.oneHot(tf.tensor1d([0, 2, 3], 'int32'), 4);
  const variables = m.trainableWeights.map((w) => w.read() as tf.Variable);
  const { value, grads } = tf.variableGrads(() => tf.mean(tfl.metrics.categoricalCrossentropy(y, m.apply(x) as tf.Tensor)), variables);
  const out = [(await value.data()) as Float32Array, ...(await Promise.all(variables.map(async (v) => (await grads[v.name]!.data()) as Float32Array)))];
  tf.dispose([x, y, value, ...Object.values(grads)]);
  m.dispose();
  return out;
}

describe('registerWebgpuTrainingKernels', () => {
  beforeAll(async () => {
    await startTestWebgpu();
    kernels = await import('./webgpu-training-kernels.ts');
  });

  it('replaces the slow training kernels and adds the fused update, once, and can put the stock ones back', () => {
    const stock = tf.getKernel('Conv2DBackpropFilter', 'webgpu').kernelFunc;
    const names = kernels.registerWebgpuTrainingKernels();
    expect(names).toEqual(['Conv2DBackpropFilter', 'Sum', 'MaxPoolGrad', 'TesseraSgdUpdate', 'TesseraAdamMoment', 'TesseraAdamWeights']);
    const ours = tf.getKernel('Conv2DBackpropFilter', 'webgpu').kernelFunc;
    expect(ours).not.toBe(stock);
    expect(kernels.registerWebgpuTrainingKernels()).toEqual(names);
    expect(tf.getKernel('Conv2DBackpropFilter', 'webgpu').kernelFunc).toBe(ours);
    kernels.restoreStockWebgpuKernels();
    expect(tf.getKernel('Conv2DBackpropFilter', 'webgpu').kernelFunc).toBe(stock);
    kernels.registerWebgpuTrainingKernels();
    expect(tf.getKernel('Conv2DBackpropFilter', 'webgpu').kernelFunc).not.toBe(stock);
  });

  it('gives a small VGG-shaped model the loss and gradients the cpu backend gives, to 1e-4', async () => {
    kernels.registerWebgpuTrainingKernels();
    const cpu = await gradientsOn('cpu');
    const gpu = await gradientsOn('webgpu');
    expect(gpu).toHaveLength(cpu.length);
    gpu.forEach((values, i) => {
      const reference = cpu[i]!;
      expect(values.length).toBe(reference.length);
      const scale = Math.max(1, ...reference.map(Math.abs));
      const worst = values.reduce((w, v, j) => Math.max(w, Math.abs(v - reference[j]!)), 0);
      expect(worst / scale).toBeLessThan(1e-4);
      expect(reference.some((v) => v !== 0)).toBe(true);
    });
  });
});
