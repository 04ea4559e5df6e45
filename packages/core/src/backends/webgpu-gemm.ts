import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { WebGPUBackend, WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';

/**
 * One register-blocked GEMM for tfjs' `webgpu` backend, shared by Tessera's matmul and convolution kernels: each use
 * supplies how to read an element of A (M x K) and of B (K x N), and what to do with each finished element of C, as
 * small WGSL functions; the tiling, the shared-memory pipeline, the split of K across workgroups and the bounds are
 * here once.
 *
 * Two tiles, picked by `planGemm` from the problem size:
 * - wide: a 128x128 C tile per workgroup of 256 threads, 8x8 outputs per thread, K in steps of 8. Each thread does 64
 *   multiply-adds per 4 vec4 reads from shared memory, four times tfjs-backend-webgpu 4.22's 32x32 tiles (4x4 per
 *   thread, 16 per 8 reads), whose VGG16 forward reached 6.9 TFLOP/s on an H100 (../shared/gpu/README.md).
 * - narrow: 64x64, 4x4 per thread, K in steps of 16, for problems whose wide tiles would not fill the GPU.
 * Both read the next K step's operands from memory into registers while multiplying the current one out of shared
 * memory, so global latency hides behind arithmetic.
 *
 * Split-K: when even narrow tiles give too few workgroups and K is deep (a dense layer's forward pass: M = batch), the
 * K range is cut into slices, each workgroup writes its slice's partial C, and a second program sums the slices and
 * applies the epilogue.
 *
 * Loop bounds come from uniforms only, so every barrier is in uniform control flow; elements outside M, N or the
 * slice's K range load as zeros and are never stored.
 */
export interface GemmOperands {
  /** Identifies the loaders and epilogue in tfjs' shader cache: two different kernels must never share a key. */
  readonly key: string;
  /** The inputs the loaders read, by these names. */
  readonly variableNames: readonly string[];
  /**
   * Further inputs only the epilogue reads (a bias): bound to whichever program runs the epilogue, never to one that
   * does not read them (Dawn drops unread bindings from the pipeline, and binding them would then be an error).
   */
  readonly epilogueVariables: readonly string[];
  /** Extra uniform declarations (`name : type,` each), read by the loaders and the epilogue. */
  readonly uniforms: string;
  /**
   * How to read A, as WGSL defining `struct GemmRowA`, `fn gemmRowA(batch : i32, row : i32) -> GemmRowA` and
   * `fn gemmLoadA(r : GemmRowA, k : i32) -> f32` (A[row, k]). Each thread loads the same rows of A at every K step,
   * so the per-row work (an image pixel's coordinates, a row's offset) is done once in gemmRowA, before the K loop;
   * gemmLoadA runs per element and should be cheap. Called only for row < M and k < K.
   */
  readonly loadA: string;
  /** Which index of A is contiguous in memory: the tile loads run along it so that neighbouring threads coalesce. */
  readonly aContiguous: 'k' | 'm';
  /**
   * How to read B: `struct GemmColB`, `fn gemmColB(batch : i32, col : i32) -> GemmColB` (once per column, before the
   * K loop) and `fn gemmLoadB(c : GemmColB, k : i32) -> f32` (B[k, col]). Called only for k < K and col < N.
   */
  readonly loadB: string;
  readonly bContiguous: 'k' | 'n';
  /** `fn gemmStore(batch : i32, row : i32, col : i32, value : f32)`: writes C[row, col] (bias, activation, layout). */
  readonly store: string;
}

export interface GemmDims {
  /** Independent products (batched matmul); each workgroup works on one. */
  readonly batch: number;
  readonly m: number;
  readonly n: number;
  readonly k: number;
}

export interface GemmTile {
  readonly name: 'wide' | 'narrow';
  readonly bm: number;
  readonly bn: number;
  readonly bk: number;
  readonly tm: number;
  readonly tn: number;
}

export const wideTile: GemmTile = { name: 'wide', bm: 128, bn: 128, bk: 8, tm: 8, tn: 8 };
export const narrowTile: GemmTile = { name: 'narrow', bm: 64, bn: 64, bk: 16, tm: 4, tn: 4 };

export interface GemmPlan {
  readonly tile: GemmTile;
  /** K slices (1: no split, the GEMM stores C itself). */
  readonly splits: number;
  /** K per slice, a multiple of the tile's K step. */
  readonly kPerSplit: number;
}

/** Chooses the tile and split for a problem; kernels take one so tests can force each path. */
export type GemmPlanner = (dims: GemmDims) => GemmPlan;

/**
 * Workgroups that fill an H100: 132 SMs x 2 resident workgroups of the wide tile (about 110 registers a thread).
 * Below this the narrow tile is used, and below it again K is split.
 */
export const fillWorkgroups = 264;
/** Each K slice covers at least this many K steps, so a workgroup's tile loads and stores are amortised. */
export const minKStepsPerSplit = 8;
/** The split-K partials (splits x batch x M x N floats) stay under this. */
export const maxPartialBytes = 64 * 1024 * 1024;
/** WebGPU's default limit on workgroups per dispatch dimension. */
const maxWorkgroupsPerDimension = 65535;

export const planGemm: GemmPlanner = (dims) => {
  const tiles = (tile: GemmTile): number => Math.ceil(dims.m / tile.bm) * Math.ceil(dims.n / tile.bn) * dims.batch;
  if (tiles(wideTile) >= fillWorkgroups) return { tile: wideTile, splits: 1, kPerSplit: roundUp(dims.k, wideTile.bk) };
  const narrow = tiles(narrowTile);
  return splitPlan(narrowTile, dims, narrow >= fillWorkgroups ? 1 : Math.ceil((2 * fillWorkgroups) / narrow));
};

/** A plan with `wanted` K slices on `tile`, cut down so each slice is deep enough and the partials fit. */
export function splitPlan(tile: GemmTile, dims: GemmDims, wanted: number): GemmPlan {
  const kSteps = Math.max(1, Math.ceil(dims.k / tile.bk));
  const byDepth = Math.max(1, Math.floor(kSteps / minKStepsPerSplit));
  const byMemory = Math.max(1, Math.floor(maxPartialBytes / (dims.batch * dims.m * dims.n * 4)));
  const byDispatch = Math.max(1, Math.floor(maxWorkgroupsPerDimension / dims.batch));
  const splits = Math.max(1, Math.min(wanted, byDepth, byMemory, byDispatch));
  const kPerSplit = Math.ceil(kSteps / splits) * tile.bk;
  return { tile, splits: Math.max(1, Math.ceil(dims.k / kPerSplit)), kPerSplit };
}

/** Whether a problem fits the dispatch limits (C tiles along y, products x slices along z); callers fall back if not. */
export function gemmFits(dims: GemmDims, plan: GemmPlan): boolean {
  return (
    Math.ceil(dims.m / plan.tile.bm) <= maxWorkgroupsPerDimension &&
    Math.ceil(dims.n / plan.tile.bn) <= maxWorkgroupsPerDimension &&
    dims.batch * plan.splits <= maxWorkgroupsPerDimension &&
    dims.batch * dims.m * dims.n * plan.splits < 2 ** 31
  );
}

export interface GemmUniform {
  readonly type: 'int32' | 'uint32' | 'float32';
  readonly data: readonly number[];
}

/**
 * Runs C = A·B for each of `dims.batch` products and returns the tensor the epilogue wrote, of `outputShape` (rank 2
 * or more). `inputs` match `operands.variableNames`, `epilogueInputs` its `epilogueVariables`; the operands' own
 * uniforms follow in `uniforms`, in the order `operands.uniforms` declares them.
 */
export function runGemm(
  backend: WebGPUBackend,
  operands: GemmOperands,
  dims: GemmDims,
  plan: GemmPlan,
  inputs: readonly TensorInfo[],
  epilogueInputs: readonly TensorInfo[],
  uniforms: readonly GemmUniform[],
  outputShape: readonly number[],
): TensorInfo {
  const all = [
    { type: 'int32', data: [dims.m, dims.n, dims.k, dims.batch] },
    { type: 'int32', data: [plan.kPerSplit] },
    { type: 'int32', data: [plan.kPerSplit / plan.tile.bk] },
    { type: 'int32', data: [plan.splits] },
    ...uniforms.map((u) => ({ type: u.type, data: [...u.data] })),
  ];
  if (plan.splits === 1) {
    const program = new GemmProgram(operands, dims, plan, [...outputShape], false);
    return backend.runWebGPUProgram(program, [...inputs, ...epilogueInputs], 'float32', all);
  }
  const partialShape = [plan.splits * dims.batch * dims.m, dims.n];
  const partials = backend.runWebGPUProgram(new GemmProgram(operands, dims, plan, partialShape, true), [...inputs], 'float32', all);
  try {
    const sum = new SplitSumProgram(operands, dims, [...outputShape]);
    return backend.runWebGPUProgram(sum, [partials, ...epilogueInputs], 'float32', all);
  } finally {
    backend.disposeData(partials.dataId);
  }
}

/**
 * A layout with a y axis, so tfjs emits `fn main()` and the programs index by workgroup and thread themselves
 * (a flat layout would make it call `main(index)`).
 */
function workgroupLayout(outputShape: readonly number[]): { x: number[]; y: number[] } {
  if (outputShape.length < 2) throw new Error(`GEMM output must have rank 2 or more, got shape [${outputShape.join(', ')}]`);
  const last = outputShape.length - 1;
  return { x: [last], y: outputShape.slice(0, last).map((_, axis) => axis) };
}

function roundUp(value: number, step: number): number {
  return Math.max(step, Math.ceil(value / step) * step);
}

/** (M, N, K, products), then the split; the operands' own uniforms follow. */
const gemmUniforms = 'gemmDims : vec4<i32>, gemmKPerSplit : i32, gemmKSteps : i32, gemmSplits : i32,';

/** The tiled GEMM: see the module comment. `partial` writes [split, batch, M, N] partials instead of calling gemmStore. */
class GemmProgram implements WebGPUProgram {
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[]; y: number[] };
  dispatch: [number, number, number];
  variableNames: string[];
  uniforms: string;
  workgroupSize: [number, number, number] = [256, 1, 1];

  constructor(
    private readonly operands: GemmOperands,
    dims: GemmDims,
    private readonly plan: GemmPlan,
    outputShape: number[],
    private readonly partial: boolean,
  ) {
    this.outputShape = outputShape;
    this.variableNames = partial ? [...operands.variableNames] : [...operands.variableNames, ...operands.epilogueVariables];
    this.uniforms = gemmUniforms + operands.uniforms;
    this.dispatchLayout = workgroupLayout(outputShape);
    this.dispatch = [Math.ceil(dims.n / plan.tile.bn), Math.ceil(dims.m / plan.tile.bm), dims.batch * plan.splits];
    const { tile } = plan;
    this.shaderKey = `tesseraGemm_${operands.key}_${tile.name}_${operands.aContiguous}${operands.bContiguous}_${partial ? 'partial' : 'direct'}`;
  }

  getUserCode(): string {
    const { bm, bn, bk, tm, tn } = this.plan.tile;
    const threads = 256;
    const loadsA = (bm * bk) / threads;
    const loadsB = (bn * bk) / threads;
    const threadCols = bn / tn;
    const rowVecs = tm / 4;
    const colVecs = tn / 4;
    const strideRows = bm / tm;
    const strideCols = bn / tn;
    // Element e of a tile load, as (k, outer) for a k-contiguous or an outer-contiguous operand.
    const tileIndex = (contiguous: 'k' | 'outer', outer: number): [string, string] =>
      contiguous === 'k' ? [`e % ${bk}`, `e / ${bk}`] : [`e / ${outer}`, `e % ${outer}`];
    const [akExpr, amExpr] = tileIndex(this.operands.aContiguous === 'k' ? 'k' : 'outer', bm);
    const [bkExpr, bnExpr] = tileIndex(this.operands.bContiguous === 'k' ? 'k' : 'outer', bn);
    const store = this.partial
      ? `result[((split * uniforms.gemmDims[3] + batch) * uniforms.gemmDims[0] + row) * uniforms.gemmDims[1] + col] = value;`
      : 'gemmStore(batch, row, col, value);';
    return `
      ${this.operands.loadA}
      ${this.operands.loadB}
      ${this.partial ? '' : this.operands.store}

      var<workgroup> tileA : array<vec4<f32>, ${(bk * bm) / 4}>;
      var<workgroup> tileB : array<vec4<f32>, ${(bk * bn) / 4}>;

      fn main() {
        let t = i32(localIndex);
        let n0 = i32(workgroupId.x) * ${bn};
        let m0 = i32(workgroupId.y) * ${bm};
        let split = i32(workgroupId.z) % uniforms.gemmSplits;
        let batch = i32(workgroupId.z) / uniforms.gemmSplits;
        let dimM = uniforms.gemmDims[0];
        let dimN = uniforms.gemmDims[1];
        let kBegin = split * uniforms.gemmKPerSplit;
        let kEnd = min(uniforms.gemmDims[2], kBegin + uniforms.gemmKPerSplit);
        let tx = t % ${threadCols};
        let ty = t / ${threadCols};

        var nextA : array<f32, ${loadsA}>;
        var nextB : array<f32, ${loadsB}>;
        var acc : array<vec4<f32>, ${(tm * tn) / 4}>;
        // The rows of A and columns of B this thread loads are the same at every K step.
        var rowsA : array<GemmRowA, ${loadsA}>;
        var rowInA : array<bool, ${loadsA}>;
        for (var i = 0; i < ${loadsA}; i++) {
          let e = t + ${threads} * i;
          let gm = m0 + ${amExpr};
          rowInA[i] = gm < dimM;
          if (rowInA[i]) {
            rowsA[i] = gemmRowA(batch, gm);
          }
        }
        var colsB : array<GemmColB, ${loadsB}>;
        var colInB : array<bool, ${loadsB}>;
        for (var i = 0; i < ${loadsB}; i++) {
          let e = t + ${threads} * i;
          let gn = n0 + ${bnExpr};
          colInB[i] = gn < dimN;
          if (colInB[i]) {
            colsB[i] = gemmColB(batch, gn);
          }
        }

        for (var tile = 0; tile <= uniforms.gemmKSteps; tile++) {
          if (tile > 0) {
            // Park the K step loaded last round, then multiply it out while the next one is in flight.
            for (var i = 0; i < ${loadsA}; i++) {
              let e = t + ${threads} * i;
              let kk = ${akExpr};
              let mm = ${amExpr};
              tileA[kk * ${bm / 4} + mm / 4][mm % 4] = nextA[i];
            }
            for (var i = 0; i < ${loadsB}; i++) {
              let e = t + ${threads} * i;
              let kk = ${bkExpr};
              let nn = ${bnExpr};
              tileB[kk * ${bn / 4} + nn / 4][nn % 4] = nextB[i];
            }
            workgroupBarrier();
          }
          if (tile < uniforms.gemmKSteps) {
            let k0 = kBegin + tile * ${bk};
            for (var i = 0; i < ${loadsA}; i++) {
              let e = t + ${threads} * i;
              let gk = k0 + ${akExpr};
              var v = 0.0;
              if (rowInA[i] && gk < kEnd) {
                v = gemmLoadA(rowsA[i], gk);
              }
              nextA[i] = v;
            }
            for (var i = 0; i < ${loadsB}; i++) {
              let e = t + ${threads} * i;
              let gk = k0 + ${bkExpr};
              var v = 0.0;
              if (colInB[i] && gk < kEnd) {
                v = gemmLoadB(colsB[i], gk);
              }
              nextB[i] = v;
            }
          }
          if (tile > 0) {
            for (var kk = 0; kk < ${bk}; kk++) {
              var a : array<vec4<f32>, ${rowVecs}>;
              var b : array<vec4<f32>, ${colVecs}>;
              for (var i = 0; i < ${rowVecs}; i++) {
                a[i] = tileA[kk * ${bm / 4} + ty + i * ${strideRows}];
              }
              for (var j = 0; j < ${colVecs}; j++) {
                b[j] = tileB[kk * ${bn / 4} + tx + j * ${strideCols}];
              }
              for (var i = 0; i < ${rowVecs}; i++) {
                for (var j = 0; j < ${colVecs}; j++) {
                  acc[(i * 4 + 0) * ${colVecs} + j] += a[i].x * b[j];
                  acc[(i * 4 + 1) * ${colVecs} + j] += a[i].y * b[j];
                  acc[(i * 4 + 2) * ${colVecs} + j] += a[i].z * b[j];
                  acc[(i * 4 + 3) * ${colVecs} + j] += a[i].w * b[j];
                }
              }
            }
            workgroupBarrier();
          }
        }

        for (var i = 0; i < ${rowVecs}; i++) {
          for (var r = 0; r < 4; r++) {
            let row = m0 + 4 * (ty + i * ${strideRows}) + r;
            if (row < dimM) {
              for (var j = 0; j < ${colVecs}; j++) {
                let sums = acc[(i * 4 + r) * ${colVecs} + j];
                for (var c = 0; c < 4; c++) {
                  let col = n0 + 4 * (tx + j * ${strideCols}) + c;
                  if (col < dimN) {
                    let value = sums[c];
                    ${store}
                  }
                }
              }
            }
          }
        }
      }
    `;
  }
}

/** C = Σ over slices of the [split, batch, M, N] partials, one thread per element, then the operands' epilogue. */
class SplitSumProgram implements WebGPUProgram {
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[]; y: number[] };
  dispatch: [number, number, number];
  variableNames: string[];
  uniforms: string;
  workgroupSize: [number, number, number] = [256, 1, 1];

  constructor(
    private readonly operands: GemmOperands,
    dims: GemmDims,
    outputShape: number[],
  ) {
    this.outputShape = outputShape;
    this.variableNames = ['partials', ...operands.epilogueVariables];
    this.uniforms = gemmUniforms + operands.uniforms;
    this.dispatchLayout = workgroupLayout(outputShape);
    this.dispatch = [Math.min(Math.ceil((dims.batch * dims.m * dims.n) / 256), maxWorkgroupsPerDimension), 1, 1];
    this.shaderKey = `tesseraGemmSplitSum_${operands.key}`;
  }

  getUserCode(): string {
    return `
      ${this.operands.store}

      fn main() {
        let dimM = uniforms.gemmDims[0];
        let dimN = uniforms.gemmDims[1];
        let total = uniforms.gemmDims[3] * dimM * dimN;
        let stride = i32(numWorkgroups.x) * 256;
        for (var index = i32(globalId.x); index < total; index += stride) {
          var value = 0.0;
          for (var s = 0; s < uniforms.gemmSplits; s++) {
            value += partials[s * total + index];
          }
          let col = index % dimN;
          let row = (index / dimN) % dimM;
          let batch = index / (dimN * dimM);
          gemmStore(batch, row, col, value);
        }
      }
    `;
  }
}
