import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerCpuKernelFixes } from './cpu-kernel-fixes.ts';
import { registerWasmTrainingKernels } from './wasm-training-kernels.ts';
import { makeConv2DBackpropFilter, makeConv2DBackpropInput } from './wasm-conv-gradients.ts';
import { filterGradientByConvolutionPays } from './wasm-filter-gradient-convolution.ts';
import { inputGradientByProductPays, windowsTileInput } from './wasm-input-gradient-product.ts';
import { convOutputShape, expectClose, onBackend, seeded, type Pad } from '../testing/kernel-comparison.ts';

interface FilterCase {
  name: string;
  x: [number, number, number, number];
  filter: [number, number, number, number];
  strides: [number, number] | number;
  pad: Pad;
  dataFormat?: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

// Shapes are odd on purpose (non-square, channels not a multiple of 4) so edge handling is exercised.
const cases: FilterCase[] = [
  { name: '3x3 same stride 1', x: [2, 9, 7, 3], filter: [3, 3, 3, 5], strides: 1, pad: 'same' },
  { name: '3x3 valid stride 1', x: [3, 8, 10, 4], filter: [3, 3, 4, 6], strides: 1, pad: 'valid' },
  { name: '3x3 same stride 2', x: [2, 11, 9, 3], filter: [3, 3, 3, 7], strides: 2, pad: 'same' },
  { name: '5x3 valid strides 2x3', x: [1, 13, 12, 2], filter: [5, 3, 2, 4], strides: [2, 3], pad: 'valid' },
  { name: '1x1 same', x: [4, 5, 6, 8], filter: [1, 1, 8, 3], strides: 1, pad: 'same' },
  { name: 'numeric pad 1', x: [2, 7, 8, 3], filter: [3, 3, 3, 4], strides: 1, pad: 1 },
  { name: 'numeric pad 2, stride 2, ceil rounding', x: [2, 8, 9, 2], filter: [3, 3, 2, 3], strides: 2, pad: 2, dimRoundingMode: 'ceil' },
  {
    name: 'explicit asymmetric pad, stride 2',
    x: [2, 9, 8, 3],
    filter: [3, 2, 3, 4],
    strides: 2,
    pad: [[0, 0], [1, 2], [0, 1], [0, 0]],
  },
  { name: 'NCHW same stride 1', x: [2, 3, 6, 7], filter: [3, 3, 3, 4], strides: 1, pad: 'same', dataFormat: 'NCHW' },
  { name: 'NCHW valid stride 2', x: [2, 4, 9, 9], filter: [3, 3, 4, 2], strides: 2, pad: 'valid', dataFormat: 'NCHW' },
  // The last row and column are read by no window: the filter gradient cuts them from x.
  { name: 'valid stride 2, a row and a column no window reaches', x: [2, 10, 8, 3], filter: [3, 3, 3, 4], strides: 2, pad: 'valid' },
  // Padding wider than the filter: the input gradient's convolution crops dy instead of padding it.
  { name: 'numeric pad 3 with a 3x2 filter', x: [1, 6, 7, 2], filter: [3, 2, 2, 3], strides: 1, pad: 3 },
  // Windows that tile the input (an up-convolution's forward pass is this input gradient): one product, no scatter.
  { name: '2x2 stride 2 same, windows tile the input', x: [2, 8, 6, 3], filter: [2, 2, 3, 5], strides: 2, pad: 'same' },
  { name: '3x2 strides 3x2 valid, windows tile the input', x: [3, 9, 6, 2], filter: [3, 2, 2, 4], strides: [3, 2], pad: 'valid' },
  { name: 'NCHW 2x2 stride 2 valid, windows tile the input', x: [2, 3, 6, 4], filter: [2, 2, 3, 2], strides: 2, pad: 'valid', dataFormat: 'NCHW' },
  // Stride = filter but the last row and column are in no window: not a tiling.
  { name: '2x2 stride 2 valid on odd sides', x: [2, 7, 5, 3], filter: [2, 2, 3, 4], strides: 2, pad: 'valid' },
];

interface PoolCase {
  name: string;
  x: [number, number, number, number];
  filter: number;
  strides: number;
  pad: Pad;
}

const poolCases: PoolCase[] = [
  { name: '2x2/2 valid, even sides (tiled)', x: [2, 8, 6, 5], filter: 2, strides: 2, pad: 'valid' },
  { name: '2x2/2 valid, odd sides drop a row and a column (tiled)', x: [2, 9, 7, 3], filter: 2, strides: 2, pad: 'valid' },
  { name: '2x2/2 same on even sides, no padding (tiled)', x: [1, 6, 8, 4], filter: 2, strides: 2, pad: 'same' },
  { name: '3x3/3 valid (tiled)', x: [2, 9, 9, 2], filter: 3, strides: 3, pad: 'valid' },
  { name: '3x3/2 same, overlapping windows (package kernel)', x: [2, 7, 7, 3], filter: 3, strides: 2, pad: 'same' },
  { name: '2x2/2 same on odd sides, padded (package kernel)', x: [1, 5, 5, 2], filter: 2, strides: 2, pad: 'same' },
];

describe('registerWasmTrainingKernels', () => {
  beforeAll(async () => {
    await tf.setBackend('wasm');
    registerWasmTrainingKernels();
  });

  it('registers its kernels for wasm once', () => {
    const names = ['Conv2DBackpropFilter', 'Conv2DBackpropInput', 'MaxPoolGrad', 'Transpose', 'Identity', 'Conv3DBackpropInputV2', 'BatchMatMul', '_FusedMatMul'];
    names.push('Conv3D', 'Conv3DBackpropFilterV2', 'MaxPool3D', 'MaxPool3DGrad', 'Slice', 'SplitV', 'Concat', 'ResizeNearestNeighborGrad', 'Tile', 'Sum', 'Mean', 'Max', 'Min', 'Prod', 'All', 'Any');
    for (const name of names) {
      expect(tf.getKernel(name, 'wasm'), name).toBeDefined();
    }
    expect(registerWasmTrainingKernels()).toEqual([]);
  });

  it('Identity (tf.clone, the gradient tape) shares the data instead of copying it, and the copy outlives the original', async () => {
    await tf.setBackend('wasm');
    const backend = tf.backend();
    const x = tf.tensor2d([[1, 2, 3], [4, 5, 6]]);
    const before = backend.numDataIds();
    const y = tf.clone(x);
    expect(backend.numDataIds()).toBe(before);
    expect(y.dataId).toBe(x.dataId);
    x.dispose();
    expect(Array.from(await y.data())).toEqual([1, 2, 3, 4, 5, 6]);
    expect(y.shape).toEqual([2, 3]);
    y.dispose();
    expect(backend.numDataIds()).toBe(before - 1);
    const words = tf.clone(tf.tensor1d(['a', 'b'], 'string'));
    expect(await words.data()).toEqual(['a', 'b']);
    words.dispose();
  });

  it.each(cases)('Conv2DBackpropFilter matches cpu: $name', async (c) => {
    const dataFormat = c.dataFormat ?? 'NHWC';
    const xShape = c.x;
    const dyShape = convOutputShape(c);
    const x = seeded(xShape, 11);
    const dy = seeded(dyShape, 23);
    const compute = () =>
      tf.engine().runKernel<tf.Tensor>('Conv2DBackpropFilter', { x: x(), dy: dy() }, {
        strides: c.strides,
        pad: c.pad,
        dataFormat,
        dimRoundingMode: c.dimRoundingMode,
        filterShape: c.filter,
      } as unknown as tf.NamedAttrMap);
    const [expected] = await onBackend('cpu', compute);
    const [actual] = await onBackend('wasm', compute);
    expect(tf.util.sizeFromShape(c.filter)).toBe(expected!.length);
    expectClose(actual!, expected!);
  });

  it.each(cases.flatMap((c) => [true, false].map((byConvolution) => ({ ...c, byConvolution }))))(
    'Conv2DBackpropFilter matches cpu in either form (convolution: $byConvolution): $name',
    async (c) => {
      const kernelName = `TesseraFilterGradient${c.byConvolution ? 'Convolution' : 'Product'}`;
      const forced = makeConv2DBackpropFilter({ batchFloats: 1 << 24, patchFloats: 1 << 24 }, () => c.byConvolution);
      if (tf.getKernel(kernelName, 'wasm') === undefined) tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc: (args) => forced(args as never) });
      const attrs = { strides: c.strides, pad: c.pad, dataFormat: c.dataFormat ?? 'NHWC', dimRoundingMode: c.dimRoundingMode, filterShape: c.filter } as unknown as tf.NamedAttrMap;
      const compute = (name: string) => () => tf.engine().runKernel<tf.Tensor>(name, { x: seeded(c.x, 11)(), dy: seeded(convOutputShape(c), 23)() }, attrs);
      const [expected] = await onBackend('cpu', compute('Conv2DBackpropFilter'));
      // The product form multiplies Pᵀ by dy (BatchMatMul); the convolution form convolves (Conv2D).
      const { values, calls } = await onWasmCounting(['BatchMatMul', 'Conv2D'], compute(kernelName));
      expectClose(values[0]!, expected!);
      expect(calls).toEqual(c.byConvolution ? { BatchMatMul: 0, Conv2D: 1 } : { BatchMatMul: 1, Conv2D: 0 });
    },
  );

  it('Conv2DBackpropFilter takes the convolution form where the output channels are few beside the input channels, the product elsewhere', () => {
    const info = (x: [number, number, number, number], filter: [number, number, number, number]) => tf.backend_util.computeConv2DInfo(x, filter, 1, 1, 'same');
    // 3D U-Net slabs and 2D U-Net layers that keep or narrow the channels.
    expect(filterGradientByConvolutionPays(info([128, 32, 32, 8], [3, 3, 8, 8]))).toBe(true);
    expect(filterGradientByConvolutionPays(info([128, 32, 32, 16], [3, 3, 16, 8]))).toBe(true);
    expect(filterGradientByConvolutionPays(info([8, 128, 128, 32], [3, 3, 32, 16]))).toBe(true);
    expect(filterGradientByConvolutionPays(info([8, 64, 64, 64], [3, 3, 64, 32]))).toBe(true);
    expect(filterGradientByConvolutionPays(info([4, 64, 64, 32], [3, 3, 32, 8]))).toBe(true);
    expect(filterGradientByConvolutionPays(info([16, 64, 64, 6], [3, 3, 6, 6]))).toBe(true);
    expect(filterGradientByConvolutionPays(info([2, 91, 91, 32], [3, 3, 32, 8]))).toBe(true);
    // Widening layers (the small VGG's first two, a U-Net's encoder), 64+ outputs.
    expect(filterGradientByConvolutionPays(info([16, 64, 64, 3], [3, 3, 3, 32]))).toBe(false);
    expect(filterGradientByConvolutionPays(info([16, 32, 32, 32], [3, 3, 32, 64]))).toBe(false);
    expect(filterGradientByConvolutionPays(info([8, 128, 128, 1], [3, 3, 1, 16]))).toBe(false);
    expect(filterGradientByConvolutionPays(info([8, 64, 64, 16], [3, 3, 16, 32]))).toBe(false);
    expect(filterGradientByConvolutionPays(info([4, 64, 64, 64], [3, 3, 64, 64]))).toBe(false);
    expect(filterGradientByConvolutionPays(info([16, 32, 32, 128], [3, 3, 128, 128]))).toBe(false);
    expect(filterGradientByConvolutionPays(info([2, 224, 224, 3], [3, 3, 3, 64]))).toBe(false);
  });

  it.each([
    { name: '3 chunks of images (2, 2, 1), 3 of channels (3, 3, 1)', images: 2, channels: 3, adds: 2, concats: 3, byConvolution: false },
    { name: '5 chunks of images, 7 of channels', images: 1, channels: 1, adds: 4, concats: 5, byConvolution: false },
    { name: 'convolution form: 3 chunks of images, 3 of channels', images: 2, channels: 3, adds: 2, concats: 3, byConvolution: true },
  ])('Conv2DBackpropFilter matches cpu with its work split into chunks: $name', async ({ images, channels, adds, concats, byConvolution }) => {
    // 5 images of 9x7 pixels and 7 channels, 3x3 same stride 1: Pᵀ holds 9 taps x 9x7 pixels per channel and image
    // (the convolution's indirection buffer as many pointers per channel, for all images).
    const filterShape: [number, number, number, number] = [3, 3, 7, 4];
    const kernelName = `TesseraChunkedFilterGradient${images}${byConvolution}`;
    const chunked = makeConv2DBackpropFilter({ batchFloats: images * 9 * 7 * 7, patchFloats: channels * (byConvolution ? 1 : images) * 9 * 9 * 7 }, () => byConvolution);
    tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc: (args) => chunked(args as never) });
    const x = seeded([5, 9, 7, 7], 31);
    const dy = seeded([5, 9, 7, 4], 37);
    const attrs = { strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape } as unknown as tf.NamedAttrMap;
    const [expected] = await onBackend('cpu', () => tf.engine().runKernel<tf.Tensor>('Conv2DBackpropFilter', { x: x(), dy: dy() }, attrs));
    // Image chunks' gradients are summed (Add), channel chunks joined (Concat): count both to see the split happen.
    let counted: Awaited<ReturnType<typeof onWasmCounting>>;
    try {
      counted = await onWasmCounting(['Add', 'Concat'], () => tf.engine().runKernel<tf.Tensor>(kernelName, { x: x(), dy: dy() }, attrs));
    } finally {
      tf.unregisterKernel(kernelName, 'wasm');
    }
    expect(counted.values[0]).toHaveLength(tf.util.sizeFromShape(filterShape));
    expectClose(counted.values[0]!, expected!);
    expect(counted.calls).toEqual({ Add: adds, Concat: concats });
  });

  it.each(cases)('Conv2DBackpropInput matches cpu: $name', async (c) => {
    const dataFormat = c.dataFormat ?? 'NHWC';
    const xShape = c.x;
    const dyShape = convOutputShape(c);
    const filter = seeded(c.filter, 5);
    const dy = seeded(dyShape, 29);
    const compute = () =>
      tf.engine().runKernel<tf.Tensor>('Conv2DBackpropInput', { dy: dy(), filter: filter() }, {
        strides: c.strides,
        pad: c.pad,
        dataFormat,
        dimRoundingMode: c.dimRoundingMode,
        inputShape: xShape,
      } as unknown as tf.NamedAttrMap);
    const [expected] = await onBackend('cpu', compute);
    const [actual] = await onBackend('wasm', compute);
    expect(tf.util.sizeFromShape(xShape)).toBe(expected!.length);
    expectClose(actual!, expected!);
  });

  it.each(cases.flatMap((c) => [true, false].map((byProduct) => ({ ...c, byProduct }))))(
    'Conv2DBackpropInput matches cpu in either form (product: $byProduct): $name',
    async (c) => {
      const kernelName = `TesseraInputGradient${c.byProduct ? 'Product' : 'Convolution'}`;
      const forced = makeConv2DBackpropInput(() => c.byProduct);
      if (tf.getKernel(kernelName, 'wasm') === undefined) tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc: (args) => forced(args as never) });
      const dyShape = convOutputShape(c);
      const attrs = { strides: c.strides, pad: c.pad, dataFormat: c.dataFormat ?? 'NHWC', dimRoundingMode: c.dimRoundingMode, inputShape: c.x } as unknown as tf.NamedAttrMap;
      const compute = (name: string) => () => tf.engine().runKernel<tf.Tensor>(name, { dy: seeded(dyShape, 29)(), filter: seeded(c.filter, 5)() }, attrs);
      const [expected] = await onBackend('cpu', compute('Conv2DBackpropInput'));
      const { values, calls } = await onWasmCounting(['BatchMatMul'], compute(kernelName));
      expectClose(values[0]!, expected!);
      expect(calls).toEqual({ BatchMatMul: c.byProduct ? 1 : 0 });
    },
  );

  it.each([
    { name: 'a 2D U-Net up-convolution (2x2 stride 2, windows tile dx)', x: [4, 16, 16, 8], filter: [2, 2, 8, 16], strides: 2, tiles: true },
    { name: '2x2 stride 2 on odd sides (the last row is in no window)', x: [2, 7, 5, 3], filter: [2, 2, 3, 4], strides: 2, tiles: false },
    { name: '2x2 stride 2, odd height only', x: [2, 7, 6, 3], filter: [2, 2, 3, 4], strides: 2, tiles: false },
    { name: '3x3 stride 2 (overlapping windows)', x: [2, 9, 9, 3], filter: [3, 3, 3, 4], strides: 2, tiles: false },
  ] as const)('Conv2DBackpropInput multiplies once and places the blocks where the windows tile dx: $name', async (c) => {
    const x = [...c.x] as [number, number, number, number];
    const filter = [...c.filter] as [number, number, number, number];
    const info = tf.backend_util.computeConv2DInfo(x, filter, c.strides, 1, 'valid');
    expect(windowsTileInput(info)).toBe(c.tiles);
    const dyShape = convOutputShape({ x, filter, strides: c.strides, pad: 'valid' });
    const compute = () => tf.engine().runKernel<tf.Tensor>('Conv2DBackpropInput', { dy: seeded(dyShape, 41)(), filter: seeded(filter, 43)() }, { strides: c.strides, pad: 'valid', dataFormat: 'NHWC', inputShape: x });
    const [expected] = await onBackend('cpu', compute);
    const { values, calls } = await onWasmCounting(['BatchMatMul', 'Conv2D'], compute);
    expectClose(values[0]!, expected!);
    if (c.tiles) expect(calls).toEqual({ BatchMatMul: 1, Conv2D: 0 });
    else expect(calls.Conv2D! + calls.BatchMatMul!).toBe(1);
  });

  it('Conv2DBackpropInput takes the product form where packing the filter costs more than dy: VGG16 at 64x64, batch 4', () => {
    const form = ([side, channels]: [number, number]) =>
      inputGradientByProductPays(tf.backend_util.computeConv2DInfo([4, side, side, channels], [3, 3, channels, channels], 1, 1, 'same'));
    const layers: Array<[number, number]> = [[64, 64], [32, 128], [16, 256], [8, 512], [4, 512]];
    // Measured on these layers (.scratch, 2 threads): product 188, 89, 56, 58, 17 ms against 103, 56, 43, 96, 51.
    expect(layers.map(form)).toEqual([false, false, false, true, true]);
  });

  it.each(poolCases)('MaxPoolGrad matches cpu, ties included: $name', async (c) => {
    // relu of uniform(-1, 1) makes about half the inputs 0, so many windows tie: dx must go to the first maximum.
    const compute = () =>
      tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(tf.relu(x) as tf.Tensor4D, c.filter, c.strides, c.pad), seeded(outShape(c), 8)())))(seeded(c.x, 6)());
    const outShape = (p: typeof c) => {
      const info = tf.backend_util.computePool2DInfo(p.x, p.filter, p.strides, 1, p.pad);
      return [info.batchSize, info.outHeight, info.outWidth, info.outChannels];
    };
    const [expected] = await onBackend('cpu', compute);
    const [actual] = await onBackend('wasm', compute);
    expectClose(actual!, expected!);
    expect(expected!.filter((v) => v !== 0).length).toBeGreaterThan(0);
  });

  // transposes: the wasm Transpose calls, which tell the two ways apart: operands copied as flagged, or the product
  // taken the other way round (Cᵀ = op(B)ᵀ·op(A)ᵀ: unflagged operands and the result copied), whichever moves less.
  it.each([
    { transposeA: true, transposeB: false, a: [2, 7, 5], b: [2, 7, 3], transposes: 1 },
    { transposeA: false, transposeB: true, a: [5, 7], b: [3, 7], transposes: 1 },
    { transposeA: true, transposeB: true, a: [3, 7, 5], b: [1, 4, 7], transposes: 1 },
    { transposeA: false, transposeB: false, a: [4, 6], b: [6, 2], transposes: 0 },
    // A dense layer's input gradient dy·Wᵀ: copying W (108) costs more than dy and the result (18 + 24).
    { transposeA: false, transposeB: true, a: [2, 9], b: [12, 9], transposes: 2 },
    { transposeA: true, transposeB: false, a: [20, 3], b: [20, 2], transposes: 2 },
    { transposeA: false, transposeB: true, a: [3, 2, 9], b: [1, 30, 9], transposes: 2 },
  ])('BatchMatMul matches cpu with transposeA=$transposeA transposeB=$transposeB, a $a, b $b', async (c) => {
    const compute = () => tf.matMul(seeded(c.a, 3)(), seeded(c.b, 4)(), c.transposeA, c.transposeB);
    const [expected] = await onBackend('cpu', compute);
    const { values, calls } = await onWasmCounting(['Transpose'], compute);
    expectClose(values[0]!, expected!);
    expect(calls).toEqual({ Transpose: c.transposes });
  });

  it('_FusedMatMul without a bias takes the product the other way round when that copies less, relu included', async () => {
    const compute = () => tf.fused.matMul({ a: seeded([2, 9], 7)(), b: seeded([12, 9], 8)(), transposeB: true, activation: 'relu' });
    const [expected] = await onBackend('cpu', compute);
    const { values, calls } = await onWasmCounting(['Transpose'], compute);
    expectClose(values[0]!, expected!);
    expect(calls).toEqual({ Transpose: 2 });
    expect(expected!.some((v) => v === 0) && expected!.some((v) => v > 0)).toBe(true);
  });

  it('_FusedMatMul with a transposed operand, bias and relu matches cpu', async () => {
    const compute = () =>
      tf.fused.matMul({
        a: seeded([6, 4], 7)(),
        b: seeded([5, 6], 8)(),
        transposeA: true,
        transposeB: true,
        bias: seeded([5], 9)(),
        activation: 'relu',
      });
    const [expected] = await onBackend('cpu', compute);
    const [actual] = await onBackend('wasm', compute);
    expectClose(actual!, expected!);
    expect(expected!.some((v) => v === 0) && expected!.some((v) => v > 0)).toBe(true);
  });

  // Unflagged products with weights new to the kernel: transposes 3 (B, A and the result) when the product is taken
  // the other way round, 0 when the package's kernel packs B.
  it.each([
    { name: 'a dense layer forward, x·W with W big beside x and C', a: [2, 9], b: [9, 40], transposes: 3 },
    { name: 'the same with a fused relu (element-wise, so it survives the swap)', a: [2, 9], b: [9, 40], activation: 'relu' as const, transposes: 3 },
    { name: 'a fused bias (it broadcasts along C rows)', a: [2, 9], b: [9, 40], bias: true, transposes: 0 },
    { name: 'a batch of products (no packing to avoid)', a: [2, 2, 9], b: [2, 9, 40], transposes: 0 },
    { name: 'A as big as B (packing B is cheaper)', a: [30, 9], b: [9, 12], transposes: 0 },
  ])('unflagged product with new weights: $name', async (c) => {
    const compute = () =>
      tf.fused.matMul({
        a: seeded(c.a, 3)(),
        b: seeded(c.b, 4)(),
        ...(c.bias ? { bias: seeded([c.b[c.b.length - 1]!], 5)() } : {}),
        ...(c.activation ? { activation: c.activation } : {}),
      });
    const [expected] = await onBackend('cpu', compute);
    const { values, calls } = await onWasmCounting(['Transpose'], compute);
    expectClose(values[0]!, expected!);
    expect(calls).toEqual({ Transpose: c.transposes });
  });

  it('weights multiplied again are packed once by the package and reused: transposed only the first time', async () => {
    const [expected] = await onBackend('cpu', () => tf.matMul(seeded([2, 9], 3)(), seeded([9, 40], 4)()));
    await tf.setBackend('wasm');
    const weights = seeded([9, 40], 4)();
    try {
      const transposes: number[] = [];
      for (let product = 0; product < 3; product++) {
        const { values, calls } = await onWasmCounting(['Transpose'], () => tf.matMul(seeded([2, 9], 3)(), weights));
        expectClose(values[0]!, expected!);
        transposes.push(calls['Transpose']!);
      }
      expect(transposes).toEqual([3, 0, 0]);
    } finally {
      weights.dispose();
    }
  });

  it('ResizeNearestNeighborGrad of a batch sums each input pixel\'s 2x2 block, on cpu (fixed) and wasm', async () => {
    const dy = seeded([3, 8, 10, 2], 12);
    const compute = () => tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.image.resizeNearestNeighbor(x as tf.Tensor4D, [8, 10]), dy())))(seeded([3, 4, 5, 2], 13)());
    const [dyValues] = await onBackend('cpu', () => dy());
    const expected = new Float32Array(3 * 4 * 5 * 2);
    for (let b = 0; b < 3; b++)
      for (let y = 0; y < 8; y++)
        for (let x = 0; x < 10; x++)
          for (let c = 0; c < 2; c++) expected[((b * 4 + (y >> 1)) * 5 + (x >> 1)) * 2 + c]! += dyValues![((b * 8 + y) * 10 + x) * 2 + c]!;
    expect(registerCpuKernelFixes()).toEqual(['ResizeNearestNeighborGrad']);
    const [cpu] = await onBackend('cpu', compute);
    const [wasm] = await onBackend('wasm', compute);
    expectClose(cpu!, expected);
    expectClose(wasm!, expected);
    expect(registerCpuKernelFixes()).toEqual([]);
  });

  it.each([
    { name: 'a 3x2 whole-factor resize: one average pooling', from: [2, 4, 5, 3], to: [12, 10], alignCorners: false, halfPixelCenters: false, pooled: 1 },
    { name: 'half-pixel centres, 2x: still whole blocks', from: [2, 3, 4, 2], to: [6, 8], alignCorners: false, halfPixelCenters: true, pooled: 1 },
    { name: 'an unchanged size: the pooling is a copy', from: [1, 3, 3, 2], to: [3, 3], alignCorners: false, halfPixelCenters: false, pooled: 1 },
    { name: 'corner-aligned: the package\'s kernel', from: [2, 4, 5, 3], to: [8, 10], alignCorners: true, halfPixelCenters: false, pooled: 0 },
    { name: 'a 1.5x resize: the package\'s kernel', from: [2, 4, 4, 2], to: [6, 6], alignCorners: false, halfPixelCenters: false, pooled: 0 },
  ] as const)('ResizeNearestNeighborGrad matches cpu: $name', async (c) => {
    registerCpuKernelFixes();
    const compute = () =>
      tf.grad((x: tf.Tensor) =>
        tf.sum(tf.mul(tf.image.resizeNearestNeighbor(x as tf.Tensor4D, [...c.to], c.alignCorners, c.halfPixelCenters), seeded([c.from[0], ...c.to, c.from[3]], 14)())),
      )(seeded([...c.from], 15)());
    const [expected] = await onBackend('cpu', compute);
    const { values, calls } = await onWasmCounting(['AvgPool'], compute);
    expectClose(values[0]!, expected!);
    expect(calls).toEqual({ AvgPool: c.pooled });
  });

  it.each([
    { name: '3x3x3 same stride 1', x: [2, 5, 6, 4, 3], filter: [3, 3, 3, 3, 4], strides: 1, pad: 'same' as const },
    { name: '3x3x3 same stride 2', x: [1, 7, 6, 5, 2], filter: [3, 3, 3, 2, 3], strides: 2, pad: 'same' as const },
    { name: '2x3x2 valid strides 2x1x2', x: [2, 6, 5, 6, 3], filter: [2, 3, 2, 3, 2], strides: [2, 1, 2] as [number, number, number], pad: 'valid' as const },
    { name: '2x2x2 stride 2 (a U-Net up-convolution)', x: [2, 4, 4, 4, 3], filter: [2, 2, 2, 3, 5], strides: 2, pad: 'same' as const },
  ])('Conv3DBackpropInputV2 matches cpu, repeatably: $name', async (c) => {
    const info = tf.backend_util.computeConv3DInfo(c.x as [number, number, number, number, number], c.filter as [number, number, number, number, number], c.strides, 1, c.pad);
    const dyShape = [info.batchSize, info.outDepth, info.outHeight, info.outWidth, info.outChannels];
    const compute = () =>
      tf.engine().runKernel<tf.Tensor>('Conv3DBackpropInputV2', { dy: seeded(dyShape, 31)(), filter: seeded(c.filter, 37)() }, {
        strides: c.strides,
        pad: c.pad,
        inputShape: c.x,
      });
    const [expected] = await onBackend('cpu', compute);
    const [first] = await onBackend('wasm', compute);
    const [second] = await onBackend('wasm', compute);
    expect(first!.length).toBe(tf.util.sizeFromShape(c.x));
    expectClose(first!, expected!);
    expectClose(second!, expected!);
  });

  it('frees every intermediate: the wasm backend holds no more tensors after a conv training step than before', async () => {
    await tf.setBackend('wasm');
    const x = tf.randomUniform<tf.Rank.R4>([2, 9, 9, 3], -1, 1, 'float32', 1);
    const w = tf.randomUniform<tf.Rank.R4>([3, 3, 3, 4], -1, 1, 'float32', 2);
    const step = () => tf.tidy(() => tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same')))([x, w]));
    tf.dispose(step());
    const before = tf.engine().backend.numDataIds();
    tf.dispose(step());
    expect(tf.engine().backend.numDataIds()).toBe(before);
    tf.dispose([x, w]);
  });

  it('gives the same gradients as cpu for a small VGG-style conv net training step', async () => {
    // conv3x3-relu-conv3x3-relu-maxpool, conv3x3 stride 2-relu-maxpool, dense, softmax cross-entropy.
    const step = () => {
      const x = tf.randomUniform<tf.Rank.R4>([4, 16, 16, 3], 0, 1, 'float32', 1);
      const labels = tf.oneHot(tf.tensor1d([0, 2, 1, 2], 'int32'), 3);
      const params = [
        tf.randomNormal([3, 3, 3, 8], 0, 0.3, 'float32', 2),
        tf.randomNormal([3, 3, 8, 8], 0, 0.2, 'float32', 3),
        tf.randomNormal([3, 3, 8, 16], 0, 0.2, 'float32', 4),
        tf.randomNormal([2 * 2 * 16, 3], 0, 0.2, 'float32', 5),
      ];
      const loss = (w1: tf.Tensor, w2: tf.Tensor, w3: tf.Tensor, w4: tf.Tensor) => {
        let h = tf.relu(tf.conv2d(x, w1 as tf.Tensor4D, 1, 'same'));
        h = tf.relu(tf.conv2d(h, w2 as tf.Tensor4D, 1, 'same'));
        h = tf.maxPool(h, 2, 2, 'valid');
        h = tf.relu(tf.conv2d(h, w3 as tf.Tensor4D, 2, 'same'));
        h = tf.maxPool(h, 2, 2, 'valid');
        const logits = tf.matMul(tf.reshape(h, [4, -1]), w4);
        return tf.losses.softmaxCrossEntropy(labels, logits);
      };
      const g = tf.grads((a, b, c, d) => loss(a, b, c, d));
      return g(params);
    };
    const expected = await onBackend('cpu', step);
    const actual = await onBackend('wasm', step);
    expect(actual).toHaveLength(4);
    for (let i = 0; i < expected.length; i++) expectClose(actual[i]!, expected[i]!);
    // A gradient that is all zeros would match trivially; make sure the filters actually learn something.
    expect(Math.max(...Array.from(expected[0]!, Math.abs))).toBeGreaterThan(1e-4);
  });
});

/**
 * Runs `compute` on wasm while counting the calls of some wasm kernels (composite kernels call them through
 * tf.getKernel), so a test can see which path a kernel took; the kernels are restored afterwards.
 */
async function onWasmCounting(names: string[], compute: () => tf.Tensor): Promise<{ values: Float32Array[]; calls: Record<string, number> }> {
  const calls: Record<string, number> = Object.fromEntries(names.map((name) => [name, 0]));
  const originals = names.map((name) => tf.getKernel(name, 'wasm'));
  for (const original of originals) {
    tf.unregisterKernel(original.kernelName, 'wasm');
    tf.registerKernel({
      ...original,
      kernelFunc: (args) => {
        calls[original.kernelName]!++;
        return original.kernelFunc(args);
      },
    });
  }
  try {
    return { values: await onBackend('wasm', compute), calls };
  } finally {
    for (const original of originals) {
      tf.unregisterKernel(original.kernelName, 'wasm');
      tf.registerKernel(original);
    }
  }
}
