import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import type * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerCpuKernelFixes } from '../backends/cpu-kernel-fixes.ts';
import { registerWasmTrainingKernels } from '../backends/wasm-training-kernels.ts';
import { buildUNet2d } from '../models/unet2d.ts';
import type { UNet2dOptions } from '../models/unet2d.ts';
import { buildUNet3d } from '../models/unet3d.ts';
import { SeededRandom } from '../random/seeded-random.ts';
import { bceDiceLossSum, maskScoreSums } from './segmentation-loss.ts';

beforeAll(() => {
  registerWasmTrainingKernels();
  // The reference: tfjs-backend-cpu 4.22's ResizeNearestNeighborGrad is wrong for batches above 1 without it.
  registerCpuKernelFixes();
});

interface Blobs {
  readonly x: Float32Array;
  readonly y: Float32Array;
  readonly shape: number[];
}

/**
 * `count` images (or volumes) of side `side` in `dims` dimensions: uniform noise in [0, 0.5) plus 0.5 inside a disc
 * (ball) of radius min(3, side/4)..side/4 at a random centre; the mask is the disc.
 */
function blobs(count: number, side: number, dims: 2 | 3, seed: number): Blobs {
  const random = SeededRandom.fromSeed(seed, 'blobs', dims);
  const voxels = side ** dims;
  const x = new Float32Array(count * voxels);
  const y = new Float32Array(count * voxels);
  for (let i = 0; i < count; i++) {
    const radius = Math.min(3, side / 4) + random.next() * Math.max(0, side / 4 - 3);
    const centre = Array.from({ length: dims }, () => radius + random.next() * (side - 2 * radius));
    for (let v = 0; v < voxels; v++) {
      let d2 = 0;
      for (let axis = 0, rest = v; axis < dims; axis++, rest = Math.floor(rest / side)) d2 += ((rest % side) + 0.5 - centre[axis]!) ** 2;
      const inside = d2 <= radius * radius ? 1 : 0;
      x[i * voxels + v] = random.next() * 0.5 + 0.5 * inside;
      y[i * voxels + v] = inside;
    }
  }
  return { x, y, shape: [count, ...Array<number>(dims).fill(side), 1] };
}

function rows(data: Blobs, lo: number, hi: number): [tf.Tensor, tf.Tensor] {
  const per = data.x.length / (data.shape[0] ?? 1);
  const shape = [hi - lo, ...data.shape.slice(1)];
  return [tf.tensor(data.x.subarray(lo * per, hi * per), shape), tf.tensor(data.y.subarray(lo * per, hi * per), shape)];
}

/**
 * Adam on BCE + Dice over batches of the training blobs; returns the mean Dice on the held-out blobs. Cross-entropy
 * weighted 0.1: at weight 1 it first drives every probability under 0.5 (the background is 90% of the pixels) and
 * the thresholded Dice stays 0 for about twice the steps (measured here).
 */
async function trainAndScore(model: tfl.LayersModel, train: Blobs, test: Blobs, steps: number, batch: number, learningRate: number): Promise<number> {
  const optimizer = tf.train.adam(learningRate);
  const count = train.shape[0] ?? 0;
  for (let step = 0; step < steps; step++) {
    const lo = (step * batch) % count;
    optimizer.minimize(() => {
      const [x, y] = rows(train, lo, lo + batch);
      return tf.div<tf.Scalar>(bceDiceLossSum(model.apply(x, { training: true }) as tf.Tensor, y, { crossEntropyWeight: 0.1 }), batch);
    });
  }
  optimizer.dispose();
  const [x, y] = rows(test, 0, test.shape[0] ?? 0);
  const p = model.predict(x) as tf.Tensor;
  const sums = await maskScoreSums(p, y);
  tf.dispose([x, y, p]);
  return sums.diceSum / sums.count;
}

/**
 * One gradient of `build()`'s model on its first two samples of `data` (the loss summed over them, divided by 2), on
 * cpu and on wasm: the losses agree to 5 digits and every weight's gradient to 1e-4 of its largest element; with
 * `everyWeightHasGradient`, no weight's gradient is all (near) zeros.
 */
async function expectWasmGradientsMatchCpu(
  build: () => tfl.LayersModel,
  lossSum: (probabilities: tf.Tensor, masks: tf.Tensor) => tf.Scalar,
  data: Blobs,
  options: { everyWeightHasGradient?: boolean } = {},
): Promise<void> {
  const gradients = async (backend: 'cpu' | 'wasm') => {
    await tf.setBackend(backend);
    const model = build();
    const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const { value, grads } = tf.variableGrads(() => {
      const [x, y] = rows(data, 0, 2);
      return tf.div<tf.Scalar>(lossSum(model.apply(x, { training: true }) as tf.Tensor, y), 2);
    }, variables);
    const out = { loss: (await value.data())[0]!, grads: await Promise.all(variables.map(async (v) => ({ name: v.name, values: await grads[v.name]!.data<'float32'>() }))) };
    tf.dispose([value, ...Object.values(grads)]);
    model.dispose();
    return out;
  };
  const cpu = await gradients('cpu');
  const wasm = await gradients('wasm');
  expect(wasm.loss).toBeCloseTo(cpu.loss, 5);
  expect(wasm.grads.map((g) => g.values.length)).toEqual(cpu.grads.map((g) => g.values.length));
  for (const [i, reference] of cpu.grads.entries()) {
    const actual = wasm.grads[i]!.values;
    const scale = Math.max(1e-6, ...reference.values.map(Math.abs));
    const worst = reference.values.reduce((w, r, j) => Math.max(w, Math.abs(actual[j]! - r)), 0);
    expect(worst / scale, reference.name).toBeLessThanOrEqual(1e-4);
    if (options.everyWeightHasGradient) expect(scale, `${reference.name} has a gradient`).toBeGreaterThan(1e-6);
  }
}

describe('U-Net training', () => {
  it('a tiny 2D U-Net learns to segment a bright disc on noise on the wasm backend', async () => {
    await tf.setBackend('wasm');
    const model = buildUNet2d({ inputShape: [32, 32, 1], depth: 2, baseFilters: 4, seed: 1 });
    // Dice 0.95 after 20 steps and 0.98 after 40 here.
    const dice = await trainAndScore(model, blobs(32, 32, 2, 1), blobs(8, 32, 2, 2), 30, 8, 0.02);
    expect(dice).toBeGreaterThan(0.8);
    model.dispose();
  });

  it('a tiny 3D U-Net learns to segment a bright ball on noise on the wasm backend', async () => {
    await tf.setBackend('wasm');
    const model = buildUNet3d({ inputShape: [8, 8, 8, 1], depth: 2, baseFilters: 4, seed: 1 });
    // The cpu test's data and steps: Dice 0.92 here, in 2 s against its 7-10.
    const dice = await trainAndScore(model, blobs(32, 8, 3, 1), blobs(8, 8, 3, 2), 60, 4, 0.03);
    expect(dice).toBeGreaterThan(0.8);
    model.dispose();
  });

  it('a tiny 3D U-Net learns to segment a bright ball on noise on the cpu backend', async () => {
    // 8³, not 16³: the cpu backend's 3D convolutions take 0.5 s per 16³ step of 2 patches, and 16³ needs many more steps.
    await tf.setBackend('cpu');
    const model = buildUNet3d({ inputShape: [8, 8, 8, 1], depth: 2, baseFilters: 4, seed: 1 });
    // Dice 0.87 after 40 steps and 0.91 after 60 here.
    const dice = await trainAndScore(model, blobs(32, 8, 3, 1), blobs(8, 8, 3, 2), 60, 4, 0.03);
    expect(dice).toBeGreaterThan(0.8);
    model.dispose();
  });

  it('one 3D U-Net gradient on wasm matches cpu to 1e-4 relative (convolutions, poolings, up-convolutions, skips)', async () => {
    const data = blobs(2, 8, 3, 6);
    await expectWasmGradientsMatchCpu(
      () => buildUNet3d({ inputShape: [8, 8, 8, 1], depth: 2, baseFilters: 4, seed: 9 }),
      (p, y) => bceDiceLossSum(p, y),
      data,
      { everyWeightHasGradient: true },
    );
  });

  it.each<{ name: string; options: Partial<UNet2dOptions> }>([
    { name: 'transposed up-convolution', options: {} },
    { name: 'nearest upsampling', options: { upsampling: 'nearest' } },
    { name: 'batch norm, 3 classes', options: { batchNorm: true, classCount: 3 } },
  ])('one gradient on wasm matches cpu to 1e-4 relative: $name', async ({ options }) => {
    await expectWasmGradientsMatchCpu(
      () => buildUNet2d({ inputShape: [16, 16, 1], depth: 2, baseFilters: 4, seed: 9, ...options }),
      (p, y) => {
        // Three classes: background, the disc's upper half (1) and lower half (2), one-hot.
        const disc = tf.squeeze(y, [3]);
        const lowerHalf = tf.cast(tf.greater(tf.reshape(tf.range(0, 16), [1, 16, 1]), 7), 'float32');
        const target = options.classCount === 3 ? tf.oneHot(tf.cast(tf.add(disc, tf.mul(disc, lowerHalf)), 'int32'), 3) : y;
        return bceDiceLossSum(p, target);
      },
      blobs(2, 16, 2, 5),
    );
  });
});
