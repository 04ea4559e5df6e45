import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerWasmTrainingKernels } from './wasm-training-kernels.ts';
import { bitsOn, distinctTensor } from '../testing/kernel-comparison.ts';

const tiles: Array<{ name: string; shape: number[]; reps: number[] }> = [
  { name: 'per-channel statistics to a batch of images (batch-norm gradient)', shape: [1, 1, 1, 6], reps: [4, 5, 7, 1] },
  { name: 'every axis repeated', shape: [2, 3, 4], reps: [3, 2, 5] },
  { name: 'rank 5, odd repeats', shape: [2, 1, 3, 1, 2], reps: [1, 3, 2, 5, 3] },
  { name: 'rows of one element', shape: [5, 1], reps: [2, 9] },
  { name: 'no repeats', shape: [3, 4], reps: [1, 1] },
  { name: 'rank 1', shape: [7], reps: [6] },
  { name: 'a zero repeat', shape: [2, 3], reps: [0, 2] },
];

describe('Tile on the wasm heap', () => {
  beforeAll(async () => {
    await tf.setBackend('wasm');
    registerWasmTrainingKernels();
  });

  for (const dtype of ['float32', 'int32', 'bool'] as const) {
    it.each(tiles)(`matches cpu bit for bit, ${dtype}: $name`, async ({ shape, reps }) => {
      const compute = () => tf.tile(distinctTensor(shape, dtype), reps);
      const [expected] = await bitsOn('cpu', compute);
      const [actual] = await bitsOn('wasm', compute);
      expect(actual).toEqual(expected);
      expect(actual).toHaveLength(tf.util.sizeFromShape(shape.map((n, i) => n * reps[i]!)));
    });
  }

  it('a batch-norm layer\'s gradients match cpu (they tile the per-channel statistics)', async () => {
    const grads = () => {
      const x = tf.randomUniform([4, 6, 5, 3], -1, 1, 'float32', 1);
      const scale = tf.randomUniform([3], 0.5, 1.5, 'float32', 2);
      const offset = tf.randomUniform([3], -0.5, 0.5, 'float32', 3);
      const dy = tf.randomUniform([4, 6, 5, 3], -1, 1, 'float32', 4);
      return tf.grads((a: tf.Tensor, s: tf.Tensor, o: tf.Tensor) => {
        const { mean, variance } = tf.moments(a, [0, 1, 2]);
        return tf.sum(tf.mul(tf.batchNorm(a, mean, variance, o, s, 1e-3), dy));
      })([x, scale, offset]);
    };
    await tf.setBackend('cpu');
    const expected = await Promise.all(grads().map((t) => t.data()));
    await tf.setBackend('wasm');
    const actual = await Promise.all(grads().map((t) => t.data()));
    for (const [i, e] of expected.entries()) {
      const worst = Array.from(e).reduce((w, v, j) => Math.max(w, Math.abs((actual[i]![j] as number) - (v)) / Math.max(1, Math.abs(v))), 0);
      expect(worst).toBeLessThanOrEqual(1e-4);
    }
  });
});
