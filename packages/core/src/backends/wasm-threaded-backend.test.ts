import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { describe, expect, it } from 'vitest';
import { registerThreadedWasmBackend } from './wasm-threaded-backend.ts';
import { registerWasmTrainingKernels } from './wasm-training-kernels.ts';

describe('registerThreadedWasmBackend', () => {
  it('refuses a thread count it cannot honour', async () => {
    await expect(registerThreadedWasmBackend(0)).rejects.toThrow(/wasm threads must be an integer from 1 to 8, got 0/);
    await expect(registerThreadedWasmBackend(1.5)).rejects.toThrow(/got 1.5/);
  });

  it('runs the wasm kernels on 2 threads, including conv gradients, with the same results as cpu', async () => {
    await registerThreadedWasmBackend(2);
    registerWasmTrainingKernels();
    const compute = () =>
      tf.tidy(() => {
        const a = tf.randomUniform([96, 80], -1, 1, 'float32', 1);
        const b = tf.randomUniform([80, 64], -1, 1, 'float32', 2);
        const x = tf.randomUniform<tf.Rank.R4>([2, 12, 12, 4], -1, 1, 'float32', 3);
        const w = tf.randomUniform<tf.Rank.R4>([3, 3, 4, 8], -1, 1, 'float32', 4);
        const dw = tf.grad((filter: tf.Tensor) => tf.sum(tf.conv2d(x, filter as tf.Tensor4D, 1, 'same')))(w);
        return tf.concat([tf.reshape(tf.matMul(a, b), [-1]), tf.reshape(dw, [-1])]);
      });
    expect(await tf.setBackend('wasm')).toBe(true);
    expect(getThreadsCount()).toBe(2);
    const actual = await compute().data();
    await tf.setBackend('cpu');
    const expected = await compute().data();
    expect(actual.length).toBe(expected.length);
    for (let i = 0; i < expected.length; i++) expect(Math.abs(actual[i]! - expected[i]!)).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(expected[i]!)));
  });
});
