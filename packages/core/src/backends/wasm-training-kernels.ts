import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { conv2DBackpropFilter, conv2DBackpropInput, lastTwoSwapped } from './wasm-conv-gradients.ts';
import { KernelScope } from './wasm-kernel-calls.ts';
import { conv3DBackpropFilterBySlabs, conv3DBySlabs } from './wasm-conv3d.ts';
import { conv3DBackpropInputAsConv } from './wasm-kernel-fixes.ts';
import { maxPool3DBySlabs, maxPool3DGradOnHeap } from './wasm-max-pool-3d.ts';
import { tiledMaxPoolGrad } from './wasm-max-pool-grad.ts';
import { innermostReduction, reductionKernels } from './wasm-reductions.ts';
import { blockResizeNearestGrad } from './wasm-resize-nearest-grad.ts';
import { heapConcat, heapSlice, heapSplitV } from './wasm-slice.ts';
import { heapTile } from './wasm-tile.ts';
import { tiledTranspose } from './wasm-transpose.ts';

/**
 * Training kernels for the `wasm` backend of @tensorflow/tfjs-backend-wasm 4.22, registered over (or beside) the
 * package's own:
 *
 * - `Conv2DBackpropFilter`: missing from the package (without it every conv2d's filter gradient fails with "Kernel
 *   'Conv2DBackpropFilter' not registered for backend 'wasm'").
 * - `Conv2DBackpropInput`: the package's is a plain loop, about 10x slower than the forward convolution.
 * - `BatchMatMul` and `_FusedMatMul` with `transposeA` or `transposeB`: the package multiplies transposed operands
 *   with a slow loop (2.3 GFLOP/s against 32 untransposed, measured here), and every dense layer's gradients ask for
 *   one of them; copying into the untransposed form first (the flagged operands, or the others and the result of
 *   the product taken the other way round, whichever is fewer elements) and multiplying untransposed is 4-10x faster.
 * - `MaxPoolGrad` of poolings whose windows tile the input (2x2 stride 2): one JavaScript pass over the wasm heap,
 *   about 10x the package's loop (wasm-max-pool-grad.ts); other poolings keep the package's kernel.
 * - `Transpose` of float32 and int32 tensors whose last axis moves, in cache-sized tiles (wasm-transpose.ts).
 * - `Identity` (what `tf.clone` and the gradient tape's saved tensors run) as a second reference to the same data,
 *   as the cpu and webgl backends do: the package copies, 40 ms a VGG16 step at 64x64 and the tape's memory twice.
 * - `Conv3DBackpropInputV2`, which gives wrong results in the package (wasm-kernel-fixes.ts).
 * - `Conv3D` and `Conv3DBackpropFilterV2`: the package's are plain loops (0.6 GFLOP/s); here sums of 2-D convolutions
 *   over depth slabs (wasm-conv3d.ts), 20-40x faster on a 3D U-Net's layers.
 * - `MaxPool3D` and `MaxPool3DGrad`, wrong in the package for windows whose values are all ≤ 0 (wasm-max-pool-3d.ts).
 * - `Slice`, `SplitV` and `Concat`: runs copied on the heap; the package slices rank 5 and up element by element
 *   (wasm-slice.ts).
 * - `ResizeNearestNeighborGrad` of whole-factor resizes (UpSampling2D) as an average pooling (wasm-resize-nearest-grad.ts).
 * - `Tile` as block copies on the heap: the package's takes ~50 ns an element, most of a batch-norm step (wasm-tile.ts).
 * - `Sum`, `Mean`, `Max`, `Min`, `Prod`, `All`, `Any` over axes that are not innermost: merged axes and the tiled
 *   transpose before the package's kernel, instead of its generic rank-5 transpose (wasm-reductions.ts).
 *
 * The two conv gradients are written in terms of the package's fast kernels (see wasm-conv-gradients.ts). All match
 * the cpu backend to 1e-4 (wasm-training-kernels.test.ts). Call once after the wasm backend module is imported,
 * before or after the backend starts; calling again changes nothing.
 */
export function registerWasmTrainingKernels(): readonly string[] {
  const registered: string[] = [];
  for (const [kernelName, make] of overrides) {
    const current = tf.getKernel(kernelName, 'wasm');
    if (current !== undefined && ours.has(current.kernelFunc)) continue;
    const kernelFunc = make(current?.kernelFunc);
    ours.add(kernelFunc);
    if (current !== undefined) tf.unregisterKernel(kernelName, 'wasm');
    tf.registerKernel({
      kernelName,
      backendName: 'wasm',
      kernelFunc,
      // The package's kernels bind their wasm exports in setupFunc when the backend starts: keep it.
      ...(current?.setupFunc ? { setupFunc: current.setupFunc } : {}),
      ...(current?.disposeFunc ? { disposeFunc: current.disposeFunc } : {}),
    } satisfies KernelConfig);
    registered.push(kernelName);
  }
  return registered;
}

const ours = new WeakSet<KernelFunc>();

/**
 * The matrix product through the package's fast untransposed kernel, moving as few elements as it can: either the
 * flagged operands are transposed in memory (C = op(A)·op(B)), or the product is taken the other way round and its
 * result transposed (Cᵀ = op(B)ᵀ·op(A)ᵀ, where a flagged operand needs no copy). A dense layer's input gradient
 * dy·Wᵀ at batch 4 with a 4096x4096 W copies W (16 M floats) the first way and dy and dx (16 K each) the second.
 * The second way is only taken without a bias or a prelu (their broadcasts follow C's last axis).
 *
 * Unflagged products go the second way too when B is new to the kernel and big beside A and C: the package's kernel
 * keeps XNNPACK's packed copy of B for as long as B lives, but packing it costs ~10 ns an element (x·W with a new
 * 4096x4096 W: 178 ms against 15 with W packed before), and a training step's weights are new tensors every step.
 * Transposing W (~3.3 ns an element, wasm-transpose.ts) and packing the small A instead is cheaper. A B seen before
 * (inference, evaluation batches) is handed to the package's kernel from its second product on, so it is packed once
 * and reused.
 */
function untransposedMatMul(stock: KernelFunc): KernelFunc {
  // Data of the B operands the package's kernel has packed, and of those seen once (kept weakly: tfjs drops them).
  const packed = new WeakSet<object>();
  const seen = new WeakSet<object>();
  return (args) => {
    const attrs = args.attrs as unknown as { transposeA: boolean; transposeB: boolean };
    const { a, b, bias, preluActivationWeights } = args.inputs;
    const size = (info: TensorInfo) => tf.util.sizeFromShape(info.shape);
    const outRows = a!.shape[a!.shape.length - (attrs.transposeA ? 1 : 2)]!;
    const outColumns = b!.shape[b!.shape.length - (attrs.transposeB ? 2 : 1)]!;
    const batchOf = (info: TensorInfo) => tf.util.sizeFromShape(info.shape.slice(0, -2));
    const batch = Math.max(batchOf(a!), batchOf(b!));
    const fused = bias !== undefined || preluActivationWeights !== undefined;
    let swap: boolean;
    if (!attrs.transposeA && !attrs.transposeB) {
      // Cost in element copies at the measured rates: packing B (10 an element) against transposing B and C (3.3)
      // and transposing and packing A (13.3).
      const newBigWeights = !packed.has(b!.dataId) && !seen.has(b!.dataId) && 4 * size(a!) + outRows * outColumns < 2 * size(b!);
      swap = !fused && batch === 1 && newBigWeights;
      if (!swap) {
        // Batch-1 products are XNNPACK's: B is packed now and stays packed (by bias and activation) while it lives.
        if (batch === 1) packed.add(b!.dataId);
        return stock(args);
      }
      seen.add(b!.dataId);
    } else {
      const copiedAsAsked = (attrs.transposeA ? size(a!) : 0) + (attrs.transposeB ? size(b!) : 0);
      const copiedSwapped = (attrs.transposeA ? 0 : size(a!)) + (attrs.transposeB ? 0 : size(b!)) + batch * outRows * outColumns;
      swap = !fused && copiedSwapped < copiedAsAsked;
    }
    const scope = new KernelScope(args.backend);
    try {
      const flip = (info: TensorInfo) => scope.run('Transpose', { x: info }, { perm: lastTwoSwapped(info.shape.length) });
      const untransposed = { ...args.attrs, transposeA: false, transposeB: false };
      if (!swap) {
        const left = attrs.transposeA ? flip(a!) : a!;
        const right = attrs.transposeB ? flip(b!) : b!;
        return stock({ ...args, inputs: { ...args.inputs, a: left, b: right }, attrs: untransposed });
      }
      const left = attrs.transposeB ? b! : flip(b!);
      const right = attrs.transposeA ? a! : flip(a!);
      const swapped = scope.keepResult(stock({ ...args, inputs: { ...args.inputs, a: left, b: right }, attrs: untransposed }) as TensorInfo);
      return scope.detach(flip(swapped));
    } finally {
      scope.dispose();
    }
  };
}

/**
 * Identity as another reference to x's data (tfjs never writes into a tensor's data after creating it, so sharing it
 * is safe; the cpu and webgl backends do the same). Strings keep the package's kernel.
 */
function sharedIdentity(stock: KernelFunc): KernelFunc {
  return (args) => {
    const { x } = args.inputs;
    if (x!.dtype === 'string') return stock(args);
    (args.backend as unknown as { incRef(dataId: object): void }).incRef(x!.dataId);
    return { dataId: x!.dataId, shape: [...x!.shape], dtype: x!.dtype };
  };
}

/** Kernels computed here for every input: the package's is missing, wrong or a plain loop. */
const replacements: ReadonlyArray<readonly [string, KernelFunc]> = [
  [tf.Conv2DBackpropFilter, conv2DBackpropFilter as unknown as KernelFunc],
  [tf.Conv2DBackpropInput, conv2DBackpropInput as unknown as KernelFunc],
  [tf.Conv3DBackpropInputV2, conv3DBackpropInputAsConv as unknown as KernelFunc],
  [tf.Conv3D, conv3DBySlabs as unknown as KernelFunc],
  [tf.Conv3DBackpropFilterV2, conv3DBackpropFilterBySlabs as unknown as KernelFunc],
  [tf.MaxPool3D, maxPool3DBySlabs as unknown as KernelFunc],
  [tf.MaxPool3DGrad, maxPool3DGradOnHeap as unknown as KernelFunc],
];

/** Kernels that take the inputs they are faster on and hand the rest to the package's own (`stock`). */
const wrappers: ReadonlyArray<readonly [string, (stock: KernelFunc) => KernelFunc]> = [
  [tf.MaxPoolGrad, tiledMaxPoolGrad],
  [tf.Transpose, tiledTranspose],
  [tf.Identity, sharedIdentity],
  [tf.Slice, heapSlice],
  [tf.SplitV, heapSplitV],
  [tf.Concat, heapConcat],
  [tf.ResizeNearestNeighborGrad, blockResizeNearestGrad],
  [tf.Tile, heapTile],
  ...reductionKernels.map(([name, axisAttr]) => [name, (stock: KernelFunc) => innermostReduction(name, axisAttr, stock)] as const),
  [tf.BatchMatMul, untransposedMatMul],
  [tf._FusedMatMul, untransposedMatMul],
];

/** Each kernel's maker, given the package's kernel of that name (undefined where it has none). */
const overrides: ReadonlyArray<readonly [string, (stock: KernelFunc | undefined) => KernelFunc]> = [
  ...replacements.map(([name, kernel]) => [name, () => kernel] as const),
  ...wrappers.map(
    ([name, wrap]) =>
      [
        name,
        (stock: KernelFunc | undefined) => {
          if (stock === undefined) throw new Error(`wasm kernel ${name} is not registered (is @tensorflow/tfjs-backend-wasm loaded?)`);
          return wrap(stock);
        },
      ] as const,
  ),
];
