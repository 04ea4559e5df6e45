import * as tf from '@tensorflow/tfjs-core';
import type { KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import { KernelScope } from './wasm-kernel-calls.ts';

/**
 * Reductions (Sum, Mean, Max, Min, Prod, All, Any) of the wasm backend over axes that are not the innermost. The
 * package moves the reduced axes last with its own transpose, which for rank 5 is a generic strided gather: summing
 * [4, 32, 32, 32, 8] over its first four axes (a 3D convolution's bias gradient) took 57 ns an element, 440 ms of a
 * 32³ U-Net's training step. Here adjacent axes that are both reduced or both kept merge first (that sum becomes
 * [131072, 8] over axis 0), the registered Transpose (wasm-transpose.ts: cache-sized tiles) moves the reduced axes
 * last, and the package's kernel reduces the innermost axes, where it needs no transpose. Reductions over the
 * innermost axes already go straight to the package. Same values as the package's path: the same elements reduced in
 * the same order (wasm-reductions.test.ts checks against cpu).
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

export function innermostReduction(kernelName: string, axisAttr: 'axis' | 'reductionIndices', stock: KernelFunc | undefined): KernelFunc {
  if (stock === undefined) throw new Error(`wasm kernel ${kernelName} is not registered (is @tensorflow/tfjs-backend-wasm loaded?)`);
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
