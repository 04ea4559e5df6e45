import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { describe, expect, it } from 'vitest';
import { overrideWebgpuKernel } from '../testing/kernel-comparison.ts';
import { tiledMaxPoolGrad } from './webgpu-max-pool-grad.ts';

type Pad = 'valid' | 'same' | number;
interface PoolCase {
  name: string;
  x: [number, number, number, number];
  filter: number;
  strides: number;
  pad: Pad;
  /** Whether the one-pass kernel handles it (otherwise the package's kernel must). */
  tiled: boolean;
  /** Draw x from a few values only, so that windows hold ties. */
  ties?: boolean;
}

const cases: PoolCase[] = [
  { name: '2x2/2 valid, even sides', x: [2, 8, 6, 5], filter: 2, strides: 2, pad: 'valid', tiled: true },
  { name: '2x2/2 valid, odd sides (a dropped row and column)', x: [2, 9, 7, 3], filter: 2, strides: 2, pad: 'valid', tiled: true },
  { name: '3x3/3 valid, two dropped rows', x: [2, 11, 9, 2], filter: 3, strides: 3, pad: 'valid', tiled: true },
  { name: '2x2/2 valid with ties (the first maximum wins)', x: [2, 6, 8, 3], filter: 2, strides: 2, pad: 'valid', tiled: true, ties: true },
  { name: '3x3/3 valid with ties', x: [1, 9, 10, 4], filter: 3, strides: 3, pad: 'valid', tiled: true, ties: true },
  { name: '2x2/2 same on even sides (no padding)', x: [1, 6, 8, 4], filter: 2, strides: 2, pad: 'same', tiled: true },
  { name: '3x3/2 same, overlapping windows (package kernel)', x: [2, 7, 7, 3], filter: 3, strides: 2, pad: 'same', tiled: false },
  { name: '2x2/2 same on odd sides, padded (package kernel)', x: [1, 5, 5, 2], filter: 2, strides: 2, pad: 'same', tiled: false },
  { name: '2x2/2 with numeric padding 1 (package kernel)', x: [1, 6, 6, 2], filter: 2, strides: 2, pad: 1, tiled: false },
];

const kernel = overrideWebgpuKernel(tf.MaxPoolGrad, tiledMaxPoolGrad);

function random(length: number, seed: number, ties: boolean): Float32Array {
  let state = seed;
  const next = () => ((state = (state * 1103515245 + 12345) >>> 0) / 2 ** 32);
  return Float32Array.from({ length }, () => (ties ? Math.floor(next() * 3) : next() * 2 - 1));
}

async function gradOn(backend: string, c: PoolCase, xValues: Float32Array, dyValues: Float32Array, dyShape: number[]): Promise<Float32Array> {
  await tf.setBackend(backend);
  const x = tf.tensor4d(xValues, c.x);
  const dy = tf.tensor(dyValues, dyShape);
  const y = tf.maxPool(x, c.filter, c.strides, c.pad);
  const dx = tf.engine().runKernel<tf.Tensor>(tf.MaxPoolGrad, { dy, input: x, output: y }, { filterSize: c.filter, strides: c.strides, pad: c.pad });
  const data = await dx.data<'float32'>();
  tf.dispose([x, dy, y, dx]);
  return data;
}

describe('one-pass MaxPoolGrad on webgpu for tiling poolings', () => {
  it.each(cases)('$name matches the cpu backend', async (c) => {
    await tf.setBackend('cpu');
    const dyShape = tf.tidy(() => tf.maxPool(tf.zeros<tf.Rank.R4>(c.x), c.filter, c.strides, c.pad).shape);
    const xValues = random(tf.util.sizeFromShape(c.x), c.x[1] * 31 + c.x[2], c.ties ?? false);
    // dy never 0, so that a gradient written to the wrong position cannot hide behind a zero.
    const dyValues = random(tf.util.sizeFromShape(dyShape), 17, false).map((v) => v + 2);
    const before = kernel.stockCalls;
    const gpu = await gradOn('webgpu', c, xValues, dyValues, dyShape);
    expect(kernel.stockCalls - before).toBe(c.tiled ? 0 : 1);
    const cpu = await gradOn('cpu', c, xValues, dyValues, dyShape);
    expect(gpu.length).toBe(cpu.length);
    let worst = { at: -1, error: 0 };
    cpu.forEach((want, i) => {
      const error = Math.abs(gpu[i]! - want);
      if (!(error <= worst.error)) worst = { at: i, error };
    });
    expect(worst.error, `element ${worst.at}: ${gpu[worst.at]} vs ${cpu[worst.at]}`).toBeLessThanOrEqual(1e-4);
  });

  it('writes every element of dx, the dropped rows and columns included, over a buffer that held other data', async () => {
    await tf.setBackend('webgpu');
    const shape: [number, number, number, number] = [1, 5, 5, 2];
    const x = tf.tensor4d(random(50, 3, false), shape);
    const y = tf.maxPool(x, 2, 2, 'valid');
    const dy = tf.onesLike(y);
    await dy.data();
    // Leave a freed buffer of dx's size full of 7s: tfjs hands it to the next output of that size, dx.
    const filler = tf.add(tf.fill(shape, 7), 0);
    await filler.data();
    filler.dispose();
    const dx = tf.engine().runKernel<tf.Tensor>(tf.MaxPoolGrad, { dy, input: x, output: y }, { filterSize: 2, strides: 2, pad: 'valid' });
    const values = Array.from(await dx.data());
    expect(values.filter((v) => v === 1)).toHaveLength(2 * 2 * 2);
    expect(values.filter((v) => v === 0)).toHaveLength(50 - 8);
    tf.dispose([x, y, dy, dx]);
  });
});
