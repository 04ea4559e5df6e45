import * as tf from '@tensorflow/tfjs-core';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { gemmFits, planGemm, runGemm, type GemmOperands, type GemmPlanner, type GemmUniform, stockKernel } from './webgpu-gemm.ts';
import { shapeKey } from './kernel-profile.ts';
import { dilated, isPointwise } from './webgpu-conv2d.ts';
import { runWinogradConv, winogradEnabled, winogradSuits } from './webgpu-winograd.ts';

/**
 * `Conv2DBackpropInput` (the input gradient of every conv layer but the first) for tfjs' `webgpu` backend, as an
 * implicit GEMM on Tessera's register-blocked GEMM (webgpu-gemm.ts) in place of tfjs-backend-webgpu 4.22's default
 * `Conv2DDerInputProgram`, which runs one thread per dx element and rereads dy and the filter from memory for each
 * (no data reuse).
 *
 * NHWC: dx[b, iy, ix, ci] = Σ dy[b, oy, ox, co] · W[kh, kw, ci, co] over (kh, kw, co) with iy + padTop − kh = oy·strideH
 * (and the same along x); a term whose division is not exact or falls outside dy is 0. So M = batch·inH·inW dx
 * pixels, N = inChannels, K = filterH·filterW·outChannels, and dx [batch, inH, inW, inC] is C row-major. At
 * stride 1, K runs over the filter rotated by 180°, k = (fh−1−kh, fw−1−kw, co) with co fastest, so that the dy
 * elements a dx pixel reads lie in K order at increasing addresses, as in a forward convolution: A and B are both
 * read along co, contiguously.
 *
 * - stride 1: every term exists; a read costs one integer division where the pixel's window lies inside dy, two
 *   with bounds checks elsewhere. A 1x1 unpadded stride-1 convolution reads dy as the plain [M, K] matrix it is. A
 *   3x3 one with 16 or more channels each way runs by Winograd's F(2x2, 3x3) (webgpu-winograd.ts).
 * - stride s > 1: only 1/(sH·sW) of the (kh, kw) terms of a dx pixel exist, so dx is split into sH·sW phases by
 *   ((iy + padTop) mod sH, (ix + padLeft) mod sW). Within a phase every pixel meets the same taps, kh ≡ phase (mod sH)
 *   and likewise along x, and reads dy at (⌊(iy + padTop) / sH⌋ − jh, ⌊(ix + padLeft) / sW⌋ − jw) for tap
 *   (py + sH·jh, px + sW·jw): a dense stride-1 GEMM whose K holds only its own taps. The phases are the GEMM's batch
 *   of products, M and K padded to the largest phase's (rows and taps beyond a phase's own load as 0 and are not
 *   stored). A 2x2 stride-2 transposed convolution (a U-Net's up-convolution) wastes nothing; a 3x3 stride 2 computes
 *   16 terms per 2x2 pixels for 9 real ones, where multiplying out the zeros of the dilated dy would compute 36.
 *
 * Handles float32 NHWC with any stride and any padding tfjs computes (same, valid, numeric, explicit); anything else
 * (NCHW, dilations, other dtypes) goes to the stock kernel. Matches the cpu backend to 1e-4
 * (webgpu-conv2d-input-grad.test.ts, webgpu-winograd.test.ts). `winograd` forces the Winograd path on or off
 * (tests); by default winogradEnabled decides at each call.
 */
export function webgpuConv2DBackpropInput(stock: KernelFunc | undefined, planner: GemmPlanner = planGemm, winograd?: boolean): KernelFunc {
  return (args) => {
    const { dy, filter } = args.inputs;
    const attrs = args.attrs as unknown as InputGradAttrs;
    const problem = dy !== undefined && filter !== undefined ? describe(dy, filter, attrs) : undefined;
    if (problem === undefined) return stockKernel(stock, tf.Conv2DBackpropInput, args);
    return inputGrad(args.backend as WebGPUBackend, problem, planner, winograd ?? winogradEnabled(tf.Conv2DBackpropInput, shapeKey(args.inputs))) ?? stockKernel(stock, tf.Conv2DBackpropInput, args);
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
  if (dilated(attrs.dilations)) return undefined;
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
  const unit = info.strideHeight === 1 && info.strideWidth === 1;
  return { dy, filter, info, variant: isPointwise(info) ? 'pointwise' : unit ? 'unit' : 'strided' };
}

function inputGrad(backend: WebGPUBackend, p: InputGradProblem, planner: GemmPlanner, winograd: boolean): TensorInfo | undefined {
  const { info } = p;
  if (p.variant === 'strided') return phasedInputGrad(backend, p, planner);
  // A 3x3 stride-1 input gradient is a 3x3 stride-1 convolution of dy (outC channels in, inC out) with the rotated
  // filter, whose window starts fh − 1 − padTop rows above the dx pixel.
  if (winograd && winogradSuits(info, info.outChannels, info.inChannels)) {
    const conv = {
      input: p.dy,
      filter: p.filter,
      filterLayout: 'rotated',
      bias: undefined,
      relu: false,
      outHeight: info.inHeight,
      outWidth: info.inWidth,
      outChannels: info.inChannels,
      padTop: info.filterHeight - 1 - info.padInfo.top,
      padLeft: info.filterWidth - 1 - info.padInfo.left,
    } as const;
    const result = runWinogradConv(backend, conv, planner);
    if (result !== undefined) return result;
  }
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
function inputGradOperands(variant: Exclude<Variant, 'strided'>): GemmOperands {
  return {
    key: `conv2dInputGrad_${variant}`,
    variableNames: ['dy', 'w'],
    epilogueVariables: [],
    uniforms: 'gradOut : vec4<i32>, gradGeom : vec4<i32>, gradFilter : vec4<i32>, gradIn : vec2<i32>,',
    loadA: variant === 'pointwise' ? pointwiseLoadA : unitLoadA,
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

/** Which image a dx pixel is in and where its rotated window starts in dy. */
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
 * Stride > 1, one GEMM product per phase (see the module comment): the phases' dx pixels are M (padded to the largest
 * phase's count), their taps x outC are K (padded likewise), inC is N.
 */
function phasedInputGrad(backend: WebGPUBackend, p: InputGradProblem, planner: GemmPlanner): TensorInfo | undefined {
  const { info } = p;
  const { strideHeight: sH, strideWidth: sW } = info;
  const dims = {
    batch: sH * sW,
    m: info.batchSize * Math.ceil(info.inHeight / sH) * Math.ceil(info.inWidth / sW),
    n: info.inChannels,
    k: Math.ceil(info.filterHeight / sH) * Math.ceil(info.filterWidth / sW) * info.outChannels,
  };
  const plan = planner(dims);
  if (!gemmFits(dims, plan)) return undefined;
  const uniforms: GemmUniform[] = [
    { type: 'int32', data: [info.outHeight, info.outWidth, info.outChannels, info.batchSize] },
    { type: 'int32', data: [sH, sW, info.padInfo.top, info.padInfo.left] },
    { type: 'int32', data: [info.filterHeight, info.filterWidth, info.inChannels, 0] },
    { type: 'int32', data: [info.inHeight, info.inWidth] },
  ];
  const outputShape = [info.batchSize, info.inHeight, info.inWidth, info.inChannels];
  return runGemm(backend, phasedOperands, dims, plan, [p.dy, p.filter], [], uniforms, outputShape);
}

/**
 * `phaseOut` (outH, outW, outC, images), `phaseGeom` (strideH, strideW, padTop, padLeft), `phaseFilter` (fh, fw, inC, unused),
 * `phaseIn` (inH, inW). gemmPhase describes a phase (a GEMM product): its residues (py, px), its first dx row and
 * column (fy, fx), its rows and columns (ny, nx), its taps along x (nw) and its K (taps x outC).
 */
const phasedOperands: GemmOperands = {
  key: 'conv2dInputGrad_phased',
  variableNames: ['dy', 'w'],
  epilogueVariables: [],
  uniforms: 'phaseOut : vec4<i32>, phaseGeom : vec4<i32>, phaseFilter : vec4<i32>, phaseIn : vec2<i32>,',
  helpers: `
    struct GemmPhase { py : i32, px : i32, fy : i32, fx : i32, ny : i32, nx : i32, nw : i32, k : i32 }
    fn gemmPhase(phase : i32) -> GemmPhase {
      let sH = uniforms.phaseGeom[0];
      let sW = uniforms.phaseGeom[1];
      let py = phase / sW;
      let px = phase - py * sW;
      let fy = ((py - uniforms.phaseGeom[2]) % sH + sH) % sH;
      let fx = ((px - uniforms.phaseGeom[3]) % sW + sW) % sW;
      let ny = max(0, (uniforms.phaseIn[0] - fy + sH - 1) / sH);
      let nx = max(0, (uniforms.phaseIn[1] - fx + sW - 1) / sW);
      let nh = max(0, (uniforms.phaseFilter[0] - py + sH - 1) / sH);
      let nw = max(0, (uniforms.phaseFilter[1] - px + sW - 1) / sW);
      return GemmPhase(py, px, fy, fx, ny, nx, nw, nh * nw * uniforms.phaseOut[2]);
    }
    // The dx pixel (image, iy, ix) a row of phase ph stands for; image is -1 past the phase's rows.
    fn gemmPhasePixel(ph : GemmPhase, row : i32) -> vec3<i32> {
      let perImage = ph.ny * ph.nx;
      if (perImage == 0 || row >= uniforms.phaseOut[3] * perImage) {
        return vec3<i32>(-1, 0, 0);
      }
      let image = row / perImage;
      let rest = row - image * perImage;
      let ry = rest / ph.nx;
      let rx = rest - ry * ph.nx;
      return vec3<i32>(image, ph.fy + ry * uniforms.phaseGeom[0], ph.fx + rx * uniforms.phaseGeom[1]);
    }`,
  loadA: `
  struct GemmRowA { start : i32, qy : i32, qx : i32, nw : i32, k : i32 }
  fn gemmRowA(batch : i32, row : i32) -> GemmRowA {
    let ph = gemmPhase(batch);
    let pixel = gemmPhasePixel(ph, row);
    if (pixel.x < 0) {
      return GemmRowA(0, 0, 0, 1, 0);
    }
    let outSize = uniforms.phaseOut[0] * uniforms.phaseOut[1] * uniforms.phaseOut[2];
    let qy = (pixel.y + uniforms.phaseGeom[2] - ph.py) / uniforms.phaseGeom[0];
    let qx = (pixel.z + uniforms.phaseGeom[3] - ph.px) / uniforms.phaseGeom[1];
    return GemmRowA(pixel.x * outSize, qy, qx, ph.nw, ph.k);
  }
  fn gemmLoadA(r : GemmRowA, k : i32) -> f32 {
    if (k >= r.k) {
      return 0.0;
    }
    let outC = uniforms.phaseOut[2];
    let tapRow = r.nw * outC;
    let jh = k / tapRow;
    let rest = k - jh * tapRow;
    let jw = rest / outC;
    let oy = r.qy - jh;
    let ox = r.qx - jw;
    if (oy < 0 || oy >= uniforms.phaseOut[0] || ox < 0 || ox >= uniforms.phaseOut[1]) {
      return 0.0;
    }
    return dy[r.start + (oy * uniforms.phaseOut[1] + ox) * outC + rest - jw * outC];
  }`,
  aContiguous: 'k',
  loadB: `
  struct GemmColB { ci : i32, py : i32, px : i32, nw : i32, k : i32 }
  fn gemmColB(batch : i32, col : i32) -> GemmColB {
    let ph = gemmPhase(batch);
    return GemmColB(col, ph.py, ph.px, ph.nw, ph.k);
  }
  fn gemmLoadB(c : GemmColB, k : i32) -> f32 {
    if (k >= c.k) {
      return 0.0;
    }
    let outC = uniforms.phaseOut[2];
    let tapRow = c.nw * outC;
    let jh = k / tapRow;
    let rest = k - jh * tapRow;
    let jw = rest / outC;
    let kh = c.py + jh * uniforms.phaseGeom[0];
    let kw = c.px + jw * uniforms.phaseGeom[1];
    return w[((kh * uniforms.phaseFilter[1] + kw) * uniforms.phaseFilter[2] + c.ci) * outC + rest - jw * outC];
  }`,
  bContiguous: 'k',
  store: `fn gemmStore(batch : i32, row : i32, col : i32, value : f32) {
    let pixel = gemmPhasePixel(gemmPhase(batch), row);
    if (pixel.x >= 0) {
      result[((pixel.x * uniforms.phaseIn[0] + pixel.y) * uniforms.phaseIn[1] + pixel.z) * uniforms.phaseFilter[2] + col] = value;
    }
  }`,
};
