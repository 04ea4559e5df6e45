import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { describe, expect, it } from 'vitest';
import { convOutputShape, expectClose, GemmPlanRecorder, gemmSlices, wholeK, onBackend, overrideWebgpuKernel, seeded, type ConvGemmCase } from '../testing/kernel-comparison.ts';
import { narrowTile, wideTile } from './webgpu-gemm.ts';
import { webgpuConv2DBackpropInput } from './webgpu-conv2d-input-grad.ts';

/** The plan each case forces, and every plan the kernels ran with. */
const plans = new GemmPlanRecorder();
const wide = wholeK(wideTile);
const narrow = wholeK(narrowTile);
const inputGrad = overrideWebgpuKernel(tf.Conv2DBackpropInput, (stock) => webgpuConv2DBackpropInput(stock, plans.planner, false));

// Odd sides and channel counts (not multiples of 4) on purpose, so every tile edge and padding border is exercised.
const cases: ConvGemmCase[] = [
  { name: '3x3 same, stride 1, narrow', x: [2, 9, 7, 3], filter: [3, 3, 3, 5], strides: 1, pad: 'same', plan: narrow },
  { name: '3x3 same, stride 1, wide (M over one tile)', x: [2, 11, 7, 5], filter: [3, 3, 5, 6], strides: 1, pad: 'same', plan: wide },
  { name: '3x3 valid, stride 1, wide', x: [3, 8, 10, 7], filter: [3, 3, 7, 4], strides: 1, pad: 'valid', plan: wide },
  { name: '3x3 same, stride 2, narrow', x: [2, 11, 9, 3], filter: [3, 3, 3, 7], strides: 2, pad: 'same', plan: narrow },
  { name: '3x3 valid, stride 2, wide', x: [2, 10, 9, 5], filter: [3, 3, 5, 6], strides: 2, pad: 'valid', plan: wide },
  { name: '3x3 same, stride 3, narrow', x: [2, 10, 11, 3], filter: [3, 3, 3, 5], strides: 3, pad: 'same', plan: narrow },
  { name: '5x3 valid, strides 2x3, narrow', x: [1, 13, 12, 2], filter: [5, 3, 2, 9], strides: [2, 3], pad: 'valid', plan: narrow },
  { name: '5x3 same, stride 1, wide (N over one tile)', x: [1, 6, 5, 131], filter: [5, 3, 131, 3], strides: 1, pad: 'same', plan: wide },
  { name: '5x3 same, strides 1x2, narrow', x: [2, 7, 9, 3], filter: [5, 3, 3, 6], strides: [1, 2], pad: 'same', plan: narrow },
  { name: '1x1 stride 1, unpadded (pointwise), narrow', x: [4, 5, 6, 9], filter: [1, 1, 9, 3], strides: 1, pad: 'same', plan: narrow },
  { name: '1x1 stride 1, unpadded (pointwise), wide', x: [3, 7, 9, 6], filter: [1, 1, 6, 5], strides: 1, pad: 'valid', plan: wide },
  { name: '1x1 stride 2', x: [2, 7, 6, 5], filter: [1, 1, 5, 6], strides: 2, pad: 'same', plan: narrow },
  { name: '1x1 with explicit padding', x: [1, 4, 5, 3], filter: [1, 1, 3, 2], strides: 1, pad: [[0, 0], [1, 0], [0, 2], [0, 0]], plan: narrow },
  { name: 'numeric pad 1', x: [2, 7, 8, 3], filter: [3, 3, 3, 4], strides: 1, pad: 1, plan: narrow },
  { name: 'numeric pad 2, stride 2, ceil rounding', x: [2, 8, 9, 2], filter: [3, 3, 2, 3], strides: 2, pad: 2, dimRoundingMode: 'ceil', plan: wide },
  { name: 'explicit asymmetric pad, stride 1', x: [1, 6, 7, 3], filter: [3, 2, 3, 5], strides: 1, pad: [[0, 0], [2, 0], [0, 1], [0, 0]], plan: narrow },
  { name: 'explicit asymmetric pad, stride 2', x: [2, 9, 8, 3], filter: [3, 2, 3, 5], strides: 2, pad: [[0, 0], [1, 2], [0, 1], [0, 0]], plan: narrow },
  { name: '2x2 valid, stride 2 (a U-Net up-convolution), wide', x: [3, 8, 6, 5], filter: [2, 2, 5, 7], strides: 2, pad: 'valid', plan: wide },
  { name: '4x4 same, stride 2, narrow', x: [2, 9, 10, 3], filter: [4, 4, 3, 6], strides: 2, pad: 'same', plan: narrow },
  { name: '1x1 valid, stride 3 (phases without taps)', x: [2, 7, 8, 4], filter: [1, 1, 4, 5], strides: 3, pad: 'valid', plan: wide },
  { name: '2x3 same, strides 3x2, batch 3, narrow', x: [3, 8, 7, 2], filter: [2, 3, 2, 5], strides: [3, 2], pad: 'same', plan: narrow },
  { name: 'explicit pad, strides 3x2, wide', x: [2, 10, 9, 3], filter: [3, 3, 3, 4], strides: [3, 2], pad: [[0, 0], [2, 1], [1, 0], [0, 0]], plan: wide },
  { name: 'split K over 3 narrow slices', x: [1, 6, 5, 10], filter: [3, 3, 10, 35], strides: 1, pad: 'same', plan: gemmSlices(narrowTile, 3), splits: 3 },
  { name: 'split K over 4 wide slices, stride 2', x: [2, 9, 8, 9], filter: [5, 3, 9, 13], strides: 2, pad: 'same', plan: gemmSlices(wideTile, 4), splits: 4 },
  { name: "planGemm's own choice", x: [2, 10, 9, 11], filter: [3, 3, 11, 6], strides: 1, pad: 'same' },
];

function attrsOf(c: ConvGemmCase, dataFormat: 'NHWC' | 'NCHW' = 'NHWC'): tf.NamedAttrMap {
  const inputShape = dataFormat === 'NCHW' ? [c.x[0], c.x[3], c.x[1], c.x[2]] : c.x;
  return { inputShape, strides: c.strides, pad: c.pad, dataFormat, dimRoundingMode: c.dimRoundingMode } as unknown as tf.NamedAttrMap;
}

/** Runs `run` on cpu, then on webgpu under the case's forced plan, and checks the GEMM path ran once and matched. */
async function expectGemmMatchesCpu(c: ConvGemmCase, run: () => tf.Tensor): Promise<void> {
  const expected = await plans.expectMatchesCpu(c, inputGrad, run);
  expect(expected.length).toBe(tf.util.sizeFromShape(c.x));
}

describe('Conv2DBackpropInput on webgpu through the GEMM', () => {
  it.each(cases)('$name matches the cpu backend', async (c) => {
    const dy = seeded(convOutputShape(c), 1);
    const filter = seeded(c.filter, 2);
    const run = () => tf.engine().runKernel<tf.Tensor>(tf.Conv2DBackpropInput, { dy: dy(), filter: filter() }, attrsOf(c));
    await expectGemmMatchesCpu(c, run);
  });

  it('gives tf.grad of tf.conv2d the cpu input gradient', async () => {
    const c: ConvGemmCase = { name: 'grad', x: [2, 9, 8, 3], filter: [3, 3, 3, 6], strides: 2, pad: 'same', plan: narrow };
    const dy = seeded(convOutputShape(c), 3);
    const run = () =>
      tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(x as tf.Tensor4D, seeded(c.filter, 4)() as tf.Tensor4D, c.strides, c.pad), dy())))(
        seeded(c.x, 5)(),
      );
    await expectGemmMatchesCpu(c, run);
  });

  it("gives tf.conv2dTranspose (a U-Net's up-convolution) the cpu result", async () => {
    const c: ConvGemmCase = { name: 'transpose', x: [2, 10, 8, 6], filter: [2, 2, 6, 9], strides: 2, pad: 'valid', plan: narrow };
    const run = () => tf.conv2dTranspose(seeded(convOutputShape(c), 8)() as tf.Tensor4D, seeded(c.filter, 9)() as tf.Tensor4D, c.x, 2, 'valid');
    await expectGemmMatchesCpu(c, run);
  });

  it('hands NCHW to the stock kernel', async () => {
    const c = cases[0]!;
    const dy = seeded(convOutputShape({ ...c, dataFormat: 'NCHW', x: [c.x[0], c.x[3], c.x[1], c.x[2]] }), 6);
    const filter = seeded(c.filter, 7);
    const run = () => tf.engine().runKernel<tf.Tensor>(tf.Conv2DBackpropInput, { dy: dy(), filter: filter() }, attrsOf(c, 'NCHW'));
    const [expected] = await onBackend('cpu', run);
    plans.force(undefined);
    const stockBefore = inputGrad.stockCalls;
    const [actual] = await onBackend('webgpu', run);
    expect(inputGrad.stockCalls).toBe(stockBefore + 1);
    expect(plans.ran).toHaveLength(0);
    expectClose(actual!, expected!);
  });
});
