import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { computeBottleneckFeatures, decodeBottleneckFeatures, encodeBottleneckFeatures, gatherFeatureRows } from './bottleneck-features.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('bottleneck features', () => {
  it('are the base output of each image, in stored order, computed in chunks', async () => {
    const input = tfl.input({ shape: [4, 4, 1] });
    const pooled = tfl.layers.maxPooling2d({ name: 'block1_pool', poolSize: 2 }).apply(input) as tfl.SymbolicTensor;
    const flat = tfl.layers.flatten({ name: 'top_flatten' }).apply(pooled) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: input, outputs: flat });
    // 20 images (more than one chunk of 16); image i is the constant i, so its pooled features are [i, i, i, i].
    const count = 20;
    const pixels = Uint8Array.from({ length: count * 16 }, (_, p) => Math.floor(p / 16));
    const records = { count, height: 4, width: 4, channels: 1, labels: new Int32Array(count), splits: [], ids: [], pixels };
    // The first chunk's pass is handed over once, before it runs, and computes that chunk's features.
    const handed: number[][] = [];
    const features = await computeBottleneckFeatures(model, 2, records, 'none', async (forward) => {
      const out = forward() as tf.Tensor;
      handed.push(out.shape, Array.from(await out.data()).slice(-4));
      out.dispose();
    });
    expect(handed).toEqual([[16, 2, 2, 1], [15, 15, 15, 15]]);
    expect(features.shape).toEqual([2, 2, 1]);
    expect(features.count).toBe(count);
    expect([...gatherFeatureRows(features, [19, 0, 3])]).toEqual([19, 19, 19, 19, 0, 0, 0, 0, 3, 3, 3, 3]);
    expect(() => gatherFeatureRows(features, [20])).toThrow('feature row 20 of 20');
    model.dispose();
  });

  it('round-trip through their store object, and a damaged object is named', () => {
    const features = { count: 3, shape: [1, 2], values: Float32Array.of(1, -2, 3.5, 4, 5, 6e-7) };
    const bytes = encodeBottleneckFeatures(features);
    // A Buffer view at an odd offset, as a store may return it.
    const shifted = Buffer.concat([Buffer.from([0]), bytes]).subarray(1);
    expect(decodeBottleneckFeatures(shifted, 'k')).toEqual(features);
    expect(() => decodeBottleneckFeatures(bytes.subarray(0, bytes.length - 4), 'jobs/j/features/train/0-3.tsbf')).toThrow(
      'jobs/j/features/train/0-3.tsbf: holds 20 bytes of values, expected 3 x 2 float32',
    );
    expect(() => decodeBottleneckFeatures(Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8), 'k')).toThrow('k is not a bottleneck feature object (bad magic)');
  });
});
