import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerWasmTrainingKernels } from '../backends/wasm-training-kernels.ts';
import { SeededRandom } from '../random/seeded-random.ts';
import { buildSmallVgg } from './small-vgg.ts';

beforeAll(async () => {
  registerWasmTrainingKernels();
  await tf.setBackend('wasm');
});

describe('buildSmallVgg', () => {
  it('has VGG-style layer names and 1,142,081 parameters at 64x64x3 with two classes', () => {
    const model = buildSmallVgg({ classCount: 2, seed: 1 });
    expect(model.layers.map((l) => l.name)).toEqual([
      'block1_conv1', 'block1_pool', 'block2_conv1', 'block2_pool', 'block3_conv1', 'block3_pool',
      'flatten', 'fc1', 'dropout', 'predictions',
    ]);
    expect(model.countParams()).toBe(896 + 18_496 + 73_856 + 8 * 8 * 128 * 128 + 128 + 129);
    expect(model.outputs[0]!.shape).toEqual([null, 1]);
    model.dispose();
    const threeWay = buildSmallVgg({ classCount: 3, seed: 1, dropout: 0 });
    expect(threeWay.layers.map((l) => l.name)).not.toContain('dropout');
    expect(threeWay.outputs[0]!.shape).toEqual([null, 3]);
    threeWay.dispose();
  });

  it('learns on the wasm backend: loss falls over a few Adam steps on a separable batch', async () => {
    // Class 1 images are brighter in the red channel: learnable in a few steps, so a broken gradient shows.
    const rng = SeededRandom.fromSeed(3);
    const n = 16;
    const pixels = new Float32Array(n * 32 * 32 * 3);
    const labels = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      labels[i] = i % 2;
      for (let p = 0; p < 32 * 32; p++) {
        for (let c = 0; c < 3; c++) pixels[(i * 32 * 32 + p) * 3 + c] = rng.next() + (c === 0 && i % 2 === 1 ? 0.5 : 0);
      }
    }
    const model = buildSmallVgg({ classCount: 2, seed: 5, inputShape: [32, 32, 3], blocks: [8, 16], denseUnits: 16, dropout: 0 });
    model.compile({ optimizer: tf.train.adam(0.003), loss: 'binaryCrossentropy' });
    const x = tf.tensor4d(pixels, [n, 32, 32, 3]);
    const y = tf.tensor2d(labels, [n, 1]);
    const losses: number[] = [];
    for (let step = 0; step < 8; step++) losses.push((await model.trainOnBatch(x, y)) as number);
    expect(tf.getBackend()).toBe('wasm');
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses.at(-1)!).toBeLessThan(losses[0]! * 0.8);
    tf.dispose([x, y]);
    model.dispose();
  });

  it('puts batch normalisation after each convolution when asked (conv without bias, BN, relu)', () => {
    const model = buildSmallVgg({ classCount: 2, seed: 1, blocks: [32, 64], batchNorm: true });
    expect(model.layers.map((l) => l.name)).toEqual([
      'block1_conv1', 'block1_bn1', 'block1_relu1', 'block1_pool', 'block2_conv1', 'block2_bn1', 'block2_relu1', 'block2_pool',
      'flatten', 'fc1', 'dropout', 'predictions',
    ]);
    // Convolutions lose their biases (32 + 64) and each BN holds 4 values per channel (gamma, beta, moving mean/var).
    const plain = buildSmallVgg({ classCount: 2, seed: 1, blocks: [32, 64] });
    expect(model.countParams()).toBe(plain.countParams() - (32 + 64) + 4 * (32 + 64));
    expect(model.trainableWeights.length).toBe(plain.trainableWeights.length + 2);
    model.dispose();
    plain.dispose();
  });

  it('refuses inputs too small for its blocks', () => {
    expect(() => buildSmallVgg({ classCount: 2, seed: 1, inputShape: [4, 64, 3] })).toThrow(/at least 8x8 for 3 blocks, got 4x64/);
  });
});
