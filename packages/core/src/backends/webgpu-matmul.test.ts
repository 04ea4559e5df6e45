import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { describe, expect, it } from 'vitest';
import { expectClose, GemmPlanRecorder, gemmSlices, wholeK, onBackend, overrideWebgpuKernel, seeded, type GemmCasePlan } from '../testing/kernel-comparison.ts';
import { narrowTile, planGemm, splitPlan, wideTile } from './webgpu-gemm.ts';
import { webgpuBatchMatMul, webgpuFusedMatMul } from './webgpu-matmul.ts';

/** The plan each case forces, and every plan the kernels ran with. */
const plans = new GemmPlanRecorder();
const wide = wholeK(wideTile);
const narrow = wholeK(narrowTile);
const splitNarrow = gemmSlices(narrowTile, 3);
const splitWide = gemmSlices(wideTile, 4);

const batchMatMul = overrideWebgpuKernel(tf.BatchMatMul, (stock) => webgpuBatchMatMul(stock, plans.planner));
const fusedMatMul = overrideWebgpuKernel(tf._FusedMatMul, (stock) => webgpuFusedMatMul(stock, plans.planner));

interface MatMulCase extends GemmCasePlan {
  name: string;
  a: number[];
  b: number[];
  transposeA?: boolean;
  transposeB?: boolean;
}

const cases: MatMulCase[] = [
  { name: 'odd sizes, narrow tile', a: [37, 29], b: [29, 45], plan: narrow },
  { name: 'odd sizes, wide tile', a: [130, 21], b: [21, 131], plan: wide },
  { name: 'A transposed', a: [29, 37], b: [29, 45], transposeA: true, plan: narrow },
  { name: 'B transposed, wide tile', a: [70, 33], b: [133, 33], transposeB: true, plan: wide },
  { name: 'both transposed', a: [19, 66], b: [70, 19], transposeA: true, transposeB: true, plan: narrow },
  { name: 'batched, equal batches', a: [3, 17, 23], b: [3, 23, 19], plan: narrow },
  { name: 'batched, A shared across B batch', a: [17, 23], b: [2, 2, 23, 19], plan: wide },
  { name: 'batched, B shared across A batch, transposed', a: [3, 23, 17], b: [1, 19, 23], transposeA: true, transposeB: true, plan: narrow },
  { name: 'split K over 3 narrow slices', a: [5, 300], b: [300, 70], plan: splitNarrow, splits: 3 },
  { name: 'split K over 4 wide slices, batched', a: [2, 9, 257], b: [2, 257, 130], plan: splitWide, splits: 4 },
  { name: "planGemm's own choice (a dense layer: batch x deep K)", a: [4, 1500], b: [1500, 96] },
];

describe('BatchMatMul on webgpu through the GEMM', () => {
  it.each(cases)('$name matches the cpu backend', async (c) => {
    const run = () => tf.matMul(seeded(c.a, 1)(), seeded(c.b, 2)(), c.transposeA, c.transposeB);
    await plans.expectMatchesCpu(c, batchMatMul, run);
  });

  it('hands batch dimensions that only broadcast ([1, 3] with [3]) to the stock kernel', async () => {
    const run = () => tf.matMul(seeded([1, 3, 4, 5], 3)(), seeded([3, 5, 6], 4)());
    const [expected] = await onBackend('cpu', run);
    const stockBefore = batchMatMul.stockCalls;
    const [actual] = await onBackend('webgpu', run);
    expect(batchMatMul.stockCalls).toBe(stockBefore + 1);
    expectClose(actual!, expected!);
  });
});

describe('_FusedMatMul on webgpu through the GEMM', () => {
  const fusedCases: Array<MatMulCase & { bias: number[] | null; activation: 'linear' | 'relu' }> = [
    { name: 'bias and relu, narrow', a: [33, 40], b: [40, 50], bias: [50], activation: 'relu', plan: narrow },
    { name: 'relu without bias, wide', a: [130, 12], b: [12, 129], bias: null, activation: 'relu', plan: wide },
    { name: 'bias [1, N], B transposed, linear', a: [21, 40], b: [50, 40], transposeB: true, bias: [1, 50], activation: 'linear', plan: narrow },
    { name: 'bias and relu applied after the split-K sum', a: [6, 600], b: [600, 70], bias: [70], activation: 'relu', plan: splitNarrow, splits: 3 },
  ];

  it.each(fusedCases)('$name matches the cpu backend', async (c) => {
    const run = () =>
      tf.fused.matMul({
        a: seeded(c.a, 5)(),
        b: seeded(c.b, 6)(),
        transposeA: c.transposeA ?? false,
        transposeB: c.transposeB ?? false,
        bias: c.bias === null ? undefined : seeded(c.bias, 7)(),
        activation: c.activation,
      });
    const expected = await plans.expectMatchesCpu(c, fusedMatMul, run);
    if (c.activation === 'relu') expect(expected.some((v) => v === 0) && expected.some((v) => v > 0)).toBe(true);
  });

  it('hands a leaky relu to the stock kernel', async () => {
    const run = () =>
      tf.fused.matMul({ a: seeded([8, 9], 8)(), b: seeded([9, 10], 9)(), bias: seeded([10], 10)(), activation: 'leakyrelu', leakyreluAlpha: 0.3 });
    const [expected] = await onBackend('cpu', run);
    const stockBefore = fusedMatMul.stockCalls;
    const [actual] = await onBackend('webgpu', run);
    expect(fusedMatMul.stockCalls).toBe(stockBefore + 1);
    expectClose(actual!, expected!);
  });
});

describe('planGemm', () => {
  it('takes the wide tile when its tiles fill the GPU and are mostly real', () => {
    // VGG16's block 2 at batch 16: M = 200,704 pixels, N = 128 channels, K = 576.
    expect(planGemm({ batch: 1, m: 200_704, n: 128, k: 576 })).toMatchObject({ tile: { name: 'wide' }, splits: 1 });
    expect(planGemm({ batch: 1, m: 200_704, n: 96, k: 576 })).toMatchObject({ tile: { name: 'wide' }, splits: 1 });
  });

  it('takes the narrow tile where half of each wide tile would be padding (64 channels)', () => {
    // VGG16's first convolution at batch 16, 224x224: M = 802,816 pixels, N = 64 channels, K = 27.
    expect(planGemm({ batch: 1, m: 802_816, n: 64, k: 27 })).toMatchObject({ tile: { name: 'narrow' }, splits: 1 });
  });

  it('takes the narrow tile when wide tiles would leave SMs idle', () => {
    // VGG16's last block at batch 16: M = 3,136, N = 512: 100 wide tiles, 392 narrow ones.
    expect(planGemm({ batch: 1, m: 3_136, n: 512, k: 4_608 })).toMatchObject({ tile: { name: 'narrow' }, splits: 1 });
  });

  it('splits a deep K when even narrow tiles are too few (a dense forward pass)', () => {
    const plan = planGemm({ batch: 1, m: 16, n: 4_096, k: 25_088 });
    expect(plan.tile.name).toBe('narrow');
    expect(plan.splits).toBeGreaterThan(1);
    expect(plan.kPerSplit % narrowTile.bk).toBe(0);
    expect(plan.splits * plan.kPerSplit).toBeGreaterThanOrEqual(25_088);
    expect((plan.splits - 1) * plan.kPerSplit).toBeLessThan(25_088);
  });

  it('keeps slices deep enough and partials small enough', () => {
    expect(planGemm({ batch: 1, m: 4, n: 4, k: 64 }).splits).toBe(1);
    const big = splitPlan(narrowTile, { batch: 1, m: 4_096, n: 4_096, k: 1_000_000 }, 1_000);
    expect(big.splits * 4_096 * 4_096 * 4).toBeLessThanOrEqual(64 * 1024 * 1024);
  });
});
