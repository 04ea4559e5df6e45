import * as tf from '@tensorflow/tfjs-core';
import type { KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import { heapIndex, KernelScope, type WasmHeapBackend } from './wasm-kernel-calls.ts';

/**
 * Reductions (Sum, Mean, Max, Min, Prod, All, Any) of the wasm backend over axes that are not the innermost. The
 * package moves the reduced axes last with its own transpose, which for rank 5 is a generic strided gather: summing
 * [4, 32, 32, 32, 8] over its first four axes (a 3D convolution's bias gradient) took 57 ns an element, 440 ms of a
 * 32³ U-Net's training step. Here adjacent axes that are both reduced or both kept merge first (that sum becomes
 * [131072, 8] over axis 0), the registered Transpose (wasm-transpose.ts: cache-sized tiles) moves the reduced axes
 * last, and the package's kernel reduces the innermost axes, where it needs no transpose. Reductions over the
 * innermost axes already go straight to the package. Same values as the package's path: the same elements reduced in
 * the same order (wasm-reductions.test.ts checks against cpu). Float32 sums and means over leading axes only (the
 * columns of a [rows, columns] view) go through the package's average pooling instead ({@link columnSums}).
 */

/** The reduction kernels wrapped, with the attribute that names their axes. */
export const reductionKernels: ReadonlyArray<readonly [string, 'axis' | 'reductionIndices']> = [
  [tf.Sum, 'axis'],
  [tf.Mean, 'axis'],
  [tf.Max, 'reductionIndices'],
  [tf.Min, 'axis'],
  [tf.Prod, 'axis'],
  [tf.All, 'axis'],
  [tf.Any, 'axis'],
];

/** x's shape with runs of adjacent reduced (or kept) axes merged into one, and which merged axes are reduced. */
export function mergeReductionAxes(shape: readonly number[], axes: readonly number[]): { shape: number[]; reduced: boolean[] } {
  const merged = { shape: [] as number[], reduced: [] as boolean[] };
  shape.forEach((length, axis) => {
    const reduced = axes.includes(axis);
    const last = merged.reduced.length - 1;
    if (last >= 0 && merged.reduced[last] === reduced) {
      merged.shape[last]! *= length;
    } else {
      merged.shape.push(length);
      merged.reduced.push(reduced);
    }
  });
  return merged;
}

export function innermostReduction(kernelName: string, axisAttr: 'axis' | 'reductionIndices', stock: KernelFunc): KernelFunc {
  return (args) => {
    const x = args.inputs.x!;
    const attrs = args.attrs as unknown as Record<string, unknown> & { keepDims: boolean };
    const axes = tf.util.parseAxisParam(attrs[axisAttr] as number | number[], x.shape);
    if (x.dtype === 'string' || tf.backend_util.getAxesPermutation(axes, x.shape.length) === null) return stock(args);
    const merged = mergeReductionAxes(x.shape, axes);
    const kept = merged.reduced.flatMap((reduced, axis) => (reduced ? [] : [axis]));
    const reduced = merged.reduced.flatMap((isReduced, axis) => (isReduced ? [axis] : []));
    const [outShape] = tf.backend_util.computeOutAndReduceShapes(x.shape, axes);
    const finalShape = attrs.keepDims ? tf.backend_util.expandShapeToKeepDim(outShape, axes) : outShape;
    if ((kernelName === tf.Sum || kernelName === tf.Mean) && x.dtype === 'float32' && merged.reduced.join() === 'true,false') {
      return columnSums(args.backend as WasmHeapBackend, x, merged.shape as [number, number], finalShape, kernelName === tf.Mean);
    }
    const scope = new KernelScope(args.backend);
    try {
      const flat = scope.run('Reshape', { x }, { shape: merged.shape });
      const moved = scope.run('Transpose', { x: flat }, { perm: [...kept, ...reduced] });
      scope.release(flat);
      const innermost = reduced.map((_, i) => kept.length + i);
      const result = scope.keepResult(
        stock({ ...args, inputs: { x: moved }, attrs: { ...attrs, [axisAttr]: innermost, keepDims: false } as unknown as NamedAttrMap }) as TensorInfo,
      );
      scope.release(moved);
      return scope.detach(scope.run('Reshape', { x: result }, { shape: finalShape }));
    } finally {
      scope.dispose();
    }
  };
}

/**
 * Sums (or means) of x as [rows, columns] over its rows: a batch norm's statistics and gradients and every bias
 * gradient reduce [B, H, W, C] over all but C this way. Blocks of 256 rows are averaged by the package's XNNPACK
 * average pooling (on the thread pool, channels vectorised), the block means and any rows left over summed in float64:
 * 0.4 ms for [131072, 16] here, against 5 for the transpose and sum and 6 for a JavaScript pass over every element,
 * and as accurate as the package's sum (relative error 4e-8 against a float64 sum, where one pooling window over all
 * rows gave 6e-6).
 */
function columnSums(backend: WasmHeapBackend, x: TensorInfo, [rows, columns]: [number, number], shape: number[], mean: boolean): TensorInfo {
  const sums = new Float64Array(columns);
  const blocks = Math.floor(rows / rowsPerBlock);
  let row = 0;
  if (blocks >= 2) {
    const scope = new KernelScope(backend);
    try {
      const column = scope.run('Reshape', { x }, { shape: [1, rows, 1, columns] });
      const means = scope.run('AvgPool', { x: column }, { filterSize: [rowsPerBlock, 1], strides: [rowsPerBlock, 1], pad: 'valid' });
      const heap = backend.wasm.HEAPF32;
      for (let block = 0, at = heapIndex(backend, means); block < blocks; block++, at += columns) {
        for (let c = 0; c < columns; c++) sums[c] = sums[c]! + heap[at + c]! * rowsPerBlock;
      }
    } finally {
      scope.dispose();
    }
    row = blocks * rowsPerBlock;
  }
  const out = backend.makeOutput(shape, 'float32');
  // Heap views only after makeOutput: its allocation may grow the wasm memory.
  const heap = backend.wasm.HEAPF32;
  for (let at = heapIndex(backend, x) + row * columns; row < rows; row++, at += columns) {
    for (let c = 0; c < columns; c++) sums[c] = sums[c]! + heap[at + c]!;
  }
  const to = heapIndex(backend, out);
  for (let c = 0; c < columns; c++) heap[to + c] = mean ? sums[c]! / rows : sums[c]!;
  return out;
}

const rowsPerBlock = 256;
