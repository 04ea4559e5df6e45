import * as tf from '@tensorflow/tfjs-core';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { heapIndex, type WasmHeapBackend } from './wasm-kernel-calls.ts';

/**
 * `Transpose` for the wasm backend as one pass of JavaScript over the wasm heap, in cache-sized tiles. The package's
 * kernel walks the output in order and gathers from the input with the input's strides. Kernel times here (medians
 * of 12 interleaved calls, both single-threaded): 4096x4096 129 ms against 55, [3, 3, 512, 512] by [0, 1, 3, 2] (the
 * filter of a transposed convolution) 7.7 against 3.9, [4, 64, 64, 64] by [3, 1, 2, 0] (a filter gradient's input)
 * 6.9 against 2.6. Training transposes in every dense layer's and convolution's gradient, and the matrix products
 * take it to avoid XNNPACK's repacking of new weights (wasm-training-kernels.ts).
 *
 * Elements are copied as 32-bit words, so float32 (NaN payloads included) and int32 are exact; other dtypes (bool's
 * bytes), small tensors and transposes that keep the last axis in place go to the package's kernel.
 */
export function tiledTranspose(stock: KernelFunc): KernelFunc {
  return (args) => {
    const { x } = args.inputs;
    const { perm } = args.attrs as unknown as { perm: number[] };
    const reduced = mergedAxes(x!.shape, perm);
    const rank = reduced.perm.length;
    const lastMoves = rank >= 2 && reduced.perm[rank - 1] !== rank - 1;
    const words = x!.dtype === 'float32' || x!.dtype === 'int32';
    if (!words || !lastMoves || tf.util.sizeFromShape(x!.shape) < minimumElements) return stock(args);
    return transposeOnHeap(args.backend as unknown as WasmHeapBackend, x!, perm);
  };
}

// Below this the package's kernel is as fast (both take microseconds); it also copies whole runs when the last axis
// stays in place (0.4-0.9 ms against 1.3-1.4 for a JavaScript copy of each run, on [4, 64, 64, 64] and
// [512, 3, 3, 512] by [1, 2, 0, 3]), so only transposes that move the last axis come here.
const minimumElements = 1 << 14;

/** x (float32 or int32) transposed by `perm` into a new wasm tensor; any permutation. */
export function transposeOnHeap(backend: WasmHeapBackend, x: TensorInfo, perm: readonly number[]): TensorInfo {
  if (perm.length !== x.shape.length) throw new Error(`Transpose: perm [${perm.join(', ')}] does not match the rank of shape [${x.shape.join(', ')}]`);
  const out = backend.makeOutput(
    perm.map((axis) => x.shape[axis]!),
    x.dtype,
  );
  const size = tf.util.sizeFromShape(x.shape);
  if (size === 0) return out;
  // Views only after makeOutput: its allocation may grow the wasm memory, which detaches older views.
  const heap = backend.wasm.HEAP32;
  const view = (info: TensorInfo) => heap.subarray(heapIndex(backend, info), heapIndex(backend, info) + size);
  const reduced = mergedAxes(x.shape, perm);
  copyTransposed(view(x), view(out), reduced.shape, reduced.perm);
  return out;
}

/**
 * The same transpose on fewer axes: axes of length 1 dropped, and input axes that stay next to each other in the
 * output merged into one ([B, H, W, C] by [1, 2, 0, 3] is [B, HW, C] by [1, 0, 2]).
 */
export function mergedAxes(shape: readonly number[], perm: readonly number[]): { shape: number[]; perm: number[] } {
  const kept = perm.filter((axis) => shape[axis] !== 1);
  const inputOrder = [...kept].sort((a, b) => a - b);
  const position = new Map(inputOrder.map((axis, index) => [axis, index]));
  // Runs of consecutive input axes, in output order.
  const groups: number[][] = [];
  for (const axis of kept) {
    const last = groups[groups.length - 1];
    if (last !== undefined && position.get(last[last.length - 1]!)! + 1 === position.get(axis)!) last.push(axis);
    else groups.push([axis]);
  }
  const byInput = [...groups].sort((a, b) => a[0]! - b[0]!);
  return {
    shape: byInput.map((group) => group.reduce((n, axis) => n * shape[axis]!, 1)),
    perm: groups.map((group) => byInput.indexOf(group)),
  };
}

/** Row-major strides of a shape. */
function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let stride = 1;
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    strides[axis] = stride;
    stride *= shape[axis]!;
  }
  return strides;
}

/**
 * Writes `source` (row-major, `shape`) transposed by `perm` into `target`. When the last axis stays last, whole runs
 * along it are copied; otherwise every 2-D slice across the input's last axis (contiguous in the source) and the
 * output's last axis (contiguous in the target) is transposed in tiles, one slice per index of the other axes.
 */
function copyTransposed(source: Int32Array, target: Int32Array, shape: readonly number[], perm: readonly number[]): void {
  const rank = shape.length;
  if (rank <= 1) {
    target.set(source);
    return;
  }
  const inStrides = stridesOf(shape);
  const outStridesByOutput = stridesOf(perm.map((axis) => shape[axis]!));
  const outStrides = new Array<number>(rank);
  perm.forEach((axis, position) => (outStrides[axis] = outStridesByOutput[position]!));
  const last = rank - 1;
  if (perm[last] === last) {
    const run = shape[last]!;
    forEachIndex(shape.slice(0, last), inStrides.slice(0, last), outStrides.slice(0, last), (from, to) => target.set(source.subarray(from, from + run), to));
    return;
  }
  const rowsAxis = perm[last]!; // contiguous in the output
  const others = shape.map((_, axis) => axis).filter((axis) => axis !== rowsAxis && axis !== last);
  const rows = shape[rowsAxis]!;
  const rowStride = inStrides[rowsAxis]!;
  const columns = shape[last]!;
  const columnStride = outStrides[last]!;
  forEachIndex(
    others.map((axis) => shape[axis]!),
    others.map((axis) => inStrides[axis]!),
    others.map((axis) => outStrides[axis]!),
    (from, to) => transposeSlice(source, from, rowStride, target, to, columnStride, rows, columns),
  );
}

/** Calls `visit` with the source and target offsets of every index of the given axes (row-major order). */
function forEachIndex(
  lengths: readonly number[],
  inStrides: readonly number[],
  outStrides: readonly number[],
  visit: (from: number, to: number) => void,
): void {
  const count = lengths.reduce((n, length) => n * length, 1);
  const index = new Array<number>(lengths.length).fill(0);
  let from = 0;
  let to = 0;
  for (let step = 0; step < count; step++) {
    visit(from, to);
    for (let axis = lengths.length - 1; axis >= 0; axis--) {
      from += inStrides[axis]!;
      to += outStrides[axis]!;
      if (++index[axis]! < lengths[axis]!) break;
      from -= lengths[axis]! * inStrides[axis]!;
      to -= lengths[axis]! * outStrides[axis]!;
      index[axis] = 0;
    }
  }
}

// 64x64 tiles, 4 source rows at a time: 2.3 ns an element on 4096x4096 here against 3.9 for 32x32 tiles one row at
// a time (the power-of-two row stride makes each tile's rows collide in the cache).
const tile = 64;

/** target[to + c·columnStride + r] = source[from + r·rowStride + c] for r < rows, c < columns. */
function transposeSlice(
  source: Int32Array,
  from: number,
  rowStride: number,
  target: Int32Array,
  to: number,
  columnStride: number,
  rows: number,
  columns: number,
): void {
  for (let r0 = 0; r0 < rows; r0 += tile) {
    const r1 = Math.min(rows, r0 + tile);
    for (let c0 = 0; c0 < columns; c0 += tile) {
      const c1 = Math.min(columns, c0 + tile);
      let r = r0;
      for (; r + 4 <= r1; r += 4) {
        let s = from + r * rowStride + c0;
        let t = to + c0 * columnStride + r;
        for (let c = c0; c < c1; c++, s++, t += columnStride) {
          target[t] = source[s]!;
          target[t + 1] = source[s + rowStride]!;
          target[t + 2] = source[s + 2 * rowStride]!;
          target[t + 3] = source[s + 3 * rowStride]!;
        }
      }
      for (; r < r1; r++) {
        let s = from + r * rowStride + c0;
        let t = to + c0 * columnStride + r;
        for (let c = c0; c < c1; c++, s++, t += columnStride) target[t] = source[s]!;
      }
    }
  }
}
