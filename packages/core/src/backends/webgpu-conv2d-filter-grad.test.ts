import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { describe, expect, it } from 'vitest';
import { convOutputShape, expectClose, GemmPlanRecorder, gemmSlices, wholeK, onBackend, overrideWebgpuKernel, seeded, type ConvGemmCase } from '../testing/kernel-comparison.ts';
import { narrowTile, wideTile } from './webgpu-gemm.ts';
import { webgpuConv2DBackpropFilter } from './webgpu-conv2d-filter-grad.ts';

/** The plan each case forces, and every plan the kernels ran with. */
const plans = new GemmPlanRecorder();
const wide = wholeK(wideTile);
const narrow = wholeK(narrowTile);
const filterGrad = overrideWebgpuKernel(tf.Conv2DBackpropFilter, (stock) => webgpuConv2DBackpropFilter(stock, plans.planner, false));

interface FilterCase extends ConvGemmCase {
  /** planGemm's own plan must have split K. */
  plannerSplits?: boolean;
}

// Odd sides and channel counts on purpose, so every tile edge and padding border is exercised.
const cases: FilterCase[] = [
  { name: '3x3 same, stride 1, narrow', x: [2, 9, 7, 3], filter: [3, 3, 3, 5], strides: 1, pad: 'same', plan: narrow },
  { name: '3x3 same, stride 1, wide', x: [2, 9, 7, 3], filter: [3, 3, 3, 5], strides: 1, pad: 'same', plan: wide },
  { name: '3x3 valid, stride 1, wide', x: [3, 8, 10, 4], filter: [3, 3, 4, 6], strides: 1, pad: 'valid', plan: wide },
  { name: '3x3 same, stride 2, narrow', x: [2, 11, 9, 3], filter: [3, 3, 3, 7], strides: 2, pad: 'same', plan: narrow },
  { name: '5x3 valid, strides 2x3, wide', x: [1, 13, 12, 2], filter: [5, 3, 2, 4], strides: [2, 3], pad: 'valid', plan: wide },
  { name: '1x1 same, stride 1 (pointwise), narrow', x: [4, 5, 6, 8], filter: [1, 1, 8, 3], strides: 1, pad: 'same', plan: narrow },
  { name: '1x1 valid, stride 1 (pointwise), wide', x: [3, 7, 9, 6], filter: [1, 1, 6, 5], strides: 1, pad: 'valid', plan: wide },
  { name: '1x1 stride 2', x: [2, 7, 6, 5], filter: [1, 1, 5, 6], strides: 2, pad: 'same', plan: narrow },
  { name: '1x1 with explicit padding', x: [1, 4, 5, 3], filter: [1, 1, 3, 2], strides: 1, pad: [[0, 0], [1, 0], [0, 2], [0, 0]], plan: wide },
  { name: 'numeric pad 1', x: [2, 7, 8, 3], filter: [3, 3, 3, 4], strides: 1, pad: 1, plan: narrow },
  { name: 'numeric pad 2, stride 2, ceil rounding', x: [2, 8, 9, 2], filter: [3, 3, 2, 3], strides: 2, pad: 2, dimRoundingMode: 'ceil', plan: wide },
  { name: 'explicit asymmetric pad, stride 2', x: [2, 9, 8, 3], filter: [3, 2, 3, 4], strides: 2, pad: [[0, 0], [1, 2], [0, 1], [0, 0]], plan: narrow },
  { name: 'M over one wide tile (3x3x17 taps), N over one (131 channels)', x: [1, 6, 5, 17], filter: [3, 3, 17, 131], strides: 1, pad: 'same', plan: wide },
  { name: 'split K over 3 narrow slices', x: [2, 9, 8, 5], filter: [3, 3, 5, 70], strides: 1, pad: 'same', plan: gemmSlices(narrowTile, 3), splits: 3 },
  { name: 'split K over 4 wide slices, stride 2', x: [2, 17, 15, 3], filter: [5, 3, 3, 13], strides: 2, pad: 'same', plan: gemmSlices(wideTile, 4), splits: 4 },
  // Few output tiles and a deep K, as in a real layer: planGemm splits K itself.
  { name: "planGemm's own choice (split K)", x: [4, 32, 32, 16], filter: [3, 3, 16, 32], strides: 1, pad: 'same', plannerSplits: true },
];

function attrsOf(c: FilterCase, dataFormat: 'NHWC' | 'NCHW' = 'NHWC'): tf.NamedAttrMap {
  return { strides: c.strides, pad: c.pad, dataFormat, dimRoundingMode: c.dimRoundingMode, filterShape: c.filter } as unknown as tf.NamedAttrMap;
}

/** Runs `run` on cpu, then on webgpu under the case's plan, and checks the GEMM path ran once and matched. */
async function expectGemmMatchesCpu(c: FilterCase, run: () => tf.Tensor): Promise<void> {
  const expected = await plans.expectMatchesCpu(c, filterGrad, run);
  if (c.plannerSplits) expect(plans.ran[0]!.splits).toBeGreaterThan(1);
  expect(expected.length).toBe(tf.util.sizeFromShape(c.filter));
}

describe('Conv2DBackpropFilter on webgpu through the GEMM', () => {
  it.each(cases)('$name matches the cpu backend', async (c) => {
    const x = seeded(c.x, 11);
    const dy = seeded(convOutputShape(c), 23);
    const run = () => tf.engine().runKernel<tf.Tensor>(tf.Conv2DBackpropFilter, { x: x(), dy: dy() }, attrsOf(c));
    await expectGemmMatchesCpu(c, run);
  });

  it('gives tf.grad of tf.conv2d the cpu filter gradient', async () => {
    const c: FilterCase = { name: 'grad', x: [2, 11, 9, 3], filter: [3, 3, 3, 7], strides: 2, pad: 'same', plan: narrow };
    const dy = seeded(convOutputShape(c), 31);
    const run = () =>
      tf.grad((w: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(seeded(c.x, 17)() as tf.Tensor4D, w as tf.Tensor4D, c.strides, c.pad), dy())))(
        seeded(c.filter, 19)(),
      );
    await expectGemmMatchesCpu(c, run);
  });

  it('hands NCHW to the stock kernel', async () => {
    const c = cases[0]!;
    const x = seeded([c.x[0], c.x[3], c.x[1], c.x[2]], 41);
    const dy = seeded(convOutputShape({ ...c, dataFormat: 'NCHW', x: [c.x[0], c.x[3], c.x[1], c.x[2]] }), 43);
    const run = () => tf.engine().runKernel<tf.Tensor>(tf.Conv2DBackpropFilter, { x: x(), dy: dy() }, attrsOf(c, 'NCHW'));
    const [expected] = await onBackend('cpu', run);
    plans.force(undefined);
    const stockBefore = filterGrad.stockCalls;
    const [actual] = await onBackend('webgpu', run);
    expect(filterGrad.stockCalls).toBe(stockBefore + 1);
    expect(plans.ran).toHaveLength(0);
    expectClose(actual!, expected!);
  });
});
