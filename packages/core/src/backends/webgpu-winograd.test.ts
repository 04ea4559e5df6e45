import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { describe, expect, it } from 'vitest';
import { convOutputShape, expectClose, GemmPlanRecorder, gemmSlices, onBackend, overrideWebgpuKernel, seeded, wholeK, type ConvGemmCase } from '../testing/kernel-comparison.ts';
import { narrowTile, wideTile } from './webgpu-gemm.ts';
import { webgpuConv2D, webgpuFusedConv2D } from './webgpu-conv2d.ts';
import { webgpuConv2DBackpropInput } from './webgpu-conv2d-input-grad.ts';
import { webgpuConv2DBackpropFilter } from './webgpu-conv2d-filter-grad.ts';
import { profileKernels } from './kernel-profile.ts';
import { deviceBufferLimit, minWinogradChannels, resetWinograd, setWinogradEnabled, winogradFits } from './webgpu-winograd.ts';

/** The plan each case forces, and every GEMM the kernels ran. */
const plans = new GemmPlanRecorder();
const conv2D = overrideWebgpuKernel(tf.Conv2D, (stock) => webgpuConv2D(stock, plans.planner));
const fusedConv2D = overrideWebgpuKernel(tf.FusedConv2D, (stock) => webgpuFusedConv2D(stock, plans.planner));
const inputGrad = overrideWebgpuKernel(tf.Conv2DBackpropInput, (stock) => webgpuConv2DBackpropInput(stock, plans.planner));
const filterGrad = overrideWebgpuKernel(tf.Conv2DBackpropFilter, (stock) => webgpuConv2DBackpropFilter(stock, plans.planner));

/** Stride 1 always: Winograd's F(2x2, 3x3) takes 3x3 stride-1 convolutions only. */
type WinogradCase = Omit<ConvGemmCase, 'strides' | 'dimRoundingMode'>;

// Odd output sides (a half-empty last 2x2 block), odd channel counts and padding of every kind.
const cases: WinogradCase[] = [
  { name: 'same, odd sides and channels, narrow', x: [2, 9, 7, 16], filter: [3, 3, 16, 17], pad: 'same', plan: wholeK(narrowTile) },
  { name: 'valid, wide', x: [1, 10, 11, 19], filter: [3, 3, 19, 16], pad: 'valid', plan: wholeK(wideTile) },
  { name: 'valid to a single output pixel', x: [3, 3, 3, 16], filter: [3, 3, 16, 16], pad: 'valid', plan: wholeK(narrowTile) },
  { name: 'explicit asymmetric padding', x: [2, 6, 5, 16], filter: [3, 3, 16, 20], pad: [[0, 0], [2, 0], [0, 3], [0, 0]], plan: wholeK(narrowTile) },
  { name: 'numeric pad 1', x: [1, 8, 6, 18], filter: [3, 3, 18, 16], pad: 1, plan: wholeK(wideTile) },
  // K is inC forward and outC for the input gradient: 40 each way, three 16-deep slices.
  { name: 'split K over 3 narrow slices', x: [2, 6, 7, 40], filter: [3, 3, 40, 40], pad: 'same', plan: gemmSlices(narrowTile, 3), splits: 3 },
  { name: "planGemm's own choice", x: [2, 14, 14, 32], filter: [3, 3, 32, 48], pad: 'same' },
];

/** Runs `run` on cpu, then on webgpu under the case's plan, and checks that `gemms` 16-product (Winograd) GEMMs ran and matched. */
async function expectWinogradMatchesCpu(
  c: WinogradCase,
  run: () => tf.Tensor,
  counter: { readonly stockCalls: number },
  shape: number[],
  gemms = 1,
): Promise<void> {
  const expected = await plans.expectMatchesCpu(c, counter, run, gemms);
  expect(plans.dims.map((d) => d.batch)).toEqual(Array<number>(gemms).fill(16));
  expect(expected.length).toBe(tf.util.sizeFromShape(shape));
}

describe('3x3 stride-1 convolutions on webgpu by Winograd F(2x2, 3x3)', () => {
  it.each(cases)('Conv2D: $name matches the cpu backend', async (c) => {
    const x = seeded(c.x, 1);
    const w = seeded(c.filter, 2);
    const run = () => tf.conv2d(x() as tf.Tensor4D, w() as tf.Tensor4D, 1, c.pad);
    await expectWinogradMatchesCpu(c, run, conv2D, convOutputShape({ ...c, strides: 1 }));
  });

  it.each(cases.slice(0, 4))('FusedConv2D with bias and relu: $name matches the cpu backend', async (c) => {
    const x = seeded(c.x, 3);
    const w = seeded(c.filter, 4);
    const bias = seeded([c.filter[3]], 5);
    const run = () => tf.fused.conv2d({ x: x() as tf.Tensor4D, filter: w() as tf.Tensor4D, strides: 1, pad: c.pad, bias: bias(), activation: 'relu' });
    await expectWinogradMatchesCpu(c, run, fusedConv2D, convOutputShape({ ...c, strides: 1 }));
  });

  it.each(cases)('Conv2DBackpropInput: $name matches the cpu backend', async (c) => {
    const dy = seeded(convOutputShape({ ...c, strides: 1 }), 6);
    const w = seeded(c.filter, 7);
    const attrs = { inputShape: c.x, strides: 1, pad: c.pad, dataFormat: 'NHWC' } as unknown as tf.NamedAttrMap;
    const run = () => tf.engine().runKernel<tf.Tensor>(tf.Conv2DBackpropInput, { dy: dy(), filter: w() }, attrs);
    await expectWinogradMatchesCpu(c, run, inputGrad, c.x);
  });

  // The filter gradient's K is the tiles: the split cases slice those (no `splits` from the cases above).
  const filterCases: WinogradCase[] = [
    ...cases.filter((c) => c.splits === undefined),
    { name: 'split K (the tiles) over 3 narrow slices', x: [2, 14, 13, 16], filter: [3, 3, 16, 18], pad: 'same', plan: gemmSlices(narrowTile, 3), splits: 3 },
    { name: 'split K over 4 wide slices', x: [1, 20, 19, 17], filter: [3, 3, 17, 16], pad: 'valid', plan: gemmSlices(wideTile, 4), splits: 4 },
  ];

  it.each(filterCases)('Conv2DBackpropFilter: $name matches the cpu backend', async (c) => {
    const x = seeded(c.x, 17);
    const dy = seeded(convOutputShape({ ...c, strides: 1 }), 18);
    const attrs = { strides: 1, pad: c.pad, dataFormat: 'NHWC', filterShape: c.filter } as unknown as tf.NamedAttrMap;
    const run = () => tf.engine().runKernel<tf.Tensor>(tf.Conv2DBackpropFilter, { x: x(), dy: dy() }, attrs);
    await expectWinogradMatchesCpu(c, run, filterGrad, c.filter);
  });

  it('gives tf.grad of tf.conv2d the cpu filter gradient (forward and filter gradient both by Winograd)', async () => {
    const c = cases[0]!;
    const dy = seeded(convOutputShape({ ...c, strides: 1 }), 19);
    const run = () => tf.grad((w: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(seeded(c.x, 20)() as tf.Tensor4D, w as tf.Tensor4D, 1, c.pad), dy())))(seeded(c.filter, 21)());
    await expectWinogradMatchesCpu(c, run, filterGrad, c.filter, 2);
  });

  it('gives tf.grad of tf.conv2d the cpu input gradient (forward and input gradient both by Winograd)', async () => {
    const c = cases[0]!;
    const dy = seeded(convOutputShape({ ...c, strides: 1 }), 8);
    const run = () => tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(x as tf.Tensor4D, seeded(c.filter, 9)() as tf.Tensor4D, 1, c.pad), dy())))(seeded(c.x, 10)());
    await expectWinogradMatchesCpu(c, run, inputGrad, c.x, 2);
  });

  it("turns Winograd off for one layer shape by the key a profile gives that layer's calls", async () => {
    const c = cases[0]!;
    const [x, w] = [seeded(c.x, 13), seeded(c.filter, 14)];
    const [other, otherW] = [seeded([1, 6, 6, 16], 15), seeded([3, 3, 16, 16], 16)];
    const both = () => [tf.conv2d(x() as tf.Tensor4D, w() as tf.Tensor4D, 1, 'same'), tf.conv2d(other() as tf.Tensor4D, otherW() as tf.Tensor4D, 1, 'same')];
    await tf.setBackend('webgpu');
    plans.force(undefined);
    const profiled = (await profileKernels(() => tf.tidy(both), Infinity)).find((t) => t.kernel === 'Conv2D');
    expect(profiled?.shapes).toHaveLength(2);
    expect(plans.dims.map((d) => d.batch)).toEqual([16, 16]);
    const first = profiled!.shapes!.find((s) => s.key.startsWith(`[[${c.x.join(',')}]`))!;
    setWinogradEnabled('Conv2D', false, first.key);
    try {
      plans.force(undefined);
      const [expected] = await onBackend('cpu', () => both()[0]!);
      const [actual] = await onBackend('webgpu', () => tf.tidy(both)[0]!);
      // The first layer on the direct GEMM (one product), the other still by Winograd.
      expect(plans.dims.map((d) => d.batch)).toEqual([1, 16]);
      expectClose(actual!, expected!);
    } finally {
      resetWinograd();
    }
  });

  it(`leaves convolutions with fewer than ${minWinogradChannels} channels to the direct GEMM`, async () => {
    const c: WinogradCase = { name: 'rgb', x: [2, 8, 8, 3], filter: [3, 3, 3, 16], pad: 'same' };
    const run = () => tf.conv2d(seeded(c.x, 11)() as tf.Tensor4D, seeded(c.filter, 12)() as tf.Tensor4D, 1, c.pad);
    const [expected] = await onBackend('cpu', run);
    plans.force(undefined);
    const [actual] = await onBackend('webgpu', run);
    expect(plans.dims.map((d) => d.batch)).toEqual([1]);
    expectClose(actual!, expected!);
  });
});

describe('winogradFits', () => {
  it("keeps the transformed buffers within the device's binding limit and i32 indices", () => {
    // VGG16's first block at batch 16: 200,704 tiles x 64 channels x 16 points = 822 MB.
    expect(winogradFits(2 ** 30, 16 * 112 * 112, 64)).toBe(true);
    expect(winogradFits(2 ** 29, 16 * 112 * 112, 64)).toBe(false);
    expect(winogradFits(2 ** 40, 2 ** 22, 2 ** 6)).toBe(false);
  });

  it("reads the limit off the device, else WebGPU's defaults", async () => {
    await tf.setBackend('webgpu');
    const limit = deviceBufferLimit(tf.backend() as never);
    expect(limit).toBeGreaterThanOrEqual(2 ** 27);
    expect(deviceBufferLimit({ device: { limits: { maxStorageBufferBindingSize: 2 ** 30, maxBufferSize: 2 ** 29 } } } as never)).toBe(2 ** 29);
    expect(deviceBufferLimit({} as never)).toBe(2 ** 27);
  });
});
