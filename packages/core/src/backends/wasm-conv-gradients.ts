import * as tf from '@tensorflow/tfjs-core';
import type { NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import { KernelScope } from './wasm-kernel-calls.ts';

/**
 * Both gradients of a 2-D convolution for the wasm backend, written as the fast wasm kernels tfjs-backend-wasm
 * already has (XNNPACK's convolution and its untransposed matrix product), instead of the package's plain loops:
 *
 * - filter gradient: dW[i, j, c, o] = Σ_{b,h,w} x_pad[b, h·s + i, w·s + j, c] · dy[b, h, w, o]. x is laid out
 *   channel-first once ([C, B, H, W]); for each filter tap (i, j) the strided window of it is one [C, N] matrix
 *   (N = B·outH·outW) and dW[i, j] = window × dy[N, O], a plain matrix product.
 * - input gradient: the transposed convolution, computed as a forward 'valid' convolution of dy (spread by the
 *   stride, padded by filter − 1 − forward padding) with the filter flipped in space and its channels swapped.
 *
 * Measured on the small VGG of models/small-vgg.ts (batch 32, 64x64, 1 thread): the filter gradients of blocks 2 and
 * 3 went from 1,725 and 1,226 ms to 70 and 61 ms, the input gradients from 481 and 463 ms to about 45 each
 * (.scratch numbers, reproduced by bench/cpu.ts's train step). Both match the cpu backend to 1e-4 (tested for odd
 * shapes, strides, 'same'/'valid'/numeric/explicit padding, NCHW).
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

/**
 * Floats of x (as [C, b, H, W]) the filter gradient lays out at once: larger batches are split into chunks of whole
 * images and the chunks' gradients summed, which bounds the kernel's transient memory at about 3 x this many floats
 * (64 MiB each) whatever the batch (VGG16 at 224x224 holds 3.2 M floats per image in block 1).
 */
const filterGradientChunkFloats = 1 << 24;

export function conv2DBackpropFilter(args: KernelArgs): TensorInfo {
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
    const imagesPerChunk = Math.max(1, Math.floor(filterGradientChunkFloats / (inChannels * height * width)));
    let sum: TensorInfo | undefined;
    for (let start = 0; start < batch; start += imagesPerChunk) {
      const size = Math.min(imagesPerChunk, batch - start);
      const whole = size === batch;
      const xChunk = whole ? x : scope.run('Slice', { x }, { begin: [start, 0, 0, 0], size: [size, height, width, inChannels] });
      const dyChunk = whole ? dy : scope.run('Slice', { x: dy }, { begin: [start, 0, 0, 0], size: [size, ...dy.shape.slice(1)] });
      const part = filterGradientOfChunk(scope, xChunk, dyChunk, info);
      if (!whole) {
        scope.release(xChunk);
        scope.release(dyChunk);
      }
      if (sum === undefined) {
        sum = part;
      } else {
        const next = scope.run('Add', { a: sum, b: part });
        scope.release(sum);
        scope.release(part);
        sum = next;
      }
    }
    return scope.detach(scope.run('Reshape', { x: sum! }, { shape: attrs.filterShape }));
  } finally {
    scope.dispose();
  }
}

/** [kh·kw·C, O] for one chunk of whole images (rows in the filter's [kh, kw, C] order). */
function filterGradientOfChunk(scope: KernelScope, x: TensorInfo, dy: TensorInfo, info: tf.backend_util.Conv2DInfo): TensorInfo {
  const { filterHeight, filterWidth, strideHeight, strideWidth, outHeight, outWidth, inChannels, outChannels } = info;
  const [batch, height, width] = x.shape as [number, number, number, number];
  const rows = batch * outHeight * outWidth;
  // The rows and columns the forward pass read: padding on the top/left as computed, and on the bottom/right only as
  // far as the last window reaches (a 'same' pad may add a row no window of a stride-2 layer touches).
  const reachHeight = (outHeight - 1) * strideHeight + filterHeight;
  const reachWidth = (outWidth - 1) * strideWidth + filterWidth;
  const { top, left } = info.padInfo;
  const channelsFirst = scope.run('Transpose', { x }, { perm: [3, 0, 1, 2] });
  const padded = scope.run(
    'PadV2',
    { x: channelsFirst },
    {
      paddings: [[0, 0], [0, 0], [top, Math.max(0, reachHeight - height - top)], [left, Math.max(0, reachWidth - width - left)]],
      constantValue: 0,
    },
  );
  scope.release(channelsFirst);
  const dy3 = scope.run('Reshape', { x: dy }, { shape: [1, rows, outChannels] });
  const taps: TensorInfo[] = [];
  for (let i = 0; i < filterHeight; i++) {
    for (let j = 0; j < filterWidth; j++) {
      const window =
        strideHeight === 1 && strideWidth === 1
          ? scope.run('Slice', { x: padded }, { begin: [0, 0, i, j], size: [inChannels, batch, outHeight, outWidth] })
          : scope.run(
              'StridedSlice',
              { x: padded },
              {
                begin: [0, 0, i, j],
                end: [inChannels, batch, i + (outHeight - 1) * strideHeight + 1, j + (outWidth - 1) * strideWidth + 1],
                strides: [1, 1, strideHeight, strideWidth],
                beginMask: 0,
                endMask: 0,
                ellipsisMask: 0,
                newAxisMask: 0,
                shrinkAxisMask: 0,
              },
            );
      const window3 = scope.run('Reshape', { x: window }, { shape: [1, inChannels, rows] });
      scope.release(window);
      taps.push(scope.run('BatchMatMul', { a: window3, b: dy3 }, { transposeA: false, transposeB: false }));
      scope.release(window3);
    }
  }
  scope.release(padded);
  const joined = taps.length === 1 ? taps[0]! : scope.run('Concat', taps as unknown as NamedTensorInfoMap, { axis: 1 });
  if (taps.length > 1) for (const tap of taps) scope.release(tap);
  return scope.run('Reshape', { x: joined }, { shape: [filterHeight * filterWidth * inChannels, outChannels] });
}

export function conv2DBackpropInput(args: KernelArgs): TensorInfo {
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
    const padded = padOrCrop(scope, spread, [padTop, padBottom], [padLeft, padRight]);
    const flipped = scope.run('Reverse', { x: filter }, { dims: [0, 1] });
    const swapped = scope.run('Transpose', { x: flipped }, { perm: [0, 1, 3, 2] });
    scope.release(flipped);
    const dx = scope.run(
      'Conv2D',
      { x: padded, filter: swapped },
      { strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', dilations: [1, 1], dimRoundingMode: undefined },
    );
    if (!nchw) return scope.detach(dx);
    return scope.detach(scope.run('Transpose', { x: dx }, { perm: [0, 3, 1, 2] }));
  } finally {
    scope.dispose();
  }
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

/** Pads (positive amounts) or crops (negative) the rows and columns of an NHWC tensor. */
function padOrCrop(scope: KernelScope, x: TensorInfo, [top, bottom]: [number, number], [left, right]: [number, number]): TensorInfo {
  const padded =
    top > 0 || bottom > 0 || left > 0 || right > 0
      ? scope.run(
          'PadV2',
          { x },
          { paddings: [[0, 0], [Math.max(0, top), Math.max(0, bottom)], [Math.max(0, left), Math.max(0, right)], [0, 0]], constantValue: 0 },
        )
      : x;
  if (top >= 0 && bottom >= 0 && left >= 0 && right >= 0) return padded;
  const [batch, height, width, channels] = padded.shape as [number, number, number, number];
  const cropTop = Math.max(0, -top);
  const cropLeft = Math.max(0, -left);
  return scope.run(
    'Slice',
    { x: padded },
    { begin: [0, cropTop, cropLeft, 0], size: [batch, height - cropTop - Math.max(0, -bottom), width - cropLeft - Math.max(0, -right), channels] },
  );
}
