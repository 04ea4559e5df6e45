import * as tf from '@tensorflow/tfjs-core';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { WebGPUBackend, WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';

/**
 * `Conv2DBackpropFilter` (every conv layer's weight gradient) for tfjs' `webgpu` backend, as a tiled implicit GEMM
 * with split-K, in place of tfjs-backend-webgpu 4.22's `Conv2DDerFilterProgram`, which runs one thread per filter
 * element and loops each over the whole batch x outHeight x outWidth with no data reuse (VGG16 block 1 at batch 16,
 * 224x224: 1,728 to 36,864 threads, each looping 802,816 times, far too few threads to fill a GPU).
 *
 * The gradient is one matrix product: dW[(kh, kw, ci), co] = Σ_k X[b, y·sh + kh − pt, x·sw + kw − pl, ci] · dY[k, co]
 * over k = (b, y, x), with reads outside X being 0. M = kh·kw·ci and N = co are small, K = batch·outH·outW is huge, so
 * the K range is split across workgroups: each computes a 64x64 output tile over one K slice through 32-deep
 * shared-memory tiles (4x4 outputs per thread) into a [splits, M, N] buffer, and a second program sums the splits.
 * The split count aims at about `targetWorkgroups` workgroups (enough for the 132 SMs of an H100) while keeping
 * the partial buffer under `maxPartialBytes` and each slice at least `minKTilesPerSplit` tiles deep.
 *
 * Handles NHWC float32 with any stride and any padding tfjs computes (same, valid, numeric, explicit); anything else
 * (NCHW, dilations, other dtypes) goes to the stock kernel. Matches the cpu backend to 1e-4
 * (webgpu-conv2d-filter-grad.test.ts).
 */
export function webgpuConv2DBackpropFilter(stock: KernelFunc | undefined): KernelFunc {
  return (args) => {
    const attrs = args.attrs as unknown as FilterGradAttrs;
    const x = args.inputs.x!;
    const dy = args.inputs.dy!;
    const dilations = attrs.dilations ?? 1;
    const dilated = Array.isArray(dilations) ? dilations.some((d) => d !== 1) : dilations !== 1;
    if (attrs.dataFormat === 'NCHW' || dilated || x.dtype !== 'float32' || dy.dtype !== 'float32' || x.shape.length !== 4) {
      if (stock === undefined) throw new Error("webgpu kernel 'Conv2DBackpropFilter' has no stock kernel for this case (NCHW, dilations or non-float32)");
      return stock(args);
    }
    return conv2dFilterGrad(args.backend as WebGPUBackend, x, dy, attrs);
  };
}

/** The attributes tfjs passes to `Conv2DBackpropFilter` (dilations only if a caller adds them: tfjs' own never do). */
interface FilterGradAttrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
  dilations?: [number, number] | number;
}

/** Workgroups the GEMM aims for: about 16 per SM of a 132-SM H100, two waves at 8 resident per SM. */
export const targetWorkgroups = 2048;
/** The [splits, M, N] float32 partial buffer stays under this. */
export const maxPartialBytes = 64 * 1024 * 1024;
/** Each split covers at least this many 32-deep K tiles, so a workgroup's loads and stores are amortised. */
export const minKTilesPerSplit = 8;
const tileM = 64;
const tileN = 64;
const tileK = 32;

export interface SplitPlan {
  /** Number of K slices (workgroups along z). */
  splits: number;
  /** K per slice, a multiple of the tile depth; the last slice may be shorter. */
  kPerSplit: number;
}

/** How many K slices a filter gradient of this GEMM size gets: see `targetWorkgroups` and its neighbours. */
export function planSplitK(m: number, n: number, k: number): SplitPlan {
  const tiles = Math.ceil(m / tileM) * Math.ceil(n / tileN);
  const kTiles = Math.max(1, Math.ceil(k / tileK));
  const wanted = Math.ceil(targetWorkgroups / tiles);
  const byDepth = Math.max(1, Math.floor(kTiles / minKTilesPerSplit));
  const byMemory = Math.max(1, Math.floor(maxPartialBytes / (m * n * 4)));
  const splits = Math.max(1, Math.min(wanted, byDepth, byMemory, 65535));
  const kPerSplit = Math.ceil(kTiles / splits) * tileK;
  return { splits: Math.max(1, Math.ceil(k / kPerSplit)), kPerSplit };
}

function conv2dFilterGrad(backend: WebGPUBackend, x: TensorInfo, dy: TensorInfo, attrs: FilterGradAttrs): TensorInfo {
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    attrs.filterShape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  );
  const [filterHeight, filterWidth, inChannels, outChannels] = attrs.filterShape;
  const m = filterHeight * filterWidth * inChannels;
  const n = outChannels;
  const k = info.batchSize * info.outHeight * info.outWidth;
  const plan = planSplitK(m, n, k);
  const gemmShape = plan.splits === 1 ? [...attrs.filterShape] : [plan.splits, m, n];
  const gemm = new FilterGradGemmProgram(gemmShape, m, n, plan.splits);
  const gemmUniforms = [
    { type: 'int32', data: [info.padInfo.top, info.padInfo.left] },
    { type: 'int32', data: [info.strideHeight, info.strideWidth] },
    { type: 'int32', data: [filterWidth] },
    { type: 'int32', data: [m] },
    { type: 'int32', data: [n] },
    { type: 'int32', data: [k] },
    { type: 'int32', data: [plan.kPerSplit] },
    { type: 'int32', data: [plan.kPerSplit / tileK] },
  ];
  const partials = backend.runWebGPUProgram(gemm, [x, dy], 'float32', gemmUniforms);
  if (plan.splits === 1) return partials;
  const reduce = new SplitSumProgram([...attrs.filterShape], m * n);
  const reduceUniforms = [
    { type: 'int32', data: [plan.splits] },
    { type: 'int32', data: [m * n] },
  ];
  const result = backend.runWebGPUProgram(reduce, [partials], 'float32', reduceUniforms);
  backend.disposeData(partials.dataId);
  return result;
}

/**
 * One workgroup: a 64 (M) x 64 (N) tile of dW over one K slice, 256 threads of 4x4 outputs each. Per 32-deep K tile,
 * each thread loads 8 elements of X (2 k rows x 4 filter taps; 16 threads read consecutive (kw, ci) so reads are
 * coalesced along ci) and 8 of dY (64 threads read one row of 64 consecutive channels), into vec4 shared tiles read
 * back as one vec4 of each operand per 16 multiply-adds. Loop bounds come from uniforms only, so the barriers sit in
 * uniform control flow; the last slice's missing k rows load as zeros.
 */
class FilterGradGemmProgram implements WebGPUProgram {
  outputShape: number[];
  shaderKey = 'tesseraConv2dFilterGradGemm';
  dispatchLayout: { x: number[]; y: number[]; z: number[] };
  dispatch: [number, number, number];
  variableNames = ['x', 'dy'];
  uniforms = 'pads : vec2<i32>, strides : vec2<i32>, filterWidth : i32, m : i32, n : i32, k : i32, kPerSplit : i32, kTilesPerSplit : i32,';
  workgroupSize: [number, number, number] = [256, 1, 1];

  constructor(outputShape: number[], m: number, n: number, splits: number) {
    this.outputShape = outputShape;
    this.dispatchLayout = { x: [2], y: [1], z: [0] };
    this.dispatch = [Math.ceil(n / tileN), Math.ceil(m / tileM), splits];
  }

  getUserCode(): string {
    return `
      var<workgroup> tileA : array<vec4<f32>, ${(tileK * tileM) / 4}>;
      var<workgroup> tileB : array<vec4<f32>, ${(tileK * tileN) / 4}>;

      fn main() {
        let t = i32(localIndex);
        let n0 = i32(workgroupId.x) * ${tileN};
        let m0 = i32(workgroupId.y) * ${tileM};
        let split = i32(workgroupId.z);
        let kBegin = split * uniforms.kPerSplit;
        let kEnd = min(uniforms.k, kBegin + uniforms.kPerSplit);
        let inH = uniforms.xShape[1];
        let inW = uniforms.xShape[2];
        let inC = uniforms.xShape[3];
        let outW = uniforms.dyShape[2];
        let outHW = uniforms.dyShape[1] * outW;
        let far = -1048576;

        // The 4 filter taps (rows of A) this thread loads: kh, kw and the offset of (kh, kw, ci) from the window's corner.
        let aLane = t % 16;
        let aRow = t / 16;
        var tapH : array<i32, 4>;
        var tapW : array<i32, 4>;
        var tapOffset : array<i32, 4>;
        for (var j = 0; j < 4; j++) {
          let tap = m0 + aLane + 16 * j;
          let ci = tap % inC;
          let pixel = tap / inC;
          let kw = pixel % uniforms.filterWidth;
          let kh = pixel / uniforms.filterWidth;
          tapH[j] = select(far, kh, tap < uniforms.m);
          tapW[j] = kw;
          tapOffset[j] = (kh * inW + kw) * inC + ci;
        }
        let bLane = t % 64;
        let bRow = t / 64;
        let bCol = n0 + bLane;
        let tx = t % 16;
        let ty = t / 16;
        var acc : array<vec4<f32>, 4>;

        for (var tile = 0; tile < uniforms.kTilesPerSplit; tile++) {
          let k0 = kBegin + tile * ${tileK};
          for (var r = 0; r < 2; r++) {
            let row = aRow + 16 * r;
            let kg = k0 + row;
            var originY = far;
            var originX = 0;
            var base = 0;
            if (kg < kEnd) {
              let img = kg / outHW;
              let rest = kg - img * outHW;
              let oy = rest / outW;
              let ox = rest - oy * outW;
              originY = oy * uniforms.strides[0] - uniforms.pads[0];
              originX = ox * uniforms.strides[1] - uniforms.pads[1];
              base = ((img * inH + originY) * inW + originX) * inC;
            }
            for (var j = 0; j < 4; j++) {
              let iy = originY + tapH[j];
              let ix = originX + tapW[j];
              var v = 0.0;
              if (iy >= 0 && iy < inH && ix >= 0 && ix < inW) {
                v = x[base + tapOffset[j]];
              }
              let col = aLane + 16 * j;
              tileA[row * ${tileM / 4} + col / 4][col % 4] = v;
            }
          }
          for (var i = 0; i < 8; i++) {
            let row = bRow + 4 * i;
            let kg = k0 + row;
            var v = 0.0;
            if (kg < kEnd && bCol < uniforms.n) {
              v = dy[kg * uniforms.n + bCol];
            }
            tileB[row * ${tileN / 4} + bLane / 4][bLane % 4] = v;
          }
          workgroupBarrier();
          for (var kk = 0; kk < ${tileK}; kk++) {
            let a = tileA[kk * ${tileM / 4} + ty];
            let b = tileB[kk * ${tileN / 4} + tx];
            acc[0] += a.x * b;
            acc[1] += a.y * b;
            acc[2] += a.z * b;
            acc[3] += a.w * b;
          }
          workgroupBarrier();
        }

        for (var i = 0; i < 4; i++) {
          let row = m0 + 4 * ty + i;
          if (row < uniforms.m) {
            for (var j = 0; j < 4; j++) {
              let col = n0 + 4 * tx + j;
              if (col < uniforms.n) {
                result[(split * uniforms.m + row) * uniforms.n + col] = acc[i][j];
              }
            }
          }
        }
      }
    `;
  }
}

/**
 * dW = Σ over splits of the [splits, M·N] partials: a workgroup of 32 outputs x 8 split lanes (each warp reads 32
 * consecutive floats of one split), then a tree sum of the 8 lanes in shared memory.
 */
class SplitSumProgram implements WebGPUProgram {
  outputShape: number[];
  shaderKey = 'tesseraConv2dFilterGradSplitSum';
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  variableNames = ['partials'];
  uniforms = 'splits : i32, outSize : i32,';
  workgroupSize: [number, number, number] = [32, 8, 1];

  constructor(outputShape: number[], size: number) {
    this.outputShape = outputShape;
    this.dispatchLayout = { x: outputShape.map((_, axis) => axis) };
    this.dispatch = [Math.ceil(size / 32), 1, 1];
  }

  getUserCode(): string {
    return `
      var<workgroup> lanes : array<f32, 256>;

      fn main(index : i32) {
        let out = i32(workgroupId.x) * 32 + i32(localId.x);
        let lane = i32(localId.y);
        var sum = 0.0;
        if (out < uniforms.outSize) {
          for (var s = lane; s < uniforms.splits; s += 8) {
            sum += partials[s * uniforms.outSize + out];
          }
        }
        lanes[lane * 32 + i32(localId.x)] = sum;
        for (var width = 4; width > 0; width /= 2) {
          workgroupBarrier();
          if (lane < width) {
            lanes[lane * 32 + i32(localId.x)] += lanes[(lane + width) * 32 + i32(localId.x)];
          }
        }
        if (lane == 0 && out < uniforms.outSize) {
          result[out] = lanes[i32(localId.x)];
        }
      }
    `;
  }
}
