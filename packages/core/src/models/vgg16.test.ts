import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildVgg16 } from './vgg16.ts';

// `keras.applications.VGG16(weights=None).summary()` (Keras 2.x, TensorFlow backend): layer, output shape, params.
const kerasVgg16Summary: ReadonlyArray<readonly [string, readonly (number | null)[], number]> = [
  ['input_1', [null, 224, 224, 3], 0],
  ['block1_conv1', [null, 224, 224, 64], 1_792],
  ['block1_conv2', [null, 224, 224, 64], 36_928],
  ['block1_pool', [null, 112, 112, 64], 0],
  ['block2_conv1', [null, 112, 112, 128], 73_856],
  ['block2_conv2', [null, 112, 112, 128], 147_584],
  ['block2_pool', [null, 56, 56, 128], 0],
  ['block3_conv1', [null, 56, 56, 256], 295_168],
  ['block3_conv2', [null, 56, 56, 256], 590_080],
  ['block3_conv3', [null, 56, 56, 256], 590_080],
  ['block3_pool', [null, 28, 28, 256], 0],
  ['block4_conv1', [null, 28, 28, 512], 1_180_160],
  ['block4_conv2', [null, 28, 28, 512], 2_359_808],
  ['block4_conv3', [null, 28, 28, 512], 2_359_808],
  ['block4_pool', [null, 14, 14, 512], 0],
  ['block5_conv1', [null, 14, 14, 512], 2_359_808],
  ['block5_conv2', [null, 14, 14, 512], 2_359_808],
  ['block5_conv3', [null, 14, 14, 512], 2_359_808],
  ['block5_pool', [null, 7, 7, 512], 0],
  ['flatten', [null, 25_088], 0],
  ['fc1', [null, 4_096], 102_764_544],
  ['fc2', [null, 4_096], 16_781_312],
  ['predictions', [null, 1_000], 4_097_000],
];
const kerasTotalWithTop = 138_357_544;
const kerasTotalNoTop = 14_714_688;

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('buildVgg16', () => {
  it("matches Keras's VGG16 summary layer by layer with the top at 224x224x3", () => {
    const model = buildVgg16({ seed: 1 });
    try {
      expect(model.layers.map((l) => [l.name, l.outputShape, l.countParams()])).toEqual(kerasVgg16Summary);
      expect(model.countParams()).toBe(kerasTotalWithTop);
      // Keras's weight order within each layer (kernel then bias) is what .h5 files store.
      expect(model.getLayer('block1_conv1').weights.map((w) => [w.originalName, w.shape])).toEqual([
        ['block1_conv1/kernel', [3, 3, 3, 64]],
        ['block1_conv1/bias', [64]],
      ]);
    } finally {
      model.dispose();
    }
  });

  it("has Keras's 14,714,688 parameters without the top at any input size, and its block5_pool shape", () => {
    for (const [size, pooled] of [[224, 7], [64, 2], [32, 1], [100, 3]] as const) {
      const model = buildVgg16({ seed: 1, includeTop: false, inputShape: [size, size, 3] });
      try {
        expect(model.countParams()).toBe(kerasTotalNoTop);
        expect(model.layers.at(-1)!.name).toBe('block5_pool');
        expect(model.outputs[0]!.shape).toEqual([null, pooled, pooled, 512]);
      } finally {
        model.dispose();
      }
    }
  });

  it('adds global pooling without the top and a sized classifier with it', () => {
    const pooled = buildVgg16({ seed: 1, includeTop: false, inputShape: [48, 64, 3], pooling: 'avg' });
    expect(pooled.outputs[0]!.shape).toEqual([null, 512]);
    pooled.dispose();
    const small = buildVgg16({ seed: 1, inputShape: [64, 64, 3], classes: 2 });
    expect(small.getLayer('fc1').countParams()).toBe(2 * 2 * 512 * 4096 + 4096);
    expect(small.outputs[0]!.shape).toEqual([null, 2]);
    small.dispose();
  });

  it('gives bit-identical weights for equal seeds and different ones otherwise', async () => {
    const build = (seed: number) => buildVgg16({ seed, includeTop: false, inputShape: [32, 32, 3] });
    const [a, b, c] = [build(7), build(7), build(8)];
    const kernel = (m: typeof a) => m.getLayer('block3_conv2').getWeights()[0]!.data();
    const [ka, kb, kc] = await Promise.all([kernel(a), kernel(b), kernel(c)]);
    expect(ka).toEqual(kb);
    expect(ka).not.toEqual(kc);
    for (const m of [a, b, c]) m.dispose();
  });

  it('refuses inputs smaller than 32 and pooling with the top', () => {
    expect(() => buildVgg16({ seed: 1, includeTop: false, inputShape: [31, 64, 3] })).toThrow(/height must be an integer of at least 32, got 31/);
    expect(() => buildVgg16({ seed: 1, pooling: 'avg' })).toThrow(/pooling applies only without the top/);
  });
});
