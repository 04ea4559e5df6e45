import * as tf from '@tensorflow/tfjs-core';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { shapeKey } from './kernel-profile.ts';
import { dilated, isPointwise } from './webgpu-conv2d.ts';
import { gemmFits, planGemm, runGemm, type GemmOperands, type GemmPlanner, type GemmUniform, stockKernel } from './webgpu-gemm.ts';
import { runWinogradFilterGrad, winogradEnabled, winogradSuits } from './webgpu-winograd.ts';

/**
 * `Conv2DBackpropFilter` (every conv layer's weight gradient) for tfjs' `webgpu` backend, as an implicit GEMM on
 * Tessera's register-blocked GEMM (webgpu-gemm.ts), in place of tfjs-backend-webgpu 4.22's `Conv2DDerFilterProgram`,
 * which runs one thread per filter element and loops each over the whole batch x outHeight x outWidth with no data
 * reuse (VGG16 block 1 at batch 16, 224x224: 1,728 to 36,864 threads, each looping 802,816 times, far too few
 * threads to fill a GPU).
 *
 * NHWC: dW[(kh, kw, ci), co] = Σ_k X[b, oy·sh + kh − pt, ox·sw + kw − pl, ci] · dY[k, co] over k = (b, oy, ox), reads
 * outside X being 0. So M = filterH·filterW·inChannels filter taps, N = outChannels, K = batch·outH·outW output pixels,
 * dY [batch, outH, outW, co] is B row-major and dW [fh, fw, ci, co] is C row-major. M and N are small and K is huge,
 * so planGemm cuts K into slices across workgroups (split-K) and sums them in a second pass. A tap's (kh, kw, ci) is
 * decomposed once, before the K loop; a read then decomposes its pixel k (two integer divisions) and checks the
 * image's bounds. A 1x1, stride-1, unpadded convolution reads X as the plain [K, M] matrix it is. A 3x3 stride-1
 * convolution with 16 or more channels each way runs by Winograd's F(2x2, 3x3) instead (webgpu-winograd.ts).
 *
 * Handles float32 NHWC with any stride and any padding tfjs computes (same, valid, numeric, explicit); anything else
 * (NCHW, dilations, other dtypes) goes to the stock kernel. Matches the cpu backend to 1e-4
 * (webgpu-conv2d-filter-grad.test.ts, webgpu-winograd.test.ts). `winograd` forces the Winograd path on or off
 * (tests); by default winogradEnabled decides at each call, for the call's shapes.
 */
export function webgpuConv2DBackpropFilter(stock: KernelFunc | undefined, planner: GemmPlanner = planGemm, winograd?: boolean): KernelFunc {
  return (args) => {
    const { x, dy } = args.inputs;
    const attrs = args.attrs as unknown as FilterGradAttrs;
    const problem = x !== undefined && dy !== undefined ? describe(x, dy, attrs) : undefined;
    if (problem === undefined) return stockKernel(stock, tf.Conv2DBackpropFilter, args);
    const useWinograd = winograd ?? winogradEnabled(tf.Conv2DBackpropFilter, shapeKey(args.inputs));
    return filterGrad(args.backend as WebGPUBackend, problem, planner, useWinograd) ?? stockKernel(stock, tf.Conv2DBackpropFilter, args);
  };
}

/** The attributes tfjs passes to `Conv2DBackpropFilter` (dilations only if a caller adds them: tfjs' own never do). */
interface FilterGradAttrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat?: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
  dilations?: [number, number] | number;
}

interface FilterGradProblem {
  readonly x: TensorInfo;
  readonly dy: TensorInfo;
  readonly info: tf.backend_util.Conv2DInfo;
  /** 1x1, stride 1, no padding: A is X itself, read as [K, M] (pixels x channels). */
  readonly pointwise: boolean;
}

function describe(x: TensorInfo, dy: TensorInfo, attrs: FilterGradAttrs): FilterGradProblem | undefined {
  if (x.dtype !== 'float32' || dy.dtype !== 'float32' || x.shape.length !== 4 || dy.shape.length !== 4) return undefined;
  if ((attrs.dataFormat ?? 'NHWC') !== 'NHWC' || attrs.filterShape?.length !== 4) return undefined;
  if (dilated(attrs.dilations)) return undefined;
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    attrs.filterShape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const expectedDy = [info.batchSize, info.outHeight, info.outWidth, info.outChannels];
  if (dy.shape.some((d, i) => d !== expectedDy[i])) return undefined;
  // Every index into X, dY and dW is an i32.
  const sizes = [x.shape, dy.shape, attrs.filterShape].map((s) => tf.util.sizeFromShape(s));
  if (sizes.some((s) => s === 0 || s >= 2 ** 31)) return undefined;
  return { x, dy, info, pointwise: isPointwise(info) };
}

function filterGrad(backend: WebGPUBackend, p: FilterGradProblem, planner: GemmPlanner, winograd: boolean): TensorInfo | undefined {
  const { info } = p;
  if (winograd && winogradSuits(info, info.inChannels, info.outChannels)) {
    const result = runWinogradFilterGrad(backend, { x: p.x, dy: p.dy, padTop: info.padInfo.top, padLeft: info.padInfo.left }, planner);
    if (result !== undefined) return result;
  }
  const dims = {
    batch: 1,
    m: info.filterHeight * info.filterWidth * info.inChannels,
    n: info.outChannels,
    k: info.batchSize * info.outHeight * info.outWidth,
  };
  const plan = planner(dims);
  if (!gemmFits(dims, plan)) return undefined;
  const uniforms: GemmUniform[] = [
    { type: 'int32', data: [info.inHeight, info.inWidth, info.inChannels, info.filterWidth] },
    { type: 'int32', data: [info.strideHeight, info.strideWidth, info.padInfo.top, info.padInfo.left] },
    { type: 'int32', data: [info.outHeight * info.outWidth, info.outWidth] },
  ];
  const outputShape = [info.filterHeight, info.filterWidth, info.inChannels, info.outChannels];
  return runGemm(backend, filterGradOperands(p.pointwise), dims, plan, [p.x, p.dy], [], uniforms, outputShape);
}

/**
 * X is read through `gradIn` (inH, inW, inC, filterW), `gradGeom` (strideH, strideW, padTop, padLeft) and `gradOut`
 * (outH·outW, outW); every shape is a uniform, so one shader per variant serves every layer.
 */
function filterGradOperands(pointwise: boolean): GemmOperands {
  return {
    key: `conv2dFilterGrad_${pointwise ? 'pointwise' : 'window'}`,
    variableNames: ['x', 'dy'],
    epilogueVariables: [],
    uniforms: 'gradIn : vec4<i32>, gradGeom : vec4<i32>, gradOut : vec2<i32>,',
    loadA: pointwise ? pointwiseLoadA : windowLoadA,
    aContiguous: 'm',
    loadB: `
      struct GemmColB { col : i32 }
      fn gemmColB(batch : i32, col : i32) -> GemmColB { return GemmColB(col); }
      fn gemmLoadB(c : GemmColB, k : i32) -> f32 { return dy[k * uniforms.gemmDims[1] + c.col]; }`,
    bContiguous: 'n',
    store: `fn gemmStore(batch : i32, row : i32, col : i32, value : f32) {
      result[row * uniforms.gemmDims[1] + col] = value;
    }`,
  };
}

/** Tap `row` is input channel `row`, and pixel k's X values are the row k·inC + ci of X. */
const pointwiseLoadA = `
  struct GemmRowA { ci : i32 }
  fn gemmRowA(batch : i32, row : i32) -> GemmRowA { return GemmRowA(row); }
  fn gemmLoadA(r : GemmRowA, k : i32) -> f32 { return x[k * uniforms.gradIn[2] + r.ci]; }`;

/**
 * Tap `row` = (kh, kw, ci) reads, for output pixel k = (b, oy, ox), X at (oy·sh + offY, ox·sw + offX) with offY = kh − pt
 * and offX = kw − pl: 0 outside the image.
 */
const windowLoadA = `
  struct GemmRowA { ci : i32, offY : i32, offX : i32 }
  fn gemmRowA(batch : i32, row : i32) -> GemmRowA {
    let inC = uniforms.gradIn[2];
    let tap = row / inC;
    let kh = tap / uniforms.gradIn[3];
    let kw = tap - kh * uniforms.gradIn[3];
    return GemmRowA(row - tap * inC, kh - uniforms.gradGeom[2], kw - uniforms.gradGeom[3]);
  }
  fn gemmLoadA(r : GemmRowA, k : i32) -> f32 {
    let image = k / uniforms.gradOut[0];
    let pixel = k - image * uniforms.gradOut[0];
    let oy = pixel / uniforms.gradOut[1];
    let ox = pixel - oy * uniforms.gradOut[1];
    let iy = oy * uniforms.gradGeom[0] + r.offY;
    let ix = ox * uniforms.gradGeom[1] + r.offX;
    let inH = uniforms.gradIn[0];
    let inW = uniforms.gradIn[1];
    if (iy < 0 || iy >= inH || ix < 0 || ix >= inW) {
      return 0.0;
    }
    return x[((image * inH + iy) * inW + ix) * uniforms.gradIn[2] + r.ci];
  }`;
