import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { describe, expect, it } from 'vitest';
import { overrideWebgpuKernel } from '../testing/kernel-comparison.ts';
import { contiguousSum, planSum, targetWorkgroups } from './webgpu-sum.ts';

interface SumCase {
  name: string;
  shape: number[];
  axis: number | number[] | null;
  keepDims?: boolean;
  dtype?: 'float32' | 'int32';
}

// Odd sizes on purpose: partial workgroups along B, chunks that do not divide R, B below a warp.
const cases: SumCase[] = [
  { name: 'bias gradient: axes [0, 1, 2] of [2, 7, 5, 3]', shape: [2, 7, 5, 3], axis: [0, 1, 2] },
  { name: 'bias gradient, 70 channels (two column blocks), many chunks', shape: [4, 33, 31, 70], axis: [0, 1, 2] },
  { name: 'full sum of 1e6 + 3 elements to a scalar', shape: [1_000_003], axis: null },
  { name: 'full sum of a rank-3 tensor, negative axes', shape: [3, 50, 7], axis: [-3, -2, -1] },
  { name: 'innermost axis', shape: [6, 5, 300], axis: 2 },
  { name: 'innermost axis, long rows split into chunks', shape: [3, 70_001], axis: -1 },
  { name: 'innermost axis, short rows (a thread per row)', shape: [300, 7], axis: 1 },
  { name: 'innermost axis, more than 65535 rows (a folded dispatch)', shape: [66_000, 17], axis: 1 },
  { name: 'middle axis', shape: [4, 9, 5], axis: 1 },
  { name: 'middle axis, short (a thread per output)', shape: [70, 5, 33], axis: 1 },
  { name: 'middle axis, more than 65535 column workgroups (a folded dispatch)', shape: [66_000, 17, 2], axis: 1 },
  { name: 'middle axes [1, 2] of a rank-4', shape: [3, 4, 5, 6], axis: [2, 1] },
  { name: 'keepDims, bias gradient', shape: [2, 7, 5, 3], axis: [0, 1, 2], keepDims: true },
  { name: 'keepDims, full sum', shape: [4, 6], axis: null, keepDims: true },
  { name: 'a single-element axis', shape: [3, 1, 4], axis: 1 },
  { name: 'empty axis list (identity)', shape: [3, 4], axis: [] },
  { name: 'int32, bias gradient', shape: [5, 6, 7, 9], axis: [0, 1, 2], dtype: 'int32' },
  { name: 'int32, full sum', shape: [20_001], axis: 0, dtype: 'int32' },
];

const kernel = overrideWebgpuKernel(tf.Sum, contiguousSum);

async function sumOn(backend: string, values: Float32Array | Int32Array, c: SumCase): Promise<{ shape: number[]; data: ArrayLike<number> }> {
  await tf.setBackend(backend);
  const x = tf.tensor(values, c.shape, c.dtype ?? 'float32');
  const y = tf.sum(x, c.axis ?? undefined, c.keepDims ?? false);
  const data = await y.data();
  const shape = y.shape;
  tf.dispose([x, y]);
  return { shape, data };
}

function valuesFor(c: SumCase, seed: number): Float32Array | Int32Array {
  const size = c.shape.reduce((a, b) => a * b, 1);
  // Positive floats so that a relative tolerance on large sums means something; ints small enough not to wrap.
  let state = seed;
  const next = () => ((state = (state * 1103515245 + 12345) >>> 0) / 2 ** 32);
  return c.dtype === 'int32' ? Int32Array.from({ length: size }, () => Math.floor(next() * 200) - 100) : Float32Array.from({ length: size }, next);
}

describe('contiguous-axes Sum on webgpu', () => {
  it.each(cases)('$name matches the cpu backend', async (c) => {
    const values = valuesFor(c, c.shape.length * 7919 + c.shape[0]!);
    const before = kernel.stockCalls;
    const gpu = await sumOn('webgpu', values, c);
    expect(kernel.stockCalls).toBe(before);
    const cpu = await sumOn('cpu', values, c);
    expect(gpu.shape).toEqual(cpu.shape);
    expect(gpu.data.length).toBe(cpu.data.length);
    // One expect over the worst element: an expect per element costs seconds on the larger cases.
    let worst = { at: -1, error: 0 };
    for (let i = 0; i < cpu.data.length; i++) {
      const want = cpu.data[i]!;
      const error = Math.abs(gpu.data[i]! - want) / (c.dtype === 'int32' ? 1 : Math.max(1, Math.abs(want)));
      if (!(error <= worst.error)) worst = { at: i, error };
    }
    expect(worst.error, `element ${worst.at}: ${gpu.data[worst.at]} vs ${cpu.data[worst.at]}`).toBeLessThanOrEqual(c.dtype === 'int32' ? 0 : 1e-4);
  });

  // On SwiftShader the kernel aims for 64 workgroups a pass; a GPU's 1024 split the same sums into many more chunks.
  it.each([
    { name: 'bias gradient, 70 channels', shape: [4, 33, 31, 70], axis: [0, 1, 2] },
    { name: 'full sum of 300001 elements', shape: [300_001], axis: null },
  ])('$name with a GPU adapter\'s workgroup budget matches the cpu backend', async (c: SumCase) => {
    const values = valuesFor(c, 5);
    await tf.setBackend('webgpu');
    const backend = tf.backend() as unknown as { adapterInfo: { vendor?: string; architecture?: string } };
    const software = backend.adapterInfo;
    backend.adapterInfo = { vendor: 'nvidia', architecture: 'hopper' };
    let gpu: Awaited<ReturnType<typeof sumOn>>;
    try {
      gpu = await sumOn('webgpu', values, c);
    } finally {
      backend.adapterInfo = software;
    }
    const cpu = await sumOn('cpu', values, c);
    const errors = Array.from(cpu.data, (want, i) => Math.abs(gpu.data[i]! - want) / Math.max(1, Math.abs(want)));
    expect(Math.max(...errors)).toBeLessThanOrEqual(1e-4);
  });

  it('hands non-contiguous axes ([0, 2] of a rank-3) to the package kernel, with the right result', async () => {
    const c: SumCase = { name: 'fallback', shape: [3, 4, 5], axis: [0, 2] };
    const values = valuesFor(c, 11);
    const before = kernel.stockCalls;
    const gpu = await sumOn('webgpu', values, c);
    expect(kernel.stockCalls).toBe(before + 1);
    const cpu = await sumOn('cpu', values, c);
    expect(Array.from(gpu.data).map((v) => v.toFixed(3))).toEqual(Array.from(cpu.data).map((v) => v.toFixed(3)));
  });
});

describe('targetWorkgroups', () => {
  it('fills a GPU, and keeps software adapters to a few workgroups', () => {
    expect(targetWorkgroups({ vendor: 'nvidia', architecture: 'hopper' })).toBe(1024);
    expect(targetWorkgroups(undefined)).toBe(1024);
    expect(targetWorkgroups({ vendor: 'google', architecture: 'swiftshader' })).toBe(64);
  });
});

describe('planSum', () => {
  it('views the reduced block as [A, R, B] and declines what it does not handle', () => {
    expect(planSum([8, 56, 56, 64], [0, 1, 2], 'float32')).toEqual({ outer: 1, reduce: 8 * 56 * 56, inner: 64, outShape: [64], keptShape: [1, 1, 1, 64] });
    expect(planSum([3, 4, 5], [], 'float32')).toMatchObject({ outer: 12 * 5, reduce: 1, inner: 1, outShape: [3, 4, 5] });
    expect(planSum([3, 4, 5], [0, 2], 'float32')).toBeUndefined();
    expect(planSum([3, 4, 5], 1, 'bool')).toBeUndefined();
    expect(planSum([3, 0, 5], 1, 'float32')).toBeUndefined();
  });
});
