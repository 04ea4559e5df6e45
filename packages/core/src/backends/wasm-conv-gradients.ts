import * as tf from '@tensorflow/tfjs-core';
import type { NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import { filterGradientByConvolution, filterGradientByConvolutionPays } from './wasm-filter-gradient-convolution.ts';
import { filterGradientByProduct } from './wasm-filter-gradient-product.ts';
import { inputGradientByProduct, inputGradientByProductPays, inputGradientOfTiles, windowsTileInput } from './wasm-input-gradient-product.ts';
import { KernelScope, type WasmHeapBackend } from './wasm-kernel-calls.ts';

/**
 * Both gradients of a 2-D convolution for the wasm backend, in terms of the package's fast XNNPACK kernels (which
 * run on the backend's thread pool) instead of its plain loops:
 *
 * - filter gradient: one matrix product per chunk of images, Pᵀ·dy, with Pᵀ the input patches each filter tap saw
 *   (wasm-filter-gradient-product.ts); or, where the output channels are few beside the input channels (a 3D U-Net's
 *   depth slabs, a U-Net's narrowing layers), one convolution of x as C images of B channels with dy as the filter
 *   (wasm-filter-gradient-convolution.ts).
 * - input gradient: the transposed convolution, computed as a forward convolution of dy (spread by the stride,
 *   padded by filter − 1 − forward padding, the padding left to XNNPACK) with the filter flipped in space and its
 *   channels swapped; or, where the filter is big beside dy (deep layers at small sizes), one matrix product with
 *   the filter read in place and a scatter-add (wasm-input-gradient-product.ts).
 *
 * History of the filter gradient, one VGG16 layer at a time (.scratch timings, 2 threads): 9 matrix products over
 * strided copies of x (one thread); then one XNNPACK convolution taking x as C images of B channels and dy as the
 * filter, which gets 14-25 GFLOP/s at batch 4 (its channels are the batch); now the product, 10-45% faster than the
 * convolution at batch 2, 4, 16 and 32 on VGG16's layers (64x64x64 batch 4: 41 against 51 ms; 224x224x64 batch 2:
 * 196 against 346; timed on one dy reused, which spares the product XNNPACK's packing of dy: re-timed on a new dy
 * each call, 64x64x64 to 8x8x512 at batch 4 still 0.76-0.89 of the convolution's time), with the convolution kept for
 * the shapes where it is the faster (at most 32 output channels, no more than the input's: the 3D U-Net's slabs,
 * 1.5-2x). Both gradients match the cpu backend to 1e-4 (tested for odd shapes, strides, 'same'/'valid'/numeric/
 * explicit padding, NCHW, and with the work split into batch and channel chunks).
 */

interface ConvGradientAttrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}
interface KernelArgs {
  inputs: NamedTensorInfoMap;
  backend: unknown;
  attrs: NamedAttrMap;
}

/** How the filter gradient splits its work to bound transient memory. */
export interface FilterGradientLimits {
  /**
   * Floats of x one product reads at once: larger batches are split into chunks of whole images and the chunks'
   * gradients summed (VGG16 at 224x224 holds 3.2 M floats per image in block 1).
   */
  batchFloats: number;
  /**
   * Floats of Pᵀ (kh·kw floats per input float) one product reads: more channels are split into chunks and the
   * results joined (VGG16 block 1 at 224x224: 452 K per channel and image). The convolution form's indirection
   * buffer holds as many pointers per channel as Pᵀ holds floats per image: the same limit over images bounds it.
   */
  patchFloats: number;
}

const defaultFilterGradientLimits: FilterGradientLimits = { batchFloats: 1 << 24, patchFloats: 1 << 24 };

/**
 * The filter gradient kernel with the given chunk limits and choice of form (tests force small chunks and each form
 * with them; the default choice is {@link filterGradientByConvolutionPays}).
 */
export function makeConv2DBackpropFilter(
  limits: FilterGradientLimits,
  byConvolution: (info: tf.backend_util.Conv2DInfo) => boolean = filterGradientByConvolutionPays,
): (args: KernelArgs) => TensorInfo {
  return (args) => {
    const attrs = args.attrs as unknown as ConvGradientAttrs & { filterShape: [number, number, number, number] };
    const scope = new KernelScope(args.backend);
    try {
      let x = args.inputs.x!;
      let dy = args.inputs.dy!;
      if (attrs.dataFormat === 'NCHW') {
        x = scope.run('Transpose', { x }, { perm: [0, 2, 3, 1] });
        dy = scope.run('Transpose', { x: dy }, { perm: [0, 2, 3, 1] });
      }
      const [batch, height, width, inChannels] = x.shape as [number, number, number, number];
      const info = tf.backend_util.computeConv2DInfo([batch, height, width, inChannels], attrs.filterShape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
      const imagesPerChunk = Math.max(1, Math.floor(limits.batchFloats / (inChannels * height * width)));
      const convolution = byConvolution(info);
      // Pᵀ's floats per channel (all images), or the indirection buffer's pointers per channel (one per tap and pixel).
      const perChannel = info.filterHeight * info.filterWidth * info.outHeight * info.outWidth * (convolution ? 1 : Math.min(imagesPerChunk, batch));
      const channelsPerChunk = Math.max(1, Math.floor(limits.patchFloats / perChannel));
      let sum: TensorInfo | undefined;
      for (let start = 0; start < batch; start += imagesPerChunk) {
        const size = Math.min(imagesPerChunk, batch - start);
        const whole = size === batch;
        const xChunk = whole ? x : scope.run('Slice', { x }, { begin: [start, 0, 0, 0], size: [size, height, width, inChannels] });
        const dyChunk = whole ? dy : scope.run('Slice', { x: dy }, { begin: [start, 0, 0, 0], size: [size, ...dy.shape.slice(1)] });
        const part = (convolution ? filterGradientByConvolution : filterGradientByProduct)(scope, xChunk, dyChunk, info, channelsPerChunk);
        if (!whole) {
          scope.release(xChunk);
          scope.release(dyChunk);
        }
        sum = scope.fold('Add', sum, part);
      }
      return scope.detach(scope.run('Transpose', { x: sum! }, { perm: [1, 2, 0, 3] }));
    } finally {
      scope.dispose();
    }
  };
}

export const conv2DBackpropFilter = makeConv2DBackpropFilter(defaultFilterGradientLimits);

/**
 * The input gradient kernel; `byProduct` picks the form for a layer (tests force each form with it). By default a
 * product where the windows tile dx (no scatter-add needed: {@link windowsTileInput}) or where the cost model of
 * {@link inputGradientByProductPays} expects it to win.
 */
export function makeConv2DBackpropInput(
  byProduct: (info: tf.backend_util.Conv2DInfo) => boolean = (info) => windowsTileInput(info) || inputGradientByProductPays(info),
): (args: KernelArgs) => TensorInfo {
  return (args) => inputGradient(args, byProduct);
}

export const conv2DBackpropInput = makeConv2DBackpropInput();

function inputGradient(args: KernelArgs, byProduct: (info: tf.backend_util.Conv2DInfo) => boolean): TensorInfo {
  const attrs = args.attrs as unknown as ConvGradientAttrs & { inputShape: [number, number, number, number] };
  const filter = args.inputs.filter!;
  const scope = new KernelScope(args.backend);
  try {
    let dy = args.inputs.dy!;
    const nchw = attrs.dataFormat === 'NCHW';
    const [b, d1, d2, d3] = attrs.inputShape;
    const inputShape: [number, number, number, number] = nchw ? [b, d2, d3, d1] : [b, d1, d2, d3];
    if (nchw) dy = scope.run('Transpose', { x: dy }, { perm: [0, 2, 3, 1] });
    const [filterHeight, filterWidth] = filter.shape as [number, number, number, number];
    const info = tf.backend_util.computeConv2DInfo(inputShape, filter.shape as [number, number, number, number], attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
    if (byProduct(info)) {
      const dx = (windowsTileInput(info) ? inputGradientOfTiles : inputGradientByProduct)(scope, dy, filter, info);
      return scope.detach(nchw ? scope.run('Transpose', { x: dx }, { perm: [0, 3, 1, 2] }) : dx);
    }
    const { strideHeight, strideWidth, outHeight, outWidth } = info;
    const [, height, width] = inputShape;
    let spread = dy;
    if (strideHeight > 1) spread = spreadAxis(scope, spread, 1, strideHeight);
    if (strideWidth > 1) spread = spreadAxis(scope, spread, 2, strideWidth);
    const spreadHeight = (outHeight - 1) * strideHeight + 1;
    const spreadWidth = (outWidth - 1) * strideWidth + 1;
    const padTop = filterHeight - 1 - info.padInfo.top;
    const padLeft = filterWidth - 1 - info.padInfo.left;
    const padBottom = height + filterHeight - 1 - spreadHeight - padTop;
    const padRight = width + filterWidth - 1 - spreadWidth - padLeft;
    const input = cropNegative(scope, spread, [padTop, padBottom], [padLeft, padRight]);
    const swapped = flipSpatialSwapChannels(scope, filter);
    const dx = scope.run(
      'Conv2D',
      { x: input, filter: swapped },
      {
        strides: [1, 1],
        pad: [[0, 0], [Math.max(0, padTop), Math.max(0, padBottom)], [Math.max(0, padLeft), Math.max(0, padRight)], [0, 0]],
        dataFormat: 'NHWC',
        dilations: [1, 1],
        dimRoundingMode: undefined,
      },
    );
    if (!nchw) return scope.detach(dx);
    return scope.detach(scope.run('Transpose', { x: dx }, { perm: [0, 3, 1, 2] }));
  } finally {
    scope.dispose();
  }
}

/**
 * A convolution filter ([...spatial, in, out]) flipped in every spatial axis, its last two axes swapped: the filter
 * of the transposed convolution. Flipping all spatial axes reverses the order of the filter taps (the flattened
 * spatial index t becomes taps − 1 − t), so after one wasm Transpose each tap's [out, in] block is copied to its
 * mirrored place on the heap. The package's Reverse kernel took 170-185 ms on a 3x3x512x512 filter here (about 70 ns
 * an element, more than the convolution it feeds); the copies take about a millisecond.
 */
export function flipSpatialSwapChannels(scope: KernelScope, filter: TensorInfo): TensorInfo {
  const swapped = scope.run('Transpose', { x: filter }, { perm: lastTwoSwapped(filter.shape.length) });
  const taps = tf.util.sizeFromShape(filter.shape.slice(0, -2));
  if (taps === 1) return swapped;
  const backend = scope.backend as WasmHeapBackend;
  const flipped = scope.keepResult(backend.makeOutput([...swapped.shape], swapped.dtype));
  // Views only after makeOutput: its allocation may grow the wasm memory.
  const source = backend.typedArrayFromHeap(swapped);
  const target = backend.typedArrayFromHeap(flipped);
  const block = source.length / taps;
  for (let tap = 0; tap < taps; tap++) target.set(source.subarray((taps - 1 - tap) * block, (taps - tap) * block), tap * block);
  scope.release(swapped);
  return flipped;
}

/** The Transpose permutation that swaps the last two axes of a tensor of this rank. */
export function lastTwoSwapped(rank: number): number[] {
  const perm = Array.from({ length: rank }, (_, axis) => axis);
  [perm[rank - 2], perm[rank - 1]] = [rank - 1, rank - 2];
  return perm;
}

/** Spreads one axis of x by `stride`: its entries every `stride` places, zeros between (length (n-1)·stride+1). */
export function spreadAxis(scope: KernelScope, x: TensorInfo, axis: number, stride: number): TensorInfo {
  const shape = x.shape;
  const outer = shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const length = shape[axis]!;
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const x4 = scope.run('Reshape', { x }, { shape: [outer, length, 1, inner] });
  const padded = scope.run('PadV2', { x: x4 }, { paddings: [[0, 0], [0, 0], [0, stride - 1], [0, 0]], constantValue: 0 });
  const flat = scope.run('Reshape', { x: padded }, { shape: [outer, length * stride, inner] });
  const cut = scope.run('Slice', { x: flat }, { begin: [0, 0, 0], size: [outer, (length - 1) * stride + 1, inner] });
  const out = [...shape];
  out[axis] = (length - 1) * stride + 1;
  return scope.run('Reshape', { x: cut }, { shape: out });
}

/** Crops the rows and columns of an NHWC tensor that a negative padding amount removes (positive amounts are left to the convolution). */
function cropNegative(scope: KernelScope, x: TensorInfo, [top, bottom]: [number, number], [left, right]: [number, number]): TensorInfo {
  if (top >= 0 && bottom >= 0 && left >= 0 && right >= 0) return x;
  const [batch, height, width, channels] = x.shape as [number, number, number, number];
  const cropTop = Math.max(0, -top);
  const cropLeft = Math.max(0, -left);
  return scope.run(
    'Slice',
    { x },
    { begin: [0, cropTop, cropLeft, 0], size: [batch, height - cropTop - Math.max(0, -bottom), width - cropLeft - Math.max(0, -right), channels] },
  );
}
