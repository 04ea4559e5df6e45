import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { WebGPUBackend, WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';

/**
 * One register-blocked GEMM for tfjs' `webgpu` backend, shared by Tessera's matmul and convolution kernels: each use
 * supplies how to read an element of A (M x K) and of B (K x N), and what to do with each finished element of C, as
 * small WGSL functions; the tiling, the shared-memory pipeline, the split of K across workgroups and the bounds are
 * here once.
 *
 * Two tiles, picked by `planGemm` from the problem size:
 * - wide: a 128x128 C tile per workgroup of 256 threads, 8x8 outputs per thread, K in steps of 8, when such tiles fill
 *   the GPU and are mostly real (not for 64 channels). Each thread does 64
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
   * WGSL that both programs include ahead of the loaders and the store: functions the loaders and the store share,
   * which may read uniforms but no input (the split-sum program binds none of the loaders' inputs).
   */
  readonly helpers?: string;
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

/** Hands a case a GEMM kernel does not handle to the package's own kernel, which must then exist. */
export function stockKernel(stock: KernelFunc | undefined, kernelName: string, args: Parameters<KernelFunc>[0]): ReturnType<KernelFunc> {
  if (stock === undefined) throw new Error(`webgpu kernel '${kernelName}' has no stock kernel for this case`);
  return stock(args);
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
/**
 * The share of the wide tiles' outputs that must be real for the wide tile to be taken: with 64 channels (N = 64,
 * VGG16's first block) half of each 128-wide tile would be padding, multiplied out all the same, and the narrow tile
 * does the real half with the same shared-memory traffic per multiply-add.
 */
export const minWideTileUse = 0.7;
/** Each K slice covers at least this many K steps, so a workgroup's tile loads and stores are amortised. */
export const minKStepsPerSplit = 8;
/** The split-K partials (splits x batch x M x N floats) stay under this. */
export const maxPartialBytes = 64 * 1024 * 1024;
/** WebGPU's default limit on workgroups per dispatch dimension. */
const maxWorkgroupsPerDimension = 65535;

export const planGemm: GemmPlanner = (dims) => {
  const tiles = (tile: GemmTile): number => Math.ceil(dims.m / tile.bm) * Math.ceil(dims.n / tile.bn) * dims.batch;
  const used = (dims.m * dims.n) / (roundUp(dims.m, wideTile.bm) * roundUp(dims.n, wideTile.bn));
  if (tiles(wideTile) >= fillWorkgroups && used >= minWideTileUse) return { tile: wideTile, splits: 1, kPerSplit: roundUp(dims.k, wideTile.bk) };
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
    const rowVecs = tm / 4;
    const colVecs = tn / 4;
    const strideRows = bm / tm;
    const strideCols = bn / tn;
    // Shared-memory rows (one K step each) in vec4s, padded by one: a k-contiguous operand's tile load has neighbouring
    // threads write neighbouring k rows, which unpadded all start in the same bank (8-way conflicts on the wide tile;
    // padded, the wide tile's are conflict-free and the narrow tile's 2-way).
    const rowA = bm / 4 + 1;
    const rowB = bn / 4 + 1;
    // Every loop over a thread's registers is unrolled here, in TypeScript: indices into private arrays must be
    // constants for the driver to keep the 64 accumulators in registers rather than in local memory.
    const each = (count: number, line: (i: number) => string): string => Array.from({ length: count }, (_, i) => line(i)).join('\n');
    // Element `i` of this thread's share of a tile load, as (k, outer index) within the tile.
    const slot = (contiguous: boolean, outer: number, i: number): [string, string] => {
      const e = `(t + ${threads * i})`;
      return contiguous ? [`${e} % ${bk}`, `${e} / ${bk}`] : [`${e} / ${outer}`, `${e} % ${outer}`];
    };
    const aSlot = (i: number) => slot(this.operands.aContiguous === 'k', bm, i);
    const bSlot = (i: number) => slot(this.operands.bContiguous === 'k', bn, i);
    const store = this.partial
      ? `result[((split * uniforms.gemmDims[3] + batch) * dimM + row) * dimN + col] = value;`
      : 'gemmStore(batch, row, col, value);';
    const epilogue = each(rowVecs * 4, (ri) => {
      const [i, r] = [Math.floor(ri / 4), ri % 4];
      return `
        {
          let row = m0 + ${4 * i * strideRows + r} + 4 * ty;
          if (row < dimM) {
            ${each(colVecs * 4, (cj) => {
              const [j, c] = [Math.floor(cj / 4), cj % 4];
              return `
            {
              let col = n0 + ${4 * j * strideCols + c} + 4 * tx;
              if (col < dimN) {
                let value = acc${ri}_${j}[${c}];
                ${store}
              }
            }`;
            })}
          }
        }`;
    });
    return `
      ${this.operands.helpers ?? ''}
      ${this.operands.loadA}
      ${this.operands.loadB}
      ${this.partial ? '' : this.operands.store}

      var<workgroup> tileA : array<vec4<f32>, ${bk * rowA}>;
      var<workgroup> tileB : array<vec4<f32>, ${bk * rowB}>;

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
        let tx = t % ${bn / tn};
        let ty = t / ${bn / tn};

        // The rows of A and columns of B this thread loads are the same at every K step: prepared once.
        ${each(loadsA, (i) => `
        let inA${i} = m0 + ${aSlot(i)[1]} < dimM;
        var rowA${i} : GemmRowA;
        if (inA${i}) {
          rowA${i} = gemmRowA(batch, m0 + ${aSlot(i)[1]});
        }`)}
        ${each(loadsB, (i) => `
        let inB${i} = n0 + ${bSlot(i)[1]} < dimN;
        var colB${i} : GemmColB;
        if (inB${i}) {
          colB${i} = gemmColB(batch, n0 + ${bSlot(i)[1]});
        }`)}
        ${each(loadsA, (i) => `var nextA${i} = 0.0;`)}
        ${each(loadsB, (i) => `var nextB${i} = 0.0;`)}
        ${each(rowVecs * 4 * colVecs, (x) => `var acc${Math.floor(x / colVecs)}_${x % colVecs} = vec4<f32>(0.0);`)}

        for (var tile = 0; tile <= uniforms.gemmKSteps; tile++) {
          if (tile > 0) {
            // Park the K step loaded last round, then multiply it out while the next one is in flight.
            ${each(loadsA, (i) => `tileA[(${aSlot(i)[0]}) * ${rowA} + (${aSlot(i)[1]}) / 4][(${aSlot(i)[1]}) % 4] = nextA${i};`)}
            ${each(loadsB, (i) => `tileB[(${bSlot(i)[0]}) * ${rowB} + (${bSlot(i)[1]}) / 4][(${bSlot(i)[1]}) % 4] = nextB${i};`)}
            workgroupBarrier();
          }
          if (tile < uniforms.gemmKSteps) {
            let k0 = kBegin + tile * ${bk};
            ${each(loadsA, (i) => `
            {
              let k = k0 + ${aSlot(i)[0]};
              nextA${i} = 0.0;
              if (inA${i} && k < kEnd) {
                nextA${i} = gemmLoadA(rowA${i}, k);
              }
            }`)}
            ${each(loadsB, (i) => `
            {
              let k = k0 + ${bSlot(i)[0]};
              nextB${i} = 0.0;
              if (inB${i} && k < kEnd) {
                nextB${i} = gemmLoadB(colB${i}, k);
              }
            }`)}
          }
          if (tile > 0) {
            for (var kk = 0; kk < ${bk}; kk++) {
              ${each(rowVecs, (i) => `let a${i} = tileA[kk * ${rowA} + ty + ${i * strideRows}];`)}
              ${each(colVecs, (j) => `let b${j} = tileB[kk * ${rowB} + tx + ${j * strideCols}];`)}
              ${each(rowVecs * 4 * colVecs, (x) => {
                const [ri, j] = [Math.floor(x / colVecs), x % colVecs];
                return `acc${ri}_${j} += a${Math.floor(ri / 4)}.${'xyzw'[ri % 4]} * b${j};`;
              })}
            }
            workgroupBarrier();
          }
        }
        ${epilogue}
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
      ${this.operands.helpers ?? ''}
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
