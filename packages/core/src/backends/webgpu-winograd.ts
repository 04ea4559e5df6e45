import type * as tf from '@tensorflow/tfjs-core';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { WebGPUBackend, WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import { gemmFits, runGemm, type GemmOperands, type GemmPlanner } from './webgpu-gemm.ts';

/**
 * 3x3 stride-1 convolutions by Winograd's minimal filtering F(2x2, 3x3) (Lavin & Gray, "Fast Algorithms for
 * Convolutional Neural Networks", 2015), for tfjs' `webgpu` backend: each 2x2 block of outputs comes from a 4x4 input
 * tile through 16 multiplies per input channel instead of 36, so the GEMM at the heart of the convolution does
 * 2.25x fewer multiply-adds. Every convolution of VGG16 and of a U-Net is 3x3 stride 1, in the forward pass, in
 * the input gradient (a 3x3 stride-1 convolution of dy with the filter rotated by 180° and its channels swapped) and,
 * with the transforms run backwards, in the filter gradient (runWinogradFilterGrad).
 *
 *   Y = Aᵀ [ (G g Gᵀ) ⊙ (Bᵀ d B) ] A   per output block Y (2x2), input tile d (4x4), filter g (3x3)
 *
 * Four passes:
 * 1. filter transform: U[p, a, b] = (G g_ab Gᵀ)[p] for the 16 points p, each input channel a and output channel b;
 * 2. input transform: V[p, t, a] = (Bᵀ d_ta B)[p] for each output block t = (image, blockRow, blockCol);
 * 3. 16 GEMMs on Tessera's register-blocked GEMM (webgpu-gemm.ts), one product per point:
 *    M[p] = V[p] (tiles x inC) · U[p] (inC x outC);
 * 4. output transform: out = Aᵀ M A per block and output channel, plus the bias and a relu, cropped to the output.
 * The transformed input and the products are 4x the input's and the output's size; they are memory passes, where
 * the GEMM is arithmetic. In float32 F(2x2, 3x3) stays within 1e-4 of a direct convolution (its transforms hold
 * only 0, ±1 and ±½).
 */

/** A convolution the Winograd path computes: stride 1, 3x3, NHWC, with its output geometry. */
export interface WinogradConv {
  /** [images, inH, inW, inC] (the forward input, or dy for an input gradient). */
  readonly input: TensorInfo;
  /**
   * The filter: `forward`, [3, 3, inC, outC] as Conv2D takes it; `rotated`, a forward filter [3, 3, outC, inC]
   * whose input gradient this is (read rotated by 180° with its channel axes swapped).
   */
  readonly filter: TensorInfo;
  readonly filterLayout: 'forward' | 'rotated';
  readonly bias: TensorInfo | undefined;
  readonly relu: boolean;
  readonly outHeight: number;
  readonly outWidth: number;
  readonly outChannels: number;
  readonly padTop: number;
  readonly padLeft: number;
}

/**
 * Whether a convolution's shape suits Winograd: 3x3, stride 1, no dilation, and enough channels that the 16 GEMMs
 * (K = inC) are not dwarfed by the transforms; the first layer of an RGB network (inC = 3) stays a direct GEMM.
 */
export function winogradSuits(info: tf.backend_util.Conv2DInfo, inChannels: number, outChannels: number): boolean {
  return (
    info.filterHeight === 3 &&
    info.filterWidth === 3 &&
    info.strideHeight === 1 &&
    info.strideWidth === 1 &&
    info.dilationHeight === 1 &&
    info.dilationWidth === 1 &&
    inChannels >= minWinogradChannels &&
    outChannels >= minWinogradChannels
  );
}

/** Channels below which the transforms cost more than the multiplies they save. */
export const minWinogradChannels = 16;

/** The kernels that run suitable convolutions by Winograd (tfjs kernel names). */
export const winogradKernelNames: readonly string[] = ['Conv2D', 'FusedConv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter'];

/** Kernel names, or `kernel|shapeKey` for one layer shape, whose suitable convolutions run on the direct GEMM. */
const winogradOff = new Set<string>();

/**
 * Whether `kernelName` runs suitable convolutions by Winograd (the default) or by the direct implicit GEMM, for all its
 * calls or for the call with these input shapes (kernel-profile.ts `shapeKey`): a measured kernel choice
 * (webgpu-kernel-choice.ts) turns it off, layer shape by layer shape, where the direct GEMM was faster on the device.
 */
export function winogradEnabled(kernelName: string, shapeKey?: string): boolean {
  return !winogradOff.has(kernelName) && (shapeKey === undefined || !winogradOff.has(`${kernelName}|${shapeKey}`));
}

export function setWinogradEnabled(kernelName: string, enabled: boolean, shapeKey?: string): void {
  const key = shapeKey === undefined ? kernelName : `${kernelName}|${shapeKey}`;
  if (enabled) winogradOff.delete(key);
  else winogradOff.add(key);
}

/** Every kernel and shape back on Winograd (the state before any measured choice). */
export function resetWinograd(): void {
  winogradOff.clear();
}

/**
 * Runs the convolution; undefined when its buffers or its GEMM do not fit the device's limits (the caller then runs
 * the direct GEMM).
 */
export function runWinogradConv(backend: WebGPUBackend, conv: WinogradConv, planner: GemmPlanner): TensorInfo | undefined {
  const [images, inHeight, inWidth, inChannels] = conv.input.shape as [number, number, number, number];
  const { tiles, geometry } = blockGeometry([images, inHeight, inWidth, inChannels], [conv.outHeight, conv.outWidth, conv.outChannels], conv.padTop, conv.padLeft);
  const dims = { batch: 16, m: tiles, n: conv.outChannels, k: inChannels };
  if (!winogradFits(deviceBufferLimit(backend), tiles, Math.max(inChannels, conv.outChannels))) return undefined;
  const plan = planner(dims);
  if (!gemmFits(dims, plan)) return undefined;
  const u = backend.runWebGPUProgram(filterTransform(conv.filterLayout, inChannels, conv.outChannels), [conv.filter], 'float32', geometry);
  const v = backend.runWebGPUProgram(inputTransform(tiles, inChannels), [conv.input], 'float32', geometry);
  try {
    const products = runGemm(backend, pointProducts, dims, plan, [v, u], [], [], [16, tiles, conv.outChannels]);
    try {
      const output = outputTransform([images, conv.outHeight, conv.outWidth, conv.outChannels], tiles, conv.bias !== undefined, conv.relu);
      return backend.runWebGPUProgram(output, conv.bias === undefined ? [products] : [products, conv.bias], 'float32', geometry);
    } finally {
      backend.disposeData(products.dataId);
    }
  } finally {
    backend.disposeData(u.dataId);
    backend.disposeData(v.dataId);
  }
}

/** A 3x3 stride-1 convolution's filter gradient (Conv2DBackpropFilter): its input, its dy and its padding. */
export interface WinogradFilterGrad {
  /** [images, inH, inW, inC]. */
  readonly x: TensorInfo;
  /** [images, outH, outW, outC]. */
  readonly dy: TensorInfo;
  readonly padTop: number;
  readonly padLeft: number;
}

/**
 * dW by the same transforms run backwards: Y = Aᵀ [U ⊙ V] A makes dU[p] = Σ_t V[p, t]ᵀ (A dY_t Aᵀ)[p] and dW = Gᵀ dU G.
 * So: the input transform V as forward, a dy transform D[p, t, b] = (A dY_t Aᵀ)[p] (2x2 output blocks to 4x4 points),
 * 16 GEMMs dU[p] = V[p]ᵀ (inC x tiles) · D[p] (tiles x outC) whose deep K (the tiles) planGemm splits, and the
 * inverse filter transform to [3, 3, inC, outC]: 2.25x fewer multiply-adds than the direct implicit GEMM.
 * Undefined when the buffers or the GEMM do not fit the device's limits.
 */
export function runWinogradFilterGrad(backend: WebGPUBackend, grad: WinogradFilterGrad, planner: GemmPlanner): TensorInfo | undefined {
  const [images, inHeight, inWidth, inChannels] = grad.x.shape as [number, number, number, number];
  const [, outHeight, outWidth, outChannels] = grad.dy.shape as [number, number, number, number];
  const { tiles, geometry } = blockGeometry([images, inHeight, inWidth, inChannels], [outHeight, outWidth, outChannels], grad.padTop, grad.padLeft);
  const dims = { batch: 16, m: inChannels, n: outChannels, k: tiles };
  if (!winogradFits(deviceBufferLimit(backend), tiles, Math.max(inChannels, outChannels))) return undefined;
  const plan = planner(dims);
  if (!gemmFits(dims, plan)) return undefined;
  const v = backend.runWebGPUProgram(inputTransform(tiles, inChannels), [grad.x], 'float32', geometry);
  const d = backend.runWebGPUProgram(gradientTransform(tiles, outChannels), [grad.dy], 'float32', geometry);
  try {
    const points = runGemm(backend, pointGradients, dims, plan, [v, d], [], [], [16, inChannels, outChannels]);
    try {
      return backend.runWebGPUProgram(filterGradientTransform(inChannels, outChannels), [points], 'float32', geometry);
    } finally {
      backend.disposeData(points.dataId);
    }
  } finally {
    backend.disposeData(v.dataId);
    backend.disposeData(d.dataId);
  }
}

/** The 2x2 output blocks (tiles) of a convolution and the uniforms every pass reads (see geometryUniforms). */
function blockGeometry(
  input: readonly [number, number, number, number],
  output: readonly [number, number, number],
  padTop: number,
  padLeft: number,
): { tiles: number; geometry: Array<{ type: string; data: number[] }> } {
  const [images, inHeight, inWidth, inChannels] = input;
  const [outHeight, outWidth, outChannels] = output;
  const blockRows = Math.ceil(outHeight / 2);
  const blockCols = Math.ceil(outWidth / 2);
  const tiles = images * blockRows * blockCols;
  const geometry = [
    { type: 'int32', data: [inHeight, inWidth, inChannels, outChannels] },
    { type: 'int32', data: [outHeight, outWidth, blockRows, blockCols] },
    { type: 'int32', data: [padTop, padLeft, tiles, images] },
  ];
  return { tiles, geometry };
}

/**
 * Whether the transformed input and the products (16 x tiles x channels floats each) fit one buffer binding of the
 * device, and every index into them an i32. VGG16's first block at batch 16 needs 822 MB; past the limit the caller
 * runs the direct GEMM, whose buffers are the layer's own.
 */
export function winogradFits(maxBufferBytes: number, tiles: number, channels: number): boolean {
  const floats = 16 * tiles * channels;
  return floats < 2 ** 31 && floats * 4 <= maxBufferBytes;
}

/** The largest storage buffer the device binds (WebGPU's defaults where the backend does not say). */
export function deviceBufferLimit(backend: WebGPUBackend): number {
  const limits = (backend as unknown as { device?: { limits?: { maxStorageBufferBindingSize?: number; maxBufferSize?: number } } }).device?.limits;
  return Math.min(limits?.maxStorageBufferBindingSize ?? 2 ** 27, limits?.maxBufferSize ?? 2 ** 28);
}

/** What every pass reads: wgIn (inH, inW, inC, outC), wgOut (outH, outW, blockRows, blockCols), wgPad (padTop, padLeft, tiles, images). */
const geometryUniforms = 'wgIn : vec4<i32>, wgOut : vec4<i32>, wgPad : vec4<i32>,';
const threads = 64;

/**
 * A one-thread-per-element pass over `size` elements (`bound`, in WGSL, is the same count from the uniforms); a class,
 * so that profiles name it (tfjs records a program's constructor name).
 */
class WinogradTransformProgram implements WebGPUProgram {
  dispatchLayout = { x: [0] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [threads, 1, 1];
  uniforms = geometryUniforms;

  constructor(
    readonly shaderKey: string,
    readonly variableNames: string[],
    readonly outputShape: number[],
    size: number,
    private readonly bound: string,
    private readonly body: string,
  ) {
    this.dispatch = [Math.ceil(size / threads), 1, 1];
  }

  getUserCode(): string {
    return `
      // Output block number tile as (image, its first output row, its first output column).
      fn winogradBlock(tile : i32) -> vec3<i32> {
        let perImage = uniforms.wgOut[2] * uniforms.wgOut[3];
        let image = tile / perImage;
        let block = tile - image * perImage;
        let blockRow = block / uniforms.wgOut[3];
        return vec3<i32>(image, 2 * blockRow, 2 * (block - blockRow * uniforms.wgOut[3]));
      }

      fn main(index : i32) {
        if (index >= ${this.bound}) {
          return;
        }
        ${this.body}
      }`;
  }
}

function flatProgram(shaderKey: string, variableNames: string[], outputShape: number[], size: number, bound: string, body: string): WebGPUProgram {
  return new WinogradTransformProgram(shaderKey, variableNames, outputShape, size, bound, body);
}

/**
 * U[p, a, b] = (G g Gᵀ)[p], G = [[1, 0, 0], [½, ½, ½], [½, −½, ½], [0, 0, 1]], one thread per (a, b). g[i][j] is
 * W[i, j, a, b] for a forward filter, W[2 − i, 2 − j, b, a] for a rotated one.
 */
function filterTransform(layout: WinogradConv['filterLayout'], inChannels: number, outChannels: number): WebGPUProgram {
  const tap = layout === 'forward' ? '((i * 3 + j) * inC + a) * outC + b' : '((8 - i * 3 - j) * outC + b) * inC + a';
  return flatProgram(`tesseraWinogradFilter_${layout}`, ['w'], [16, inChannels, outChannels], inChannels * outChannels, 'uniforms.wgIn[2] * uniforms.wgIn[3]', `
    let inC = uniforms.wgIn[2];
    let outC = uniforms.wgIn[3];
    let a = index / outC;
    let b = index - a * outC;
    var g : array<f32, 9>;
    for (var i = 0; i < 3; i++) {
      for (var j = 0; j < 3; j++) {
        g[i * 3 + j] = w[${tap}];
      }
    }
    // t = G g (4x3), then U = t Gᵀ (4x4).
    var t : array<f32, 12>;
    for (var j = 0; j < 3; j++) {
      t[j] = g[j];
      t[3 + j] = 0.5 * (g[j] + g[3 + j] + g[6 + j]);
      t[6 + j] = 0.5 * (g[j] - g[3 + j] + g[6 + j]);
      t[9 + j] = g[6 + j];
    }
    let plane = inC * outC;
    for (var i = 0; i < 4; i++) {
      let r = i * 3;
      result[(i * 4) * plane + index] = t[r];
      result[(i * 4 + 1) * plane + index] = 0.5 * (t[r] + t[r + 1] + t[r + 2]);
      result[(i * 4 + 2) * plane + index] = 0.5 * (t[r] - t[r + 1] + t[r + 2]);
      result[(i * 4 + 3) * plane + index] = t[r + 2];
    }`);
}

/**
 * V[p, t, a] = (Bᵀ d B)[p], Bᵀ = [[1, 0, −1, 0], [0, 1, 1, 0], [0, −1, 1, 0], [0, 1, 0, −1]], one thread per (tile,
 * channel): consecutive threads read consecutive channels. d is the 4x4 input window at (2·blockRow − padTop,
 * 2·blockCol − padLeft), 0 outside the image.
 */
function inputTransform(tiles: number, inChannels: number): WebGPUProgram {
  return flatProgram('tesseraWinogradInput', ['x'], [16, tiles, inChannels], tiles * inChannels, 'uniforms.wgPad[2] * uniforms.wgIn[2]', `
    let inH = uniforms.wgIn[0];
    let inW = uniforms.wgIn[1];
    let inC = uniforms.wgIn[2];
    let tile = index / inC;
    let a = index - tile * inC;
    let corner = winogradBlock(tile);
    let image = corner.x;
    let y0 = corner.y - uniforms.wgPad[0];
    let x0 = corner.z - uniforms.wgPad[1];
    var d : array<f32, 16>;
    for (var i = 0; i < 4; i++) {
      for (var j = 0; j < 4; j++) {
        let iy = y0 + i;
        let ix = x0 + j;
        var value = 0.0;
        if (iy >= 0 && iy < inH && ix >= 0 && ix < inW) {
          value = x[((image * inH + iy) * inW + ix) * inC + a];
        }
        d[i * 4 + j] = value;
      }
    }
    // s = Bᵀ d, then V = s B.
    var s : array<f32, 16>;
    for (var j = 0; j < 4; j++) {
      s[j] = d[j] - d[8 + j];
      s[4 + j] = d[4 + j] + d[8 + j];
      s[8 + j] = d[8 + j] - d[4 + j];
      s[12 + j] = d[4 + j] - d[12 + j];
    }
    let plane = uniforms.wgPad[2] * inC;
    for (var i = 0; i < 4; i++) {
      let r = i * 4;
      result[(r) * plane + index] = s[r] - s[r + 2];
      result[(r + 1) * plane + index] = s[r + 1] + s[r + 2];
      result[(r + 2) * plane + index] = s[r + 2] - s[r + 1];
      result[(r + 3) * plane + index] = s[r + 1] - s[r + 3];
    }`);
}

/**
 * out = Aᵀ m A, Aᵀ = [[1, 1, 1, 0], [0, 1, −1, −1]], per (tile, output channel) over the 16 products m[p]; then the
 * bias and a relu, and the 2x2 block written where it lies inside the output.
 */
function outputTransform(outputShape: number[], tiles: number, bias: boolean, relu: boolean): WebGPUProgram {
  const outChannels = outputShape[3] as number;
  const finish = (v: string) => {
    const biased = bias ? `${v} + bias[b]` : v;
    return relu ? `max(${biased}, 0.0)` : biased;
  };
  const variables = bias ? ['m', 'bias'] : ['m'];
  return flatProgram(`tesseraWinogradOutput_${bias ? 'bias' : 'nobias'}_${relu ? 'relu' : 'linear'}`, variables, outputShape, tiles * outChannels, 'uniforms.wgPad[2] * uniforms.wgIn[3]', `
    let outC = uniforms.wgIn[3];
    let outH = uniforms.wgOut[0];
    let outW = uniforms.wgOut[1];
    let tile = index / outC;
    let b = index - tile * outC;
    let plane = uniforms.wgPad[2] * outC;
    var q : array<f32, 16>;
    for (var p = 0; p < 16; p++) {
      q[p] = m[p * plane + index];
    }
    // r = Aᵀ q (2x4), then out = r A (2x2).
    var r : array<f32, 8>;
    for (var j = 0; j < 4; j++) {
      r[j] = q[j] + q[4 + j] + q[8 + j];
      r[4 + j] = q[4 + j] - q[8 + j] - q[12 + j];
    }
    let corner = winogradBlock(tile);
    let image = corner.x;
    let y0 = corner.y;
    let x0 = corner.z;
    for (var i = 0; i < 2; i++) {
      let y = y0 + i;
      if (y < outH) {
        let row = r[i * 4] + r[i * 4 + 1] + r[i * 4 + 2];
        let base = ((image * outH + y) * outW + x0) * outC + b;
        result[base] = ${finish('row')};
        if (x0 + 1 < outW) {
          let right = r[i * 4 + 1] - r[i * 4 + 2] - r[i * 4 + 3];
          result[base + outC] = ${finish('right')};
        }
      }
    }`);
}

/**
 * D[p, t, b] = (A dY_t Aᵀ)[p], A = [[1, 0], [1, 1], [1, −1], [0, −1]], one thread per (tile, output channel): dY_t is
 * the tile's 2x2 output block, 0 where the block passes the output's edge.
 */
function gradientTransform(tiles: number, outChannels: number): WebGPUProgram {
  return flatProgram('tesseraWinogradGradient', ['dy'], [16, tiles, outChannels], tiles * outChannels, 'uniforms.wgPad[2] * uniforms.wgIn[3]', `
    let outC = uniforms.wgIn[3];
    let outH = uniforms.wgOut[0];
    let outW = uniforms.wgOut[1];
    let tile = index / outC;
    let b = index - tile * outC;
    let corner = winogradBlock(tile);
    let image = corner.x;
    let y0 = corner.y;
    let x0 = corner.z;
    var g : array<f32, 4>;
    for (var i = 0; i < 2; i++) {
      for (var j = 0; j < 2; j++) {
        var value = 0.0;
        if (y0 + i < outH && x0 + j < outW) {
          value = dy[((image * outH + y0 + i) * outW + x0 + j) * outC + b];
        }
        g[i * 2 + j] = value;
      }
    }
    // s = A g (4x2), then D = s Aᵀ (4x4).
    var s : array<f32, 8>;
    for (var j = 0; j < 2; j++) {
      s[j] = g[j];
      s[2 + j] = g[j] + g[2 + j];
      s[4 + j] = g[j] - g[2 + j];
      s[6 + j] = -g[2 + j];
    }
    let plane = uniforms.wgPad[2] * outC;
    for (var i = 0; i < 4; i++) {
      let e0 = s[i * 2];
      let e1 = s[i * 2 + 1];
      result[(i * 4) * plane + index] = e0;
      result[(i * 4 + 1) * plane + index] = e0 + e1;
      result[(i * 4 + 2) * plane + index] = e0 - e1;
      result[(i * 4 + 3) * plane + index] = -e1;
    }`);
}

/**
 * dW[kh, kw, a, b] = (Gᵀ dU_ab G)[kh, kw], Gᵀ = [[1, ½, ½, 0], [0, ½, −½, 0], [0, ½, ½, 1]], one thread per (a, b).
 */
function filterGradientTransform(inChannels: number, outChannels: number): WebGPUProgram {
  return flatProgram('tesseraWinogradFilterGradient', ['points'], [3, 3, inChannels, outChannels], inChannels * outChannels, 'uniforms.wgIn[2] * uniforms.wgIn[3]', `
    let plane = uniforms.wgIn[2] * uniforms.wgIn[3];
    var u : array<f32, 16>;
    for (var p = 0; p < 16; p++) {
      u[p] = points[p * plane + index];
    }
    // t = Gᵀ u (3x4), then dW = t G (3x3).
    var t : array<f32, 12>;
    for (var j = 0; j < 4; j++) {
      t[j] = u[j] + 0.5 * (u[4 + j] + u[8 + j]);
      t[4 + j] = 0.5 * (u[4 + j] - u[8 + j]);
      t[8 + j] = 0.5 * (u[4 + j] + u[8 + j]) + u[12 + j];
    }
    for (var i = 0; i < 3; i++) {
      let r = i * 4;
      result[(i * 3) * plane + index] = t[r] + 0.5 * (t[r + 1] + t[r + 2]);
      result[(i * 3 + 1) * plane + index] = 0.5 * (t[r + 1] - t[r + 2]);
      result[(i * 3 + 2) * plane + index] = 0.5 * (t[r + 1] + t[r + 2]) + t[r + 3];
    }`);
}

/** The 16 point-wise filter gradients: V[p]ᵀ (V[p] is [tiles, inC]) times D[p] [tiles, outC] into [16, inC, outC]. */
const pointGradients: GemmOperands = {
  key: 'winogradPointGradients',
  variableNames: ['v', 'd'],
  epilogueVariables: [],
  uniforms: '',
  loadA: `
    struct GemmRowA { start : i32 }
    fn gemmRowA(batch : i32, row : i32) -> GemmRowA { return GemmRowA(batch * uniforms.gemmDims[2] * uniforms.gemmDims[0] + row); }
    fn gemmLoadA(r : GemmRowA, k : i32) -> f32 { return v[r.start + k * uniforms.gemmDims[0]]; }`,
  aContiguous: 'm',
  loadB: `
    struct GemmColB { start : i32 }
    fn gemmColB(batch : i32, col : i32) -> GemmColB { return GemmColB(batch * uniforms.gemmDims[2] * uniforms.gemmDims[1] + col); }
    fn gemmLoadB(c : GemmColB, k : i32) -> f32 { return d[c.start + k * uniforms.gemmDims[1]]; }`,
  bContiguous: 'n',
  store: `fn gemmStore(batch : i32, row : i32, col : i32, value : f32) {
    result[(batch * uniforms.gemmDims[0] + row) * uniforms.gemmDims[1] + col] = value;
  }`,
};

/** The 16 point-wise products: V[p] [tiles, inC] times U[p] [inC, outC] into [16, tiles, outC]. */
const pointProducts: GemmOperands = {
  key: 'winogradPoints',
  variableNames: ['v', 'u'],
  epilogueVariables: [],
  uniforms: '',
  loadA: `
    struct GemmRowA { start : i32 }
    fn gemmRowA(batch : i32, row : i32) -> GemmRowA { return GemmRowA((batch * uniforms.gemmDims[0] + row) * uniforms.gemmDims[2]); }
    fn gemmLoadA(r : GemmRowA, k : i32) -> f32 { return v[r.start + k]; }`,
  aContiguous: 'k',
  loadB: `
    struct GemmColB { start : i32 }
    fn gemmColB(batch : i32, col : i32) -> GemmColB { return GemmColB(batch * uniforms.gemmDims[2] * uniforms.gemmDims[1] + col); }
    fn gemmLoadB(c : GemmColB, k : i32) -> f32 { return u[c.start + k * uniforms.gemmDims[1]]; }`,
  bContiguous: 'n',
  store: `fn gemmStore(batch : i32, row : i32, col : i32, value : f32) {
    result[(batch * uniforms.gemmDims[0] + row) * uniforms.gemmDims[1] + col] = value;
  }`,
};
