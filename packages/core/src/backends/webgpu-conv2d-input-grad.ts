import * as tf from '@tensorflow/tfjs-core';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { gemmFits, planGemm, runGemm, type GemmOperands, type GemmPlanner, type GemmUniform, stockKernel } from './webgpu-gemm.ts';

/**
 * `Conv2DBackpropInput` (the input gradient of every conv layer but the first) for tfjs' `webgpu` backend, as an
 * implicit GEMM on Tessera's register-blocked GEMM (webgpu-gemm.ts) in place of tfjs-backend-webgpu 4.22's default
 * `Conv2DDerInputProgram`, which runs one thread per dx element and rereads dy and the filter from memory for each
 * (no data reuse).
 *
 * NHWC: dx[b, iy, ix, ci] = Σ dy[b, oy, ox, co] · W[kh, kw, ci, co] over (kh, kw, co) with iy + padTop − kh = oy·strideH
 * (and the same along x); a term whose division is not exact or falls outside dy is 0. So M = batch·inH·inW dx
 * pixels, N = inChannels, K = filterH·filterW·outChannels, and dx [batch, inH, inW, inC] is C row-major. K runs over
 * the filter rotated by 180°, k = (fh−1−kh, fw−1−kw, co) with co fastest, so that the dy elements a dx pixel reads
 * lie in K order at increasing addresses, as in a forward convolution: A and B are both read along co, contiguously.
 *
 * - stride 1: every term exists; a read costs one integer division where the pixel's window lies inside dy, two
 *   with bounds checks elsewhere. A 1x1 unpadded stride-1 convolution reads dy as the plain [M, K] matrix it is.
 * - stride s: a read decomposes k fully and checks divisibility; only 1/(sH·sW) of the terms exist and the rest are
 *   multiplies by 0, which costs sH·sW times the necessary arithmetic (4x for VGG-style stride 2). A stride-specialised
 *   version would split dx into sH·sW phases by (iy + padTop) mod s, each a dense stride-1 GEMM over the filter taps
 *   of that phase (K shrinks by s²), e.g. as GEMM products of a batch of phases with padded, masked M and K.
 *
 * Handles float32 NHWC with any stride and any padding tfjs computes (same, valid, numeric, explicit); anything else
 * (NCHW, dilations, other dtypes) goes to the stock kernel. Matches the cpu backend to 1e-4
 * (webgpu-conv2d-input-grad.test.ts).
 */
export function webgpuConv2DBackpropInput(stock: KernelFunc | undefined, planner: GemmPlanner = planGemm): KernelFunc {
  return (args) => {
    const { dy, filter } = args.inputs;
    const attrs = args.attrs as unknown as InputGradAttrs;
    const problem = dy !== undefined && filter !== undefined ? describe(dy, filter, attrs) : undefined;
    if (problem === undefined) return stockKernel(stock, tf.Conv2DBackpropInput, args);
    return inputGrad(args.backend as WebGPUBackend, problem, planner) ?? stockKernel(stock, tf.Conv2DBackpropInput, args);
  };
}

/** tfjs-core's Conv2DBackpropInputAttrs (dilations only if a caller adds them: tfjs' own gradients never do). */
interface InputGradAttrs {
  inputShape: [number, number, number, number];
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat?: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  dilations?: [number, number] | number;
}

type Variant = 'pointwise' | 'unit' | 'strided';

interface InputGradProblem {
  readonly dy: TensorInfo;
  readonly filter: TensorInfo;
  readonly info: tf.backend_util.Conv2DInfo;
  readonly variant: Variant;
}

function describe(dy: TensorInfo, filter: TensorInfo, attrs: InputGradAttrs): InputGradProblem | undefined {
  if (dy.dtype !== 'float32' || filter.dtype !== 'float32' || dy.shape.length !== 4 || filter.shape.length !== 4) return undefined;
  if ((attrs.dataFormat ?? 'NHWC') !== 'NHWC' || attrs.inputShape?.length !== 4) return undefined;
  const dilations = attrs.dilations ?? 1;
  if (Array.isArray(dilations) ? dilations.some((d) => d !== 1) : dilations !== 1) return undefined;
  const info = tf.backend_util.computeConv2DInfo(
    attrs.inputShape,
    filter.shape as [number, number, number, number],
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const expectedDy = [info.batchSize, info.outHeight, info.outWidth, info.outChannels];
  if (dy.shape.some((d, i) => d !== expectedDy[i])) return undefined;
  // Every index into dy, W and dx is an i32.
  const sizes = [dy.shape, filter.shape, attrs.inputShape].map((s) => tf.util.sizeFromShape(s));
  if (sizes.some((s) => s === 0 || s >= 2 ** 31)) return undefined;
  const { padInfo } = info;
  const unit = info.strideHeight === 1 && info.strideWidth === 1;
  const pointwise =
    unit &&
    info.filterHeight === 1 &&
    info.filterWidth === 1 &&
    padInfo.top === 0 &&
    padInfo.left === 0 &&
    info.outHeight === info.inHeight &&
    info.outWidth === info.inWidth;
  return { dy, filter, info, variant: pointwise ? 'pointwise' : unit ? 'unit' : 'strided' };
}

function inputGrad(backend: WebGPUBackend, p: InputGradProblem, planner: GemmPlanner): TensorInfo | undefined {
  const { info } = p;
  const dims = {
    batch: 1,
    m: info.batchSize * info.inHeight * info.inWidth,
    n: info.inChannels,
    k: info.filterHeight * info.filterWidth * info.outChannels,
  };
  const plan = planner(dims);
  if (!gemmFits(dims, plan)) return undefined;
  const { outHeight: outH, outWidth: outW, outChannels: outC, filterHeight: fh, filterWidth: fw } = info;
  const uniforms: GemmUniform[] = [
    { type: 'int32', data: [outH, outW, outC, fw * outC] },
    // The rotated window of dx pixel (iy, ix) starts at dy row iy − (fh − 1 − padTop), in units of stride.
    { type: 'int32', data: [info.strideHeight, info.strideWidth, fh - 1 - info.padInfo.top, fw - 1 - info.padInfo.left] },
    { type: 'int32', data: [fh, fw, fh * fw, info.inChannels] },
    { type: 'int32', data: [info.inHeight * info.inWidth, info.inWidth] },
  ];
  const outputShape = [info.batchSize, info.inHeight, info.inWidth, info.inChannels];
  return runGemm(backend, inputGradOperands(p.variant), dims, plan, [p.dy, p.filter], [], uniforms, outputShape);
}

/**
 * dy is read through `gradOut` (outH, outW, outC, filterW·outC), `gradGeom` (strideH, strideW, fh−1−padTop,
 * fw−1−padLeft), `gradFilter` (fh, fw, fh·fw, inC) and `gradIn` (inH·inW, inW); every shape is a uniform, so one
 * shader per variant serves every layer.
 */
function inputGradOperands(variant: Variant): GemmOperands {
  return {
    key: `conv2dInputGrad_${variant}`,
    variableNames: ['dy', 'w'],
    epilogueVariables: [],
    uniforms: 'gradOut : vec4<i32>, gradGeom : vec4<i32>, gradFilter : vec4<i32>, gradIn : vec2<i32>,',
    loadA: variant === 'pointwise' ? pointwiseLoadA : variant === 'unit' ? unitLoadA : stridedLoadA,
    aContiguous: 'k',
    loadB: variant === 'pointwise' ? pointwiseLoadB : rotatedLoadB,
    bContiguous: 'k',
    store: `fn gemmStore(batch : i32, row : i32, col : i32, value : f32) {
      result[row * uniforms.gemmDims[1] + col] = value;
    }`,
  };
}

/** dx pixel `row` is dy pixel `row`, and its K values are its outC channels; W[0, 0, ci, :] is B's column ci. */
const pointwiseLoadA = `
  struct GemmRowA { start : i32 }
  fn gemmRowA(batch : i32, row : i32) -> GemmRowA { return GemmRowA(row * uniforms.gradOut[2]); }
  fn gemmLoadA(r : GemmRowA, k : i32) -> f32 { return dy[r.start + k]; }`;

const pointwiseLoadB = `
  struct GemmColB { start : i32 }
  fn gemmColB(batch : i32, col : i32) -> GemmColB { return GemmColB(col * uniforms.gemmDims[2]); }
  fn gemmLoadB(c : GemmColB, k : i32) -> f32 { return w[c.start + k]; }`;

/**
 * B[(s', co), ci] = W[fh·fw − 1 − s', ci, co] for the rotated filter tap s' = kh'·fw + kw': `start` is ci's offset
 * within a tap, and the element lies at (fh·fw − 1 − s')·inC·outC + start + co.
 */
const rotatedLoadB = `
  struct GemmColB { start : i32 }
  fn gemmColB(batch : i32, col : i32) -> GemmColB { return GemmColB(col * uniforms.gradOut[2]); }
  fn gemmLoadB(c : GemmColB, k : i32) -> f32 {
    let outC = uniforms.gradOut[2];
    let tap = k / outC;
    let co = k - tap * outC;
    return w[(uniforms.gradFilter[2] - 1 - tap) * uniforms.gradFilter[3] * outC + c.start + co];
  }`;

/** Which image a dx pixel is in and where its rotated window starts in dy: shared by both windowed loaders. */
const windowOrigin = `
  fn gemmWindow(row : i32) -> vec3<i32> {
    let image = row / uniforms.gradIn[0];
    let pixel = row - image * uniforms.gradIn[0];
    let iy = pixel / uniforms.gradIn[1];
    let ix = pixel - iy * uniforms.gradIn[1];
    return vec3<i32>(image, iy - uniforms.gradGeom[2], ix - uniforms.gradGeom[3]);
  }`;

/**
 * Stride 1: dx pixel `row` reads the fh x fw dy window starting at (y0, x0), a forward convolution's window over dy
 * with the rotated filter. `start` is where dy[b, y0, x0, 0] would be, so element (kh', kw', co) lies at
 * start + kh'·(outW·outC − fw·outC) + k; a window wholly inside dy needs no bounds check, so only kh' is computed.
 */
const unitLoadA = `
  ${windowOrigin}
  struct GemmRowA { start : i32, y0 : i32, x0 : i32, inside : bool }
  fn gemmRowA(batch : i32, row : i32) -> GemmRowA {
    let origin = gemmWindow(row);
    let outH = uniforms.gradOut[0];
    let outW = uniforms.gradOut[1];
    let inside = origin.y >= 0 && origin.z >= 0 && origin.y + uniforms.gradFilter[0] <= outH && origin.z + uniforms.gradFilter[1] <= outW;
    return GemmRowA(((origin.x * outH + origin.y) * outW + origin.z) * uniforms.gradOut[2], origin.y, origin.z, inside);
  }
  fn gemmLoadA(r : GemmRowA, k : i32) -> f32 {
    let outW = uniforms.gradOut[1];
    let outC = uniforms.gradOut[2];
    let windowRow = uniforms.gradOut[3];
    let kh = k / windowRow;
    if (!r.inside) {
      let kw = (k - kh * windowRow) / outC;
      let oy = r.y0 + kh;
      let ox = r.x0 + kw;
      if (oy < 0 || oy >= uniforms.gradOut[0] || ox < 0 || ox >= outW) {
        return 0.0;
      }
    }
    return dy[r.start + kh * (outW * outC - windowRow) + k];
  }`;

/**
 * Stride s: the rotated window starts at (y0, x0) in dilated dy coordinates; tap (kh', kw') reads dy at
 * ((y0 + kh') / sH, (x0 + kw') / sW) when both divide exactly and land inside dy, and is 0 otherwise.
 */
const stridedLoadA = `
  ${windowOrigin}
  struct GemmRowA { start : i32, y0 : i32, x0 : i32 }
  fn gemmRowA(batch : i32, row : i32) -> GemmRowA {
    let origin = gemmWindow(row);
    return GemmRowA(origin.x * uniforms.gradOut[0] * uniforms.gradOut[1] * uniforms.gradOut[2], origin.y, origin.z);
  }
  fn gemmLoadA(r : GemmRowA, k : i32) -> f32 {
    let outC = uniforms.gradOut[2];
    let windowRow = uniforms.gradOut[3];
    let kh = k / windowRow;
    let rest = k - kh * windowRow;
    let kw = rest / outC;
    let co = rest - kw * outC;
    let ty = r.y0 + kh;
    let tx = r.x0 + kw;
    if (ty < 0 || tx < 0) {
      return 0.0;
    }
    let oy = ty / uniforms.gradGeom[0];
    let ox = tx / uniforms.gradGeom[1];
    if (oy * uniforms.gradGeom[0] != ty || ox * uniforms.gradGeom[1] != tx || oy >= uniforms.gradOut[0] || ox >= uniforms.gradOut[1]) {
      return 0.0;
    }
    return dy[r.start + (oy * uniforms.gradOut[1] + ox) * outC + co];
  }`;
