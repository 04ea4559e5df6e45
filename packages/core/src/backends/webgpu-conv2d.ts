import * as tf from '@tensorflow/tfjs-core';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { gemmFits, planGemm, runGemm, type GemmOperands, type GemmPlanner, type GemmUniform, stockKernel } from './webgpu-gemm.ts';
import { shapeKey } from './kernel-profile.ts';
import { runWinogradConv, winogradEnabled, winogradSuits } from './webgpu-winograd.ts';

/**
 * `Conv2D` and `FusedConv2D` (every conv layer's forward pass) for tfjs' `webgpu` backend, as an implicit GEMM on
 * Tessera's register-blocked GEMM (webgpu-gemm.ts) in place of tfjs-backend-webgpu 4.22's 32x32-tile conv programs,
 * with the bias and a relu fused into the store.
 *
 * NHWC: C[(b, oy, ox), co] = Σ_k A[(b, oy, ox), k] · W[k, co] over k = (kh, kw, ci), ci fastest, where
 * A[(b, oy, ox), (kh, kw, ci)] = X[b, oy·sh − pt + kh, ox·sw − pl + kw, ci] (0 outside the image). So M = batch·outH·outW
 * output pixels, N = outChannels, K = filterH·filterW·inChannels; the filter [fh, fw, ci, co] is B row-major and the
 * output [batch, outH, outW, co] is C row-major. Each thread decomposes its pixels once, before the K loop; a read
 * then costs two integer divisions (one for pixels whose window lies inside the image). A 1x1, stride-1, unpadded
 * conv reads X as the plain [M, K] matrix it is. A 3x3 stride-1 conv with 16 or more channels in and out (all of
 * VGG16's but the first) runs by Winograd's F(2x2, 3x3) instead (webgpu-winograd.ts): 2.25x fewer multiply-adds.
 *
 * Handles float32 NHWC with any stride and any padding tfjs computes (same, valid, numeric, explicit), a bias of one
 * value per output channel, and linear or relu activations; anything else (NCHW, dilations, prelu, leaky relu, other
 * biases or dtypes) goes to the stock kernel. Matches the cpu backend to 1e-4 (webgpu-conv2d.test.ts,
 * webgpu-winograd.test.ts). `winograd` forces the Winograd path on or off (tests); by default winogradEnabled decides
 * at each call, for the call's shapes (a measured kernel choice may turn it off).
 */
export function webgpuConv2D(stock: KernelFunc | undefined, planner: GemmPlanner = planGemm, winograd?: boolean): KernelFunc {
  return (args) => {
    const { x, filter } = args.inputs;
    const attrs = args.attrs as unknown as ConvAttrs;
    const problem = x !== undefined && filter !== undefined ? describe(x, filter, attrs, undefined, 'linear') : undefined;
    if (problem === undefined) return stockKernel(stock, tf.Conv2D, args);
    return conv2d(args.backend as WebGPUBackend, problem, planner, winograd ?? winogradEnabled(tf.Conv2D, shapeKey(args.inputs))) ?? stockKernel(stock, tf.Conv2D, args);
  };
}

export function webgpuFusedConv2D(stock: KernelFunc | undefined, planner: GemmPlanner = planGemm, winograd?: boolean): KernelFunc {
  return (args) => {
    const { x, filter, bias, preluActivationWeights } = args.inputs;
    const attrs = args.attrs as unknown as ConvAttrs;
    const activation = attrs.activation ?? 'linear';
    const supported = preluActivationWeights === undefined && (activation === 'linear' || activation === 'relu');
    const problem = supported && x !== undefined && filter !== undefined ? describe(x, filter, attrs, bias, activation) : undefined;
    if (problem === undefined) return stockKernel(stock, tf.FusedConv2D, args);
    return conv2d(args.backend as WebGPUBackend, problem, planner, winograd ?? winogradEnabled(tf.FusedConv2D, shapeKey(args.inputs))) ?? stockKernel(stock, tf.FusedConv2D, args);
  };
}

/** tfjs-core's Conv2DAttrs, plus FusedConv2DAttrs' activation. */
interface ConvAttrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat?: 'NHWC' | 'NCHW';
  dilations?: [number, number] | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  activation?: string;
}

interface ConvProblem {
  readonly x: TensorInfo;
  readonly filter: TensorInfo;
  readonly bias: TensorInfo | undefined;
  readonly relu: boolean;
  readonly info: tf.backend_util.Conv2DInfo;
  /** 1x1, stride 1, no padding: A is X itself, [M, K] row-major. */
  readonly pointwise: boolean;
}

function describe(
  x: TensorInfo,
  filter: TensorInfo,
  attrs: ConvAttrs,
  bias: TensorInfo | undefined,
  activation: string,
): ConvProblem | undefined {
  if (x.dtype !== 'float32' || filter.dtype !== 'float32' || x.shape.length !== 4 || filter.shape.length !== 4) return undefined;
  if ((attrs.dataFormat ?? 'NHWC') !== 'NHWC') return undefined;
  if (dilated(attrs.dilations)) return undefined;
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filter.shape as [number, number, number, number],
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const n = info.outChannels;
  if (bias !== undefined && (bias.dtype !== 'float32' || tf.util.sizeFromShape(bias.shape) !== n || bias.shape.at(-1) !== n)) return undefined;
  // Every index into X is an i32.
  if (tf.util.sizeFromShape(x.shape) >= 2 ** 31 || tf.util.sizeFromShape(filter.shape) >= 2 ** 31) return undefined;
  return { x, filter, bias, relu: activation === 'relu', info, pointwise: isPointwise(info) };
}

/** Whether a convolution's dilations (a number or one per axis; absent is 1) dilate at all: the kernels take none. */
export function dilated(dilations: number | readonly number[] | undefined): boolean {
  const d = dilations ?? 1;
  return Array.isArray(d) ? d.some((v) => v !== 1) : d !== 1;
}

/**
 * 1x1, stride 1, no padding: output pixel i is input pixel i, so the convolution and both its gradients read their
 * images as plain [pixels, channels] matrices.
 */
export function isPointwise(info: tf.backend_util.Conv2DInfo): boolean {
  const { padInfo } = info;
  return (
    info.filterHeight === 1 &&
    info.filterWidth === 1 &&
    info.strideHeight === 1 &&
    info.strideWidth === 1 &&
    padInfo.top === 0 &&
    padInfo.left === 0 &&
    info.outHeight === info.inHeight &&
    info.outWidth === info.inWidth
  );
}

function conv2d(backend: WebGPUBackend, p: ConvProblem, planner: GemmPlanner, winograd: boolean): TensorInfo | undefined {
  const { info } = p;
  if (winograd && winogradSuits(info, info.inChannels, info.outChannels)) {
    const conv = {
      input: p.x,
      filter: p.filter,
      filterLayout: 'forward',
      bias: p.bias,
      relu: p.relu,
      outHeight: info.outHeight,
      outWidth: info.outWidth,
      outChannels: info.outChannels,
      padTop: info.padInfo.top,
      padLeft: info.padInfo.left,
    } as const;
    const result = runWinogradConv(backend, conv, planner);
    if (result !== undefined) return result;
  }
  const dims = {
    batch: 1,
    m: info.batchSize * info.outHeight * info.outWidth,
    n: info.outChannels,
    k: info.filterHeight * info.filterWidth * info.inChannels,
  };
  if (dims.m === 0 || dims.n === 0 || dims.k === 0) return undefined;
  const plan = planner(dims);
  if (!gemmFits(dims, plan)) return undefined;
  const operands = convOperands(p.pointwise, p.bias !== undefined, p.relu);
  const uniforms: GemmUniform[] = [
    { type: 'int32', data: [info.inHeight, info.inWidth, info.inChannels, info.filterWidth * info.inChannels] },
    { type: 'int32', data: [info.strideHeight, info.strideWidth, info.padInfo.top, info.padInfo.left] },
    { type: 'int32', data: [info.filterHeight, info.filterWidth] },
    { type: 'int32', data: [info.outHeight * info.outWidth, info.outWidth] },
  ];
  const outputShape = [info.batchSize, info.outHeight, info.outWidth, info.outChannels];
  return runGemm(backend, operands, dims, plan, [p.x, p.filter], p.bias === undefined ? [] : [p.bias], uniforms, outputShape);
}

/**
 * X is read through `convIn` (inH, inW, inC, filterW·inC), `convGeom` (strideH, strideW, padTop, padLeft),
 * `convFilter` (filterH, filterW) and `convOut` (outH·outW, outW); every shape is a uniform, so one shader serves
 * every layer with the same bias and activation.
 */
function convOperands(pointwise: boolean, bias: boolean, relu: boolean): GemmOperands {
  const biased = bias ? 'value + bias[col]' : 'value';
  return {
    key: `conv2d_${pointwise ? 'pointwise' : 'window'}_${bias ? 'bias' : 'nobias'}_${relu ? 'relu' : 'linear'}`,
    variableNames: ['x', 'w'],
    epilogueVariables: bias ? ['bias'] : [],
    uniforms: 'convIn : vec4<i32>, convGeom : vec4<i32>, convFilter : vec2<i32>, convOut : vec2<i32>,',
    loadA: pointwise ? pointwiseLoadA : windowLoadA,
    aContiguous: 'k',
    loadB: `
      struct GemmColB { col : i32 }
      fn gemmColB(batch : i32, col : i32) -> GemmColB { return GemmColB(col); }
      fn gemmLoadB(c : GemmColB, k : i32) -> f32 { return w[k * uniforms.gemmDims[1] + c.col]; }`,
    bContiguous: 'n',
    store: `fn gemmStore(batch : i32, row : i32, col : i32, value : f32) {
      let v = ${biased};
      result[row * uniforms.gemmDims[1] + col] = ${relu ? 'max(v, 0.0)' : 'v'};
    }`,
  };
}

/** Output pixel `row` is input pixel `row`, and its K values are its inC channels. */
const pointwiseLoadA = `
  struct GemmRowA { start : i32 }
  fn gemmRowA(batch : i32, row : i32) -> GemmRowA { return GemmRowA(row * uniforms.convIn[2]); }
  fn gemmLoadA(r : GemmRowA, k : i32) -> f32 { return x[r.start + k]; }`;

/**
 * The window of output pixel `row` starts at input (y0, x0); `start` is where X[b, y0, x0, 0] would be, so the
 * element (kh, kw, ci) is at start + kh·(inW·inC) + kw·inC + ci = start + kh·(inW·inC − filterW·inC) + k. A window
 * that lies wholly inside the image needs no bounds check, so only kh is computed for it.
 */
const windowLoadA = `
  struct GemmRowA { start : i32, y0 : i32, x0 : i32, inside : bool }
  fn gemmRowA(batch : i32, row : i32) -> GemmRowA {
    let image = row / uniforms.convOut[0];
    let pixel = row - image * uniforms.convOut[0];
    let oy = pixel / uniforms.convOut[1];
    let ox = pixel - oy * uniforms.convOut[1];
    let y0 = oy * uniforms.convGeom[0] - uniforms.convGeom[2];
    let x0 = ox * uniforms.convGeom[1] - uniforms.convGeom[3];
    let inH = uniforms.convIn[0];
    let inW = uniforms.convIn[1];
    let inside = y0 >= 0 && x0 >= 0 && y0 + uniforms.convFilter[0] <= inH && x0 + uniforms.convFilter[1] <= inW;
    return GemmRowA(((image * inH + y0) * inW + x0) * uniforms.convIn[2], y0, x0, inside);
  }
  fn gemmLoadA(r : GemmRowA, k : i32) -> f32 {
    let inW = uniforms.convIn[1];
    let inC = uniforms.convIn[2];
    let windowRow = uniforms.convIn[3];
    let kh = k / windowRow;
    if (!r.inside) {
      let kw = (k - kh * windowRow) / inC;
      let iy = r.y0 + kh;
      let ix = r.x0 + kw;
      if (iy < 0 || iy >= uniforms.convIn[0] || ix < 0 || ix >= inW) {
        return 0.0;
      }
    }
    return x[r.start + kh * (inW * inC - windowRow) + k];
  }`;
