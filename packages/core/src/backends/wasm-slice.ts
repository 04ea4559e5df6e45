import * as tf from '@tensorflow/tfjs-core';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { heapElements, type WasmHeapBackend } from './wasm-kernel-calls.ts';

/**
 * `Slice` and `SplitV` for the wasm backend, copied on the heap in runs. The package copies a slice of rank 2-4 one
 * row at a time with `set(subarray)` (8 ns an element for rows of 8 floats: a 3D U-Net's channel splits) and any other
 * rank through tfjs' element-by-element CPU slice: 650 ns an element, 1.8 s of a 32³ U-Net's 3.4 s training step,
 * in the SplitV that is a skip connection's concatenation's gradient.
 *
 * Adjacent axes merge where the inner one is taken whole or the outer one has one index taken, so a slice is a few
 * nested runs (a channel split of [B, D, H, W, C] is B·D·H·W runs of C/2). Runs of 16 and more elements move with
 * `copyWithin` on the heap array, shorter ones element by element on 32-bit words (copyWithin's call costs more than
 * it moves there: 2.5 against 1.6 ns an element for runs of 8, 0.46 against 1.3 for runs of 64, measured here).
 * Values are copied as bits (32-bit words, bytes for bool), so NaN payloads survive. Strings and complex numbers keep
 * the package's kernels. Match the cpu backend exactly (wasm-slice.test.ts).
 */

/** A slice as begin and size per axis, with the axes merged as far as they go (outermost first). */
export interface MergedSlice {
  readonly shape: readonly number[];
  readonly begin: readonly number[];
  readonly size: readonly number[];
}

export function mergeSliceAxes(shape: readonly number[], begin: readonly number[], size: readonly number[]): MergedSlice {
  const merged = { shape: [] as number[], begin: [] as number[], size: [] as number[] };
  if (shape.length === 0) return { shape: [1], begin: [0], size: [1] };
  let length = shape[shape.length - 1]!;
  let start = begin[shape.length - 1]!;
  let taken = size[shape.length - 1]!;
  for (let axis = shape.length - 2; axis >= 0; axis--) {
    const whole = start === 0 && taken === length;
    if (whole || size[axis] === 1) {
      // Outer index i and inner run [start, start + taken) are the one run [i·length + start, …) of the merged axis.
      start += begin[axis]! * length;
      taken += (size[axis]! - 1) * length;
      length *= shape[axis]!;
    } else {
      merged.shape.unshift(length);
      merged.begin.unshift(start);
      merged.size.unshift(taken);
      length = shape[axis]!;
      start = begin[axis]!;
      taken = size[axis]!;
    }
  }
  merged.shape.unshift(length);
  merged.begin.unshift(start);
  merged.size.unshift(taken);
  return merged;
}

/** The slice of x given by begin and size (already parsed: one entry per axis), as a new tensor on the heap. */
export function sliceOnHeap(backend: WasmHeapBackend, x: TensorInfo, begin: readonly number[], size: readonly number[]): TensorInfo {
  const out = backend.makeOutput([...size], x.dtype);
  if (tf.util.sizeFromShape([...size]) === 0) return out;
  const { shape, begin: start, size: taken } = mergeSliceAxes(x.shape, begin, size);
  // Heap views only after makeOutput: its allocation may grow the wasm memory.
  const { heap, start: at } = heapElements(backend, x.dtype);
  copyRuns(heap, at(x), at(out), shape, start, taken);
  return out;
}

/**
 * Copies the runs of a merged slice from `from` to `to` (element indexes into `heap`), outermost axis first; the runs
 * land `targetStride` elements apart (by default one after another).
 */
function copyRuns(
  heap: Int32Array | Uint8Array,
  from: number,
  to: number,
  shape: readonly number[],
  begin: readonly number[],
  size: readonly number[],
  targetStride = size[size.length - 1]!,
): void {
  const rank = shape.length;
  const strides = new Array<number>(rank);
  strides[rank - 1] = 1;
  for (let axis = rank - 2; axis >= 0; axis--) strides[axis] = strides[axis + 1]! * shape[axis + 1]!;
  let source = from;
  for (let axis = 0; axis < rank; axis++) source += begin[axis]! * strides[axis]!;
  const run = size[rank - 1]!;
  const runs = tf.util.sizeFromShape([...size.slice(0, -1)]);
  const index = new Array<number>(rank).fill(0);
  const short = run < 16;
  for (let n = 0; n < runs; n++, to += targetStride) {
    if (short) {
      for (let k = 0; k < run; k++) heap[to + k] = heap[source + k]!;
    } else {
      heap.copyWithin(to, source, source + run);
    }
    // Next run: step the innermost outer axis, carrying outwards.
    for (let axis = rank - 2; axis >= 0; axis--) {
      source += strides[axis]!;
      if (++index[axis]! < size[axis]!) break;
      source -= size[axis]! * strides[axis]!;
      index[axis] = 0;
    }
  }
}

function copiesOnHeap(dtype: string): boolean {
  return dtype === 'float32' || dtype === 'int32' || dtype === 'bool';
}

export function heapSlice(stock: KernelFunc): KernelFunc {
  return (args) => {
    const x = args.inputs.x!;
    if (!copiesOnHeap(x.dtype)) return stock(args);
    const { begin, size } = args.attrs as unknown as { begin: number | number[]; size?: number | number[] };
    const [start, taken] = tf.slice_util.parseSliceParams(x, begin, size);
    return sliceOnHeap(args.backend as unknown as WasmHeapBackend, x, start!, taken!);
  };
}

export function heapSplitV(stock: KernelFunc): KernelFunc {
  return (args) => {
    const x = args.inputs.x!;
    if (!copiesOnHeap(x.dtype)) return stock(args);
    const { numOrSizeSplits, axis } = args.attrs as unknown as { numOrSizeSplits: number | number[]; axis: number | number[] };
    const along = tf.util.parseAxisParam(axis, x.shape)[0]!;
    const sizes = tf.backend_util.prepareSplitSize(x, numOrSizeSplits, along);
    const begin = new Array<number>(x.shape.length).fill(0);
    return sizes.map((length) => {
      const size = [...x.shape];
      size[along] = length;
      const piece = sliceOnHeap(args.backend as unknown as WasmHeapBackend, x, begin, size);
      begin[along] = begin[along]! + length;
      return piece;
    });
  };
}

/**
 * `Concat` on the heap, the inverse of a split: each output row (the axes before `axis`) is the inputs' rows side by
 * side, each moved as one run (element by element below 16 elements, as above). The package moves each with
 * `set(subarray)`, 5-9 ns an element for a U-Net skip connection's rows of 8-16 channels. Strings and a single
 * non-empty input keep the package's kernel.
 */
export function heapConcat(stock: KernelFunc): KernelFunc {
  return (args) => {
    const inputs = args.inputs as unknown as TensorInfo[];
    const dtype = inputs[0]?.dtype;
    const filled = inputs.filter((t) => tf.util.sizeFromShape(t.shape) > 0);
    if (dtype === undefined || !copiesOnHeap(dtype) || filled.length < 2 || inputs.some((t) => t.dtype !== dtype)) return stock(args);
    const { axis } = args.attrs as unknown as { axis: number | number[] };
    const along = tf.util.parseAxisParam(axis, inputs[0]!.shape)[0]!;
    tf.backend_util.assertParamsConsistent(
      inputs.map((t) => t.shape),
      along,
    );
    const backend = args.backend as unknown as WasmHeapBackend;
    const out = backend.makeOutput(tf.backend_util.computeOutShape(inputs.map((t) => t.shape), along), dtype);
    // Heap views only after makeOutput: its allocation may grow the wasm memory.
    const { heap, start } = heapElements(backend, dtype);
    const rows = tf.util.sizeFromShape(inputs[0]!.shape.slice(0, along));
    const widths = filled.map((t) => tf.util.sizeFromShape(t.shape.slice(along)));
    const rowWidth = widths.reduce((a, b) => a + b, 0);
    let column = start(out);
    filled.forEach((input, i) => {
      const width = widths[i]!;
      copyRuns(heap, start(input), column, [rows, width], [0, 0], [rows, width], rowWidth);
      column += width;
    });
    return out;
  };
}
