import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { describe, expect, it } from 'vitest';
import { expectClose, GemmPlanRecorder, gemmSlices, wholeK, onBackend, overrideWebgpuKernel, seeded, type ConvGemmCase } from '../testing/kernel-comparison.ts';
import { narrowTile, wideTile } from './webgpu-gemm.ts';
import { webgpuConv2D, webgpuFusedConv2D } from './webgpu-conv2d.ts';

/** The plan each case forces, and every plan the kernels ran with. */
const plans = new GemmPlanRecorder();
const wide = wholeK(wideTile);
const narrow = wholeK(narrowTile);
const conv2D = overrideWebgpuKernel(tf.Conv2D, (stock) => webgpuConv2D(stock, plans.planner, false));
const fusedConv2D = overrideWebgpuKernel(tf.FusedConv2D, (stock) => webgpuFusedConv2D(stock, plans.planner, false));

// Odd sides and channel counts (not multiples of 4) on purpose, so every tile edge and padding border is exercised.
const cases: ConvGemmCase[] = [
  { name: '3x3 same, stride 1, narrow', x: [2, 9, 7, 3], filter: [3, 3, 3, 5], strides: 1, pad: 'same', plan: narrow },
  { name: '3x3 same, stride 1, wide (M over one tile)', x: [2, 11, 7, 5], filter: [3, 3, 5, 6], strides: 1, pad: 'same', plan: wide },
  { name: '3x3 valid, stride 1, wide', x: [3, 8, 10, 4], filter: [3, 3, 4, 7], strides: 1, pad: 'valid', plan: wide },
  { name: '3x3 same, stride 2, narrow', x: [2, 11, 9, 3], filter: [3, 3, 3, 7], strides: 2, pad: 'same', plan: narrow },
  { name: '5x3 valid, strides 2x3, narrow', x: [1, 13, 12, 2], filter: [5, 3, 2, 9], strides: [2, 3], pad: 'valid', plan: narrow },
  { name: '5x3 same, stride 1, wide (N over one tile)', x: [1, 6, 5, 3], filter: [5, 3, 3, 131], strides: 1, pad: 'same', plan: wide },
  { name: '1x1 stride 1, unpadded (pointwise), narrow', x: [4, 5, 6, 9], filter: [1, 1, 9, 3], strides: 1, pad: 'same', plan: narrow },
  { name: '1x1 stride 1, unpadded (pointwise), wide', x: [3, 7, 9, 6], filter: [1, 1, 6, 5], strides: 1, pad: 'valid', plan: wide },
  { name: '1x1 stride 2', x: [2, 7, 6, 5], filter: [1, 1, 5, 6], strides: 2, pad: 'same', plan: narrow },
  { name: '1x1 with explicit padding', x: [1, 4, 5, 3], filter: [1, 1, 3, 2], strides: 1, pad: [[0, 0], [1, 0], [0, 2], [0, 0]], plan: narrow },
  { name: 'numeric pad 1', x: [2, 7, 8, 3], filter: [3, 3, 3, 4], strides: 1, pad: 1, plan: narrow },
  { name: 'numeric pad 2, stride 2, ceil rounding', x: [2, 8, 9, 2], filter: [3, 3, 2, 3], strides: 2, pad: 2, dimRoundingMode: 'ceil', plan: wide },
  { name: 'explicit asymmetric pad, stride 2', x: [2, 9, 8, 3], filter: [3, 2, 3, 5], strides: 2, pad: [[0, 0], [1, 2], [0, 1], [0, 0]], plan: narrow },
  { name: 'split K over 3 narrow slices', x: [1, 6, 5, 35], filter: [3, 3, 35, 10], strides: 1, pad: 'same', plan: gemmSlices(narrowTile, 3), splits: 3 },
  { name: 'split K over 4 wide slices, stride 2', x: [2, 9, 8, 13], filter: [5, 3, 13, 9], strides: 2, pad: 'same', plan: gemmSlices(wideTile, 4), splits: 4 },
  { name: "planGemm's own choice", x: [2, 10, 9, 6], filter: [3, 3, 6, 11], strides: 1, pad: 'same' },
];

describe('Conv2D on webgpu through the GEMM', () => {
  it.each(cases)('$name matches the cpu backend', async (c) => {
    const run = () => tf.conv2d(seeded(c.x, 1)() as tf.Tensor4D, seeded(c.filter, 2)() as tf.Tensor4D, c.strides, c.pad, 'NHWC', 1, c.dimRoundingMode);
    await plans.expectMatchesCpu(c, conv2D, run);
  });

  it.each([
    { name: 'NCHW', dataFormat: 'NCHW' as const, dilations: 1, x: [2, 3, 7, 6] },
    { name: 'dilation 2', dataFormat: 'NHWC' as const, dilations: 2, x: [2, 9, 8, 3] },
  ])('hands $name to the stock kernel', async (c) => {
    const run = () => tf.conv2d(seeded(c.x, 3)() as tf.Tensor4D, seeded([3, 3, 3, 4], 4)() as tf.Tensor4D, 1, 'same', c.dataFormat, c.dilations);
    const [expected] = await onBackend('cpu', run);
    const stockBefore = conv2D.stockCalls;
    const [actual] = await onBackend('webgpu', run);
    expect(conv2D.stockCalls).toBe(stockBefore + 1);
    expectClose(actual!, expected!);
  });
});

describe('FusedConv2D on webgpu through the GEMM', () => {
  const fusedCases: Array<ConvGemmCase & { bias: number[] | null; activation: 'linear' | 'relu' }> = [
    { name: 'bias and relu, narrow', x: [2, 9, 7, 3], filter: [3, 3, 3, 5], strides: 1, pad: 'same', bias: [5], activation: 'relu', plan: narrow },
    { name: 'bias and relu, stride 2, wide', x: [2, 11, 9, 3], filter: [3, 3, 3, 7], strides: 2, pad: 'valid', bias: [7], activation: 'relu', plan: wide },
    { name: 'relu without bias, 5x3', x: [1, 13, 12, 2], filter: [5, 3, 2, 6], strides: [2, 1], pad: 1, bias: null, activation: 'relu', plan: narrow },
    { name: 'bias [1, 1, 1, C], linear, pointwise', x: [2, 5, 6, 7], filter: [1, 1, 7, 6], strides: 1, pad: 'valid', bias: [1, 1, 1, 6], activation: 'linear', plan: wide },
    {
      name: 'bias and relu applied after the split-K sum',
      x: [1, 6, 5, 35],
      filter: [3, 3, 35, 10],
      strides: 1,
      pad: 'same',
      bias: [10],
      activation: 'relu',
      plan: gemmSlices(narrowTile, 3),
      splits: 3,
    },
  ];

  it.each(fusedCases)('$name matches the cpu backend', async (c) => {
    const run = () =>
      tf.fused.conv2d({
        x: seeded(c.x, 5)() as tf.Tensor4D,
        filter: seeded(c.filter, 6)() as tf.Tensor4D,
        strides: c.strides,
        pad: c.pad,
        bias: c.bias === null ? undefined : seeded(c.bias, 7)(),
        activation: c.activation,
      });
    const expected = await plans.expectMatchesCpu(c, fusedConv2D, run);
    if (c.activation === 'relu') expect(expected.some((v) => v === 0) && expected.some((v) => v > 0)).toBe(true);
  });

  it('hands a leaky relu to the stock kernel', async () => {
    const run = () =>
      tf.fused.conv2d({
        x: seeded([2, 7, 6, 3], 8)() as tf.Tensor4D,
        filter: seeded([3, 3, 3, 4], 9)() as tf.Tensor4D,
        strides: 1,
        pad: 'same',
        bias: seeded([4], 10)(),
        activation: 'leakyrelu',
        leakyreluAlpha: 0.3,
      });
    const [expected] = await onBackend('cpu', run);
    const stockBefore = fusedConv2D.stockCalls;
    const [actual] = await onBackend('webgpu', run);
    expect(fusedConv2D.stockCalls).toBe(stockBefore + 1);
    expectClose(actual!, expected!);
  });
});
