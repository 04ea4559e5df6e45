import * as tf from '@tensorflow/tfjs-core';
import type { DataType, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { WebGPUBackend, WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import { describeAdapter } from './webgpu-runtime.ts';

/**
 * `Sum` for the webgpu backend of @tensorflow/tfjs-backend-webgpu 4.22 without a transpose and with enough
 * workgroups to fill a large GPU.
 *
 * The package's Sum transposes its input whenever the reduced axes are not the innermost ones (a full copy of the
 * tensor: every conv layer's bias gradient sums dy [N, H, W, C] over axes 0, 1, 2), then runs one workgroup per
 * output element, so a full sum to a scalar runs on a single workgroup whatever the input's size.
 *
 * Here the input is viewed as [A, R, B], the reduced axes being one contiguous block of R elements (bias gradients
 * [N·H·W, C] → [C], full sums, innermost and middle-axis sums), and R is split into chunks across workgroups:
 *
 * - B > 1, a column reduction: the threads of a workgroup that share a row read neighbouring b (coalesced), the
 *   workgroup's rows step through the chunk together, and the rows' partial sums are added in shared memory.
 * - B = 1, a row reduction: a workgroup of up to 256 threads strides through its chunk of one row; the threads' sums
 *   are added in shared memory.
 * - R ≤ 16 (class scores, a single-element axis, the identity of an empty axis list): one thread per output element.
 *
 * Each pass writes one partial sum per (a, chunk, b); while more than one chunk remains, the same program reduces
 * the partials ([A, chunks, B]) again: one large pass and one or two small ones. The number of chunks aims at about
 * 1024 workgroups a pass on a GPU and 64 on a software adapter (targetWorkgroups). float32 and int32 inputs (int32 sums
 * wrap like the cpu backend's); other dtypes and non-contiguous axis sets go to the package's kernel.
 */
export function contiguousSum(stock: KernelFunc | undefined): KernelFunc {
  return (args) => {
    const x = args.inputs.x!;
    const attrs = args.attrs as unknown as { axis: number | number[] | null; keepDims: boolean };
    const plan = planSum(x.shape, attrs.axis, x.dtype);
    if (plan === undefined) {
      if (stock === undefined) throw new Error('webgpu kernel Sum is not registered (is @tensorflow/tfjs-backend-webgpu loaded?)');
      return stock(args);
    }
    const backend = args.backend as unknown as WebGPUBackend;
    const outShape = attrs.keepDims ? plan.keptShape : plan.outShape;
    // The programs index x and their output flat; tfjs' Reshape on webgpu is likewise the same buffer under a new shape.
    const view = { dataId: x.dataId, shape: [plan.outer * plan.reduce * plan.inner], dtype: x.dtype };
    const flat = reduceView(backend, view, plan, targetWorkgroups((backend as unknown as { adapterInfo?: AdapterNames }).adapterInfo));
    return { dataId: flat.dataId, shape: outShape, dtype: flat.dtype };
  };
}

/** The [A, R, B] view of a sum, or undefined when this kernel does not handle it. */
export interface SumPlan {
  readonly outer: number;
  readonly reduce: number;
  readonly inner: number;
  readonly outShape: number[];
  readonly keptShape: number[];
}

export function planSum(shape: readonly number[], axis: number | number[] | null | undefined, dtype: DataType): SumPlan | undefined {
  if (dtype !== 'float32' && dtype !== 'int32') return undefined;
  if (shape.some((d) => d === 0)) return undefined;
  const axes = [...new Set(tf.util.parseAxisParam(axis ?? shape.map((_, i) => i), [...shape]))].sort((a, b) => a - b);
  const first = axes[0] ?? shape.length;
  if (axes.some((a, i) => a !== first + i)) return undefined;
  const end = first + axes.length;
  const product = (dims: readonly number[]) => dims.reduce((p, d) => p * d, 1);
  return {
    outer: product(shape.slice(0, first)),
    reduce: product(shape.slice(first, end)),
    inner: product(shape.slice(end)),
    outShape: shape.filter((_, i) => i < first || i >= end),
    keptShape: shape.map((d, i) => (i < first || i >= end ? d : 1)),
  };
}

/**
 * How many workgroups a pass aims for. On a GPU, about enough 256-thread workgroups to keep every SM of an H100 (132
 * SMs, 2048 resident threads each) busy: fewer leave SMs idle on a memory-bound pass, more only add partial sums. A
 * software adapter (SwiftShader) runs workgroups a few at a time on CPU threads and pays dearly for each one: there,
 * the bias-gradient sum of [8, 56, 56, 64] took 455 ms with 1024 workgroups and 61 ms with 64 (tfjs' kernel: 226 ms).
 */
export function targetWorkgroups(adapter: AdapterNames | undefined): number {
  return describeAdapter({}, adapter ?? {}).software ? 64 : 1024;
}

/** What the backend's `adapterInfo` holds (public at run time; private in the package's typings). */
export interface AdapterNames {
  vendor?: string;
  architecture?: string;
}

/** Each thread adds at least this many elements in a chunk, so that chunks are not too small to be worth a partial. */
const minElementsPerThread = 8;
const workgroupThreads = 256;

interface Pass {
  readonly outer: number;
  readonly reduce: number;
  readonly inner: number;
}

/** Sums `input` viewed as [outer, reduce, inner] down to a flat [outer·inner] tensor, in as many passes as needed. */
function reduceView(backend: WebGPUBackend, input: TensorInfo, pass: Pass, target: number): TensorInfo {
  const type = input.dtype === 'int32' ? 'i32' : 'f32';
  let current = input;
  let reduce = pass.reduce;
  for (;;) {
    const planned =
      reduce <= shortReduce
        ? threadPerOutputProgram(type, pass.outer, reduce, pass.inner)
        : pass.inner > 1
          ? columnProgram(type, pass.outer, reduce, pass.inner, target)
          : rowProgram(type, pass.outer, reduce, target);
    const next = backend.runWebGPUProgram(planned.program, [current], input.dtype, planned.uniforms.map((value) => ({ type: 'int32', data: [value] })));
    if (current !== input) backend.disposeData(current.dataId);
    current = next;
    if (planned.chunks === 1) return current;
    reduce = planned.chunks;
  }
}

interface PlannedProgram {
  readonly program: WebGPUProgram;
  readonly uniforms: number[];
  readonly chunks: number;
}

function nextPowerOfTwo(n: number): number {
  return 2 ** Math.ceil(Math.log2(Math.max(1, n)));
}

/** Splits `reduce` into chunks so that about `target` workgroups run, each thread adding at least a few elements. */
function chunking(reduce: number, workgroupsPerChunk: number, rowsPerStep: number, target: number): { chunkSize: number; chunks: number } {
  const wanted = Math.max(1, Math.ceil(target / workgroupsPerChunk));
  const chunkSize = Math.min(reduce, Math.max(rowsPerStep * minElementsPerThread, Math.ceil(reduce / wanted)));
  return { chunkSize, chunks: Math.ceil(reduce / chunkSize) };
}

// outerSize, reduceSize, innerSize: the [A, R, B] view; chunkSize, numChunks: R's split; numBlocks: workgroups
// across B; numGroups: workgroups in all.
const uniforms = 'outerSize : i32, reduceSize : i32, innerSize : i32, chunkSize : i32, numChunks : i32, numBlocks : i32, numGroups : i32,';

/**
 * The workgroup's index. When tfjs folds a dispatch of more than 65535 workgroups into two or three dimensions
 * (reshapeDispatch), the extra workgroups are not live; they still reach every barrier (WGSL counts the builtins that
 * tfjs copies into private variables as non-uniform, so they cannot return early).
 */
const workgroupIndexSnippet = `
  let groupIndex = i32((workgroupId.z * numWorkgroups.y + workgroupId.y) * numWorkgroups.x + workgroupId.x);
  let live = groupIndex < uniforms.numGroups;`;

function program(shaderKey: string, outputSize: number, workgroupSize: [number, number, number], groups: number, code: string): WebGPUProgram {
  return {
    shaderKey,
    variableNames: ['x'],
    outputShape: [outputSize],
    dispatchLayout: { x: [0] },
    dispatch: [groups, 1, 1],
    workgroupSize,
    uniforms,
    getUserCode: () => code,
  };
}

/**
 * Adds the `count` partial sums that a workgroup left in shared memory (`slot(k)`, k < count, a power of two) and
 * hands the total to `finish` on the lane 0 thread. Two levels (16 threads each add count / 16 slots, then one thread
 * adds those 16) rather than a halving tree: two barriers instead of log2(count), which a GPU hardly notices (a
 * few dozen shared-memory reads) and which SwiftShader, which runs each barrier as a switch between coroutines,
 * does.
 */
function combineSnippet(type: 'f32' | 'i32', count: number, slot: (k: string) => string, lane: string, finish: (total: string) => string): string {
  const firstLevel =
    count <= 16
      ? ''
      : `
      workgroupBarrier();
      if (${lane} < 16) {
        var part = ${slot(lane)};
        for (var k = ${lane} + 16; k < ${count}; k = k + 16) {
          part = part + ${slot('k')};
        }
        ${slot(lane)} = part;
      }`;
  const width = Math.min(count, 16);
  return `${firstLevel}
      workgroupBarrier();
      if (${lane} == 0) {
        var total = ${type}(0);
        for (var k = 0; k < ${width}; k = k + 1) {
          total = total + ${slot('k')};
        }
        ${finish('total')}
      }`;
}

/**
 * [A, R, B] → [A, chunks, B]. A workgroup is blockX × blockY threads (256 unless R is short): blockX neighbouring b
 * (up to 64, so a warp reads 128 contiguous bytes of a row) by blockY rows. For small B, blockX shrinks to B's power
 * of two and blockY grows, so that each step of the workgroup still reads one contiguous span of memory.
 */
function columnProgram(type: 'f32' | 'i32', outer: number, reduce: number, inner: number, target: number): PlannedProgram {
  const blockX = Math.min(64, nextPowerOfTwo(inner));
  // Short columns get fewer rows (and a smaller workgroup) rather than rows with nothing to add.
  const blockY = Math.min(workgroupThreads / blockX, Math.max(2, nextPowerOfTwo(Math.ceil(reduce / minElementsPerThread))));
  const blocks = Math.ceil(inner / blockX);
  const { chunkSize, chunks } = chunking(reduce, outer * blocks, blockY, target);
  const groups = outer * chunks * blocks;
  const code = `
    var<workgroup> partials : array<${type}, ${blockX * blockY}>;

    fn main(index : i32) {
      ${workgroupIndexSnippet}
      let blockIndex = groupIndex % uniforms.numBlocks;
      let chunkIndex = groupIndex / uniforms.numBlocks;  // a * numChunks + chunk
      let a = chunkIndex / uniforms.numChunks;
      let chunk = chunkIndex - a * uniforms.numChunks;
      let lx = i32(localId.x);
      let ly = i32(localId.y);
      let b = blockIndex * ${blockX} + lx;
      let start = chunk * uniforms.chunkSize;
      let end = min(start + uniforms.chunkSize, uniforms.reduceSize);
      var sum = ${type}(0);
      if (live && b < uniforms.innerSize) {
        let rowStep = ${blockY} * uniforms.innerSize;
        var at = (a * uniforms.reduceSize + start + ly) * uniforms.innerSize + b;
        for (var r = start + ly; r < end; r = r + ${blockY}) {
          sum = sum + x[at];
          at = at + rowStep;
        }
      }
      partials[ly * ${blockX} + lx] = sum;
      ${combineSnippet(type, blockY, (k) => `partials[(${k}) * ${blockX} + lx]`, 'ly', (total) => `
        if (live && b < uniforms.innerSize) {
          result[chunkIndex * uniforms.innerSize + b] = ${total};
        }`)}
    }`;
  return {
    chunks,
    uniforms: [outer, reduce, inner, chunkSize, chunks, blocks, groups],
    program: program(`tessera_sum_column_${type}_${blockX}x${blockY}`, outer * chunks * inner, [blockX, blockY, 1], groups, code),
  };
}

/**
 * [A, R] → [A, chunks]: a workgroup of up to 256 threads strides through its chunk of a row (neighbouring threads read
 * neighbouring elements), then adds the threads' sums in shared memory. Short rows get smaller workgroups (down to a
 * warp) instead of idle threads.
 */
function rowProgram(type: 'f32' | 'i32', outer: number, reduce: number, target: number): PlannedProgram {
  const threads = Math.min(workgroupThreads, Math.max(32, nextPowerOfTwo(reduce)));
  const { chunkSize, chunks } = chunking(reduce, outer, threads, target);
  const groups = outer * chunks;
  const code = `
    var<workgroup> partials : array<${type}, ${threads}>;

    fn main(index : i32) {
      ${workgroupIndexSnippet}
      let a = groupIndex / uniforms.numChunks;
      let chunk = groupIndex - a * uniforms.numChunks;
      let lx = i32(localId.x);
      let start = chunk * uniforms.chunkSize;
      let end = min(start + uniforms.chunkSize, uniforms.reduceSize);
      let row = a * uniforms.reduceSize;
      var sum = ${type}(0);
      if (live) {
        for (var r = start + lx; r < end; r = r + ${threads}) {
          sum = sum + x[row + r];
        }
      }
      partials[lx] = sum;
      ${combineSnippet(type, threads, (k) => `partials[${k}]`, 'lx', (total) => `
        if (live) {
          result[groupIndex] = ${total};
        }`)}
    }`;
  return {
    chunks,
    uniforms: [outer, reduce, 1, chunkSize, chunks, 1, groups],
    program: program(`tessera_sum_row_${type}_${threads}`, groups, [threads, 1, 1], groups, code),
  };
}

/**
 * Reductions of up to this many elements per output are summed by one thread each, rather than by a workgroup most of
 * whose threads would idle (class scores, small axes, the identity of an empty axis list).
 */
const shortReduce = 16;

/**
 * [A, R, B] → [A, B] for short R: one thread per output element. Neighbouring threads read neighbouring b (or, for
 * B = 1, neighbouring rows), so each step of a warp covers one contiguous span.
 */
function threadPerOutputProgram(type: 'f32' | 'i32', outer: number, reduce: number, inner: number): PlannedProgram {
  const outputs = outer * inner;
  const groups = Math.ceil(outputs / workgroupThreads);
  const code = `
    fn main(index : i32) {
      ${workgroupIndexSnippet}
      let t = groupIndex * ${workgroupThreads} + i32(localIndex);
      if (live && t < uniforms.outerSize * uniforms.innerSize) {
        let a = t / uniforms.innerSize;
        let b = t - a * uniforms.innerSize;
        var at = a * uniforms.reduceSize * uniforms.innerSize + b;
        var sum = ${type}(0);
        for (var r = 0; r < uniforms.reduceSize; r = r + 1) {
          sum = sum + x[at];
          at = at + uniforms.innerSize;
        }
        result[t] = sum;
      }
    }`;
  return {
    chunks: 1,
    uniforms: [outer, reduce, inner, reduce, 1, 1, groups],
    program: program(`tessera_sum_thread_per_output_${type}`, outputs, [workgroupThreads, 1, 1], groups, code),
  };
}
