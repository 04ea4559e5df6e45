import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerWasmTrainingKernels } from './wasm-training-kernels.ts';
import { mergeReductionAxes } from './wasm-reductions.ts';
import { expectClose, onBackend } from '../testing/kernel-comparison.ts';

const reductions: Array<{ name: string; shape: number[]; axes: number[] }> = [
  { name: 'a 3-D bias gradient: all but the channels of rank 5', shape: [2, 4, 3, 5, 6], axes: [0, 1, 2, 3] },
  { name: 'rank 5, alternate axes', shape: [3, 2, 4, 3, 2], axes: [0, 2, 4] },
  { name: 'rank 5, the middle axes', shape: [2, 3, 4, 5, 2], axes: [1, 2, 3] },
  { name: 'rank 4, the batch', shape: [6, 5, 4, 3], axes: [0] },
  { name: 'rank 3, first and last', shape: [4, 5, 6], axes: [0, 2] },
  { name: 'rank 2, columns', shape: [300, 7], axes: [0] },
  // Columns of more than 2 x 256 rows: blocks averaged by the package's pooling, the 37 rows left over summed apart.
  { name: 'rank 4, all but the channels, 5 blocks of rows and a remainder', shape: [3, 13, 33, 5], axes: [0, 1, 2] },
  { name: 'rank 2, columns of 2 blocks exactly', shape: [512, 3], axes: [0] },
  { name: 'innermost axes only (the package\'s own path)', shape: [3, 4, 5, 6, 2], axes: [3, 4] },
  { name: 'negative axis', shape: [4, 3, 5], axes: [-3] },
];

const ops: Array<{ name: string; run: (x: tf.Tensor, axes: number[], keepDims: boolean) => tf.Tensor; low: number; high: number }> = [
  { name: 'sum', run: (x, axes, keep) => tf.sum(x, axes, keep), low: -1, high: 1 },
  { name: 'mean', run: (x, axes, keep) => tf.mean(x, axes, keep), low: -1, high: 1 },
  { name: 'max', run: (x, axes, keep) => tf.max(x, axes, keep), low: -1, high: 1 },
  { name: 'min', run: (x, axes, keep) => tf.min(x, axes, keep), low: -1, high: 1 },
  // Values near 1 keep products of a few hundred factors finite.
  { name: 'prod', run: (x, axes, keep) => tf.prod(x, axes, keep), low: 0.99, high: 1.01 },
];

describe('reductions over axes that are not innermost, on wasm', () => {
  beforeAll(async () => {
    await tf.setBackend('wasm');
    registerWasmTrainingKernels();
  });

  it('merges adjacent axes that are both reduced or both kept', () => {
    expect(mergeReductionAxes([2, 4, 3, 5, 6], [0, 1, 2, 3])).toEqual({ shape: [120, 6], reduced: [true, false] });
    expect(mergeReductionAxes([3, 2, 4, 3, 2], [0, 2, 4])).toEqual({ shape: [3, 2, 4, 3, 2], reduced: [true, false, true, false, true] });
    expect(mergeReductionAxes([2, 3, 4, 5, 2], [1, 2, 3])).toEqual({ shape: [2, 60, 2], reduced: [false, true, false] });
  });

  for (const op of ops) {
    it.each(reductions.flatMap((r) => [false, true].map((keepDims) => ({ ...r, keepDims }))))(
      `${op.name} matches cpu: $name (keepDims $keepDims)`,
      async ({ shape, axes, keepDims }) => {
        let shapes: number[][] = [];
        const compute = () => {
          const y = op.run(tf.randomUniform(shape, op.low, op.high, 'float32', 3), axes, keepDims);
          shapes = [...shapes, y.shape];
          return y;
        };
        const [expected] = await onBackend('cpu', compute);
        const [actual] = await onBackend('wasm', compute);
        expect(shapes[1]).toEqual(shapes[0]);
        expectClose(actual!, expected!);
      },
    );
  }

  it.each(reductions)('int32 sums and bool any/all match cpu exactly: $name', async ({ shape, axes }) => {
    const compute = () => {
      const ints = tf.cast(tf.randomUniform(shape, -50, 50, 'float32', 5), 'int32');
      const flags = tf.greater(ints, 30);
      return [tf.sum(ints, axes), tf.any(flags, axes), tf.all(tf.logicalNot(flags), axes, true)];
    };
    const expected = await onBackend('cpu', compute);
    const actual = await onBackend('wasm', compute);
    expect(actual.map((a) => Array.from(a))).toEqual(expected.map((e) => Array.from(e)));
  });
});
