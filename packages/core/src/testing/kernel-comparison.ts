import * as tf from '@tensorflow/tfjs-core';
import type { KernelFunc } from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { planGemm, splitPlan, type GemmDims, type GemmPlan, type GemmPlanner, type GemmTile } from '../backends/webgpu-gemm.ts';
import { startTestWebgpu } from '../backends/webgpu-runtime.ts';

/** What the custom-kernel tests share: running one computation on two backends and comparing the results. */

export type Pad = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;

/** A tensor of seeded uniform values in [-1, 1), made afresh on whichever backend is current when called. */
export function seeded(shape: number[], seed: number): () => tf.Tensor {
  return () => tf.randomUniform(shape, -1, 1, 'float32', seed);
}

/**
 * A tensor whose elements are all different, so a kernel that moves data (transpose, slice, tile, concat) cannot put
 * one in the wrong place unseen: int32 i·2654435761, bool a pattern of period 3, float32 i + 0.25 with a NaN carrying
 * a payload, a -0 and a -Infinity among the first elements (copied as bits, they keep them). `offset` shifts i, so
 * several inputs of one call differ from each other too.
 */
export function distinctTensor(shape: number[], dtype: 'float32' | 'int32' | 'bool', offset = 0): tf.Tensor {
  const size = tf.util.sizeFromShape(shape);
  if (dtype === 'int32') return tf.tensor(Int32Array.from({ length: size }, (_, i) => (i + offset) * 2654435761), shape, 'int32');
  if (dtype === 'bool') return tf.tensor(Uint8Array.from({ length: size }, (_, i) => (((i + offset) * 7) % 3 === 0 ? 1 : 0)), shape, 'bool');
  const values = Float32Array.from({ length: size }, (_, i) => i + offset + 0.25);
  if (size > 3) {
    new Uint32Array(values.buffer)[1] = 0x7fc01234;
    values[2] = -0;
    values[3] = -Infinity;
  }
  return tf.tensor(values, shape, 'float32');
}

/** Runs `compute` on `backend` (made current) and reads each result back, float32 ones as their 32-bit patterns (NaN payloads and -0 compare exactly). */
export async function bitsOn(backend: string, compute: () => tf.Tensor | tf.Tensor[]): Promise<number[][]> {
  await tf.setBackend(backend);
  const results = tf.tidy(() => [compute()].flat());
  const bits = await Promise.all(
    results.map(async (t) => {
      const data = await t.data();
      return Array.from(data instanceof Float32Array ? new Uint32Array(data.buffer, data.byteOffset, data.length) : (data));
    }),
  );
  tf.dispose(results);
  return bits;
}

/** Runs `compute` on `backend` (made current) and reads its result(s) back. */
export async function onBackend(backend: string, compute: () => tf.Tensor | tf.Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const results = tf.tidy(() => {
    const out = compute();
    return Array.isArray(out) ? out : [out];
  });
  const arrays = await Promise.all(results.map(async (t) => (await t.data()) as Float32Array));
  tf.dispose(results);
  return arrays;
}

/** |a - b| ≤ 1e-4 · max(1, |b|): absolute for small values, relative for sums over many products. */
export function expectClose(actual: Float32Array, expected: Float32Array): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i]!;
    worst = Math.max(worst, Math.abs(actual[i]! - e) / Math.max(1, Math.abs(e)));
  }
  expect(worst).toBeLessThanOrEqual(1e-4);
}

/** The plan a GEMM kernel's test case forces (planGemm's own when none), and what that plan must have done. */
export interface GemmCasePlan {
  plan?: GemmPlanner;
  /** How many K slices the forced plan must have produced (a split-K case that did not split proves nothing). */
  splits?: number;
}

/** A convolution case of the GEMM kernels' tests. */
export interface ConvGemmCase extends GemmCasePlan {
  name: string;
  /** The forward convolution's input (NHWC; for an input gradient, dx's shape) and filter ([kh, kw, C, O]). */
  x: [number, number, number, number];
  filter: [number, number, number, number];
  strides: [number, number] | number;
  pad: Pad;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/** The shape of a convolution's dy (its forward output), in the case's data format (NHWC unless told). */
export function convOutputShape(
  c: Pick<ConvGemmCase, 'x' | 'filter' | 'strides' | 'pad' | 'dimRoundingMode'> & { dataFormat?: 'NHWC' | 'NCHW' },
): number[] {
  const x = c.x;
  const nhwc: [number, number, number, number] = c.dataFormat === 'NCHW' ? [x[0], x[2], x[3], x[1]] : x;
  const info = tf.backend_util.computeConv2DInfo(nhwc, c.filter, c.strides, 1, c.pad, c.dimRoundingMode);
  return c.dataFormat === 'NCHW'
    ? [info.batchSize, info.outChannels, info.outHeight, info.outWidth]
    : [info.batchSize, info.outHeight, info.outWidth, info.outChannels];
}

/**
 * For the tests of one webgpu kernel override: starts WebGPU, registers `make(stock)` over the package's kernel for
 * the file's tests (stock counted, so a test can check which path a case took), and puts the stock one back after.
 */
export function overrideWebgpuKernel(kernelName: string, make: (stock: KernelFunc) => KernelFunc): { readonly stockCalls: number } {
  const counter = { stockCalls: 0 };
  let stock: KernelFunc | undefined;
  beforeAll(async () => {
    await startTestWebgpu();
    stock = tf.getKernel(kernelName, 'webgpu')?.kernelFunc;
    const counted: KernelFunc = (args) => {
      counter.stockCalls++;
      return stock!(args);
    };
    tf.unregisterKernel(kernelName, 'webgpu');
    tf.registerKernel({ kernelName, backendName: 'webgpu', kernelFunc: make(counted) });
  }, 60_000);
  afterAll(() => {
    tf.unregisterKernel(kernelName, 'webgpu');
    if (stock !== undefined) tf.registerKernel({ kernelName, backendName: 'webgpu', kernelFunc: stock });
  });
  return counter;
}

/**
 * A GEMM planner for tests that cuts the real K into `slices` non-empty slices on `tile` (planGemm would never split
 * the small K of a test shape: its slices must be deep).
 */
export function gemmSlices(tile: GemmTile, slices: number): (dims: GemmDims) => GemmPlan {
  return (dims) => {
    const kPerSplit = Math.ceil(dims.k / slices / tile.bk) * tile.bk;
    return { tile, splits: Math.ceil(dims.k / kPerSplit), kPerSplit };
  };
}

/** A GEMM planner for tests that keeps K whole on `tile` (no split). */
export function wholeK(tile: GemmTile): GemmPlanner {
  return (dims) => splitPlan(tile, dims, 1);
}

/**
 * For the tests of a GEMM kernel: `planner` runs the plan a case forces (planGemm's own when none) and records every
 * plan it gave, so a test can check that the GEMM path ran, and with which plan.
 */
export class GemmPlanRecorder {
  forced: GemmPlanner | undefined;
  readonly ran: GemmPlan[] = [];
  /** The problem each of `ran` was planned for. */
  readonly dims: GemmDims[] = [];
  readonly planner: GemmPlanner = (dims) => {
    const plan = (this.forced ?? planGemm)(dims);
    this.ran.push(plan);
    this.dims.push(dims);
    return plan;
  };

  /** Forces `plan` (undefined: planGemm's) for what runs next, and forgets the plans recorded so far. */
  force(plan: GemmPlanner | undefined): void {
    this.forced = plan;
    this.ran.length = 0;
    this.dims.length = 0;
  }

  /**
   * Runs `run` on cpu, then on webgpu under `c`'s plan, and checks that the override counted by `counter` kept the
   * case (no stock call), that `gemms` GEMMs ran, the first with `c.splits` K slices where the case says, and that
   * the results match to 1e-4. Returns the cpu result; {@link ran} and {@link dims} keep what the webgpu run planned.
   */
  async expectMatchesCpu(c: GemmCasePlan, counter: { readonly stockCalls: number }, run: () => tf.Tensor, gemms = 1): Promise<Float32Array> {
    const [expected] = await onBackend('cpu', run);
    this.force(c.plan);
    const stockBefore = counter.stockCalls;
    let actual: Float32Array | undefined;
    try {
      [actual] = await onBackend('webgpu', run);
    } finally {
      this.forced = undefined;
    }
    expect(counter.stockCalls).toBe(stockBefore);
    expect(this.ran).toHaveLength(gemms);
    if (c.splits !== undefined) expect(this.ran[0]!.splits).toBe(c.splits);
    expectClose(actual!, expected!);
    return expected!;
  }
}
