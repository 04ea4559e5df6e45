import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { compareTrainingGradients } from './gradient-check.ts';
import { startTestWebgpu } from './webgpu-runtime.ts';
import type * as Kernels from './webgpu-training-kernels.ts';

// Imported after WebGPU is up: tfjs-backend-webgpu looks for navigator.gpu when first imported.
let kernels: typeof Kernels;

describe('registerWebgpuTrainingKernels', () => {
  beforeAll(async () => {
    await startTestWebgpu();
    kernels = await import('./webgpu-training-kernels.ts');
  });

  it('replaces the slow training kernels and adds the fused update, once, and can put the stock ones back', () => {
    const stock = tf.getKernel('Conv2DBackpropFilter', 'webgpu').kernelFunc;
    const names = kernels.registerWebgpuTrainingKernels();
    expect(names).toEqual([
      'Conv2DBackpropFilter',
      'Sum',
      'MaxPoolGrad',
      'BatchMatMul',
      '_FusedMatMul',
      'Conv2D',
      'FusedConv2D',
      'Conv2DBackpropInput',
      'TesseraSgdUpdate',
      'TesseraAdamMoment',
      'TesseraAdamWeights',
    ]);
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
    const check = await compareTrainingGradients('cpu', 'webgpu');
    expect(check.tensors).toBe(11);
    expect(check.referenceNonZero).toBe(true);
    expect(check.worstRelativeError).toBeLessThan(1e-4);
  });
});
