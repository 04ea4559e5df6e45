import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerWasmTrainingKernels } from './wasm-training-kernels.ts';
import { mergeSliceAxes } from './wasm-slice.ts';
import { bitsOn, distinctTensor } from '../testing/kernel-comparison.ts';

const slices: Array<{ name: string; shape: number[]; begin: number[]; size: number[] }> = [
  { name: 'rank 5, a channel split (runs of 3: element copies)', shape: [2, 3, 4, 2, 6], begin: [0, 0, 0, 0, 3], size: [2, 3, 4, 2, 3] },
  { name: 'rank 5, a channel split with runs of 20 (copyWithin)', shape: [2, 2, 3, 2, 40], begin: [0, 0, 0, 0, 20], size: [2, 2, 3, 2, 20] },
  { name: 'rank 5, every axis cut', shape: [3, 4, 5, 4, 3], begin: [1, 1, 2, 0, 1], size: [2, 2, 3, 3, 1] },
  { name: 'rank 6', shape: [2, 3, 2, 3, 2, 5], begin: [1, 0, 1, 1, 0, 2], size: [1, 3, 1, 2, 2, 3] },
  { name: 'rank 4, inner axes whole (one run per image)', shape: [4, 3, 5, 2], begin: [1, 0, 0, 0], size: [2, 3, 5, 2] },
  { name: 'rank 3, middle axis cut', shape: [3, 7, 4], begin: [0, 2, 0], size: [3, 4, 4] },
  { name: 'rank 2, columns', shape: [9, 33], begin: [2, 5], size: [6, 17] },
  { name: 'rank 1', shape: [50], begin: [7], size: [30] },
  { name: 'empty result', shape: [3, 4, 5, 2, 2], begin: [0, 1, 0, 0, 0], size: [3, 0, 5, 2, 2] },
];

describe('Slice and SplitV on the wasm heap', () => {
  beforeAll(async () => {
    await tf.setBackend('wasm');
    registerWasmTrainingKernels();
  });

  it('merges axes where the inner one is whole or the outer one gives one index', () => {
    // [B, D, H, W, C] split in C: B·D·H·W runs of C/2.
    expect(mergeSliceAxes([2, 3, 4, 5, 8], [0, 0, 0, 0, 4], [2, 3, 4, 5, 4])).toEqual({ shape: [120, 8], begin: [0, 4], size: [120, 4] });
    // Images 1-2 of 4, each whole: one run.
    expect(mergeSliceAxes([4, 3, 5, 2], [1, 0, 0, 0], [2, 3, 5, 2])).toEqual({ shape: [120], begin: [30], size: [60] });
    // One index of the outer axis and a cut inner one: still one run.
    expect(mergeSliceAxes([6, 10], [2, 3], [1, 4])).toEqual({ shape: [60], begin: [23], size: [4] });
    // Nothing merges when every axis is cut.
    expect(mergeSliceAxes([3, 4, 5], [1, 1, 1], [2, 2, 2])).toEqual({ shape: [3, 4, 5], begin: [1, 1, 1], size: [2, 2, 2] });
    expect(mergeSliceAxes([], [], [])).toEqual({ shape: [1], begin: [0], size: [1] });
  });

  for (const dtype of ['float32', 'int32', 'bool'] as const) {
    it.each(slices)(`Slice of ${dtype} matches cpu bit for bit: $name`, async ({ shape, begin, size }) => {
      const compute = () => tf.slice(distinctTensor(shape, dtype), begin, size);
      const [expected] = await bitsOn('cpu', compute);
      const [actual] = await bitsOn('wasm', compute);
      expect(actual).toEqual(expected);
      expect(actual!.length).toBe(tf.util.sizeFromShape(size));
    });
  }

  it.each([
    { name: 'a 3D U-Net skip split along channels', shape: [2, 4, 4, 4, 16], sizes: [8, 8], axis: 4 },
    { name: 'uneven pieces along depth', shape: [2, 5, 3, 3, 2], sizes: [1, 3, 1], axis: 1 },
    { name: 'rank 4 along the last axis', shape: [3, 6, 6, 24], sizes: [16, 8], axis: -1 },
    { name: 'rank 2 along the first axis', shape: [10, 7], sizes: [4, 6], axis: 0 },
  ])('SplitV matches cpu bit for bit: $name', async ({ shape, sizes, axis }) => {
    for (const dtype of ['float32', 'int32', 'bool'] as const) {
      const compute = () => tf.split(distinctTensor(shape, dtype), sizes, axis);
      const expected = await bitsOn('cpu', compute);
      const actual = await bitsOn('wasm', compute);
      expect(actual).toHaveLength(sizes.length);
      expect(actual).toEqual(expected);
    }
  });

  it('strings keep the package\'s kernels', async () => {
    await tf.setBackend('wasm');
    const words = tf.tensor3d(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'], [2, 2, 2], 'string');
    expect(await tf.slice(words, [0, 1, 0], [2, 1, 2]).data()).toEqual(['c', 'd', 'g', 'h']);
    words.dispose();
  });
});

describe('Concat on the wasm heap', () => {
  beforeAll(async () => {
    await tf.setBackend('wasm');
    registerWasmTrainingKernels();
  });

  it.each([
    { name: 'a 3D U-Net skip connection: channels of two rank-5 tensors (runs of 3 and 5)', shapes: [[2, 3, 2, 2, 3], [2, 3, 2, 2, 5]], axis: 4 },
    { name: 'runs of 16 and more (copyWithin)', shapes: [[3, 4, 20], [3, 4, 17]], axis: 2 },
    { name: 'three inputs along a middle axis', shapes: [[2, 1, 3], [2, 4, 3], [2, 2, 3]], axis: 1 },
    { name: 'along the first axis (one run each)', shapes: [[2, 5], [3, 5]], axis: 0 },
    { name: 'an empty input among them', shapes: [[2, 0, 3], [2, 4, 3], [2, 1, 3]], axis: 1 },
    { name: 'negative axis', shapes: [[4, 2], [4, 3]], axis: -1 },
  ])('matches cpu bit for bit: $name', async ({ shapes, axis }) => {
    for (const dtype of ['float32', 'int32', 'bool'] as const) {
      const compute = () => tf.concat(shapes.map((shape, i) => distinctTensor(shape, dtype, 1000 * i + i)), axis);
      const [expected] = await bitsOn('cpu', compute);
      const [actual] = await bitsOn('wasm', compute);
      expect(actual).toEqual(expected);
    }
  });

  it('strings keep the package\'s kernel', async () => {
    await tf.setBackend('wasm');
    const joined = tf.concat([tf.tensor2d(['a', 'b'], [2, 1], 'string'), tf.tensor2d(['c', 'd'], [2, 1], 'string')], 1);
    expect(await joined.data()).toEqual(['a', 'c', 'b', 'd']);
    joined.dispose();
  });
});
