import type * as tf from '@tensorflow/tfjs-core';
import type { NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import type { KernelScope } from './wasm-kernel-calls.ts';

/**
 * A convolution's filter gradient for one chunk of images as one XNNPACK convolution, with no patch matrix written:
 * x transposed to [C, H, W, B] is C images of B channels, dy transposed to [oH, oW, B, O] is the filter (dilated by
 * the forward stride), and their convolution is dW as [C, kh, kw, O]. XNNPACK reads each filter tap's B channels
 * through its indirection buffer; its time grows with O about linearly, the product form's
 * (wasm-filter-gradient-product.ts) less: Pᵀ (kh·kw floats per input float) is written whatever O is, and with few
 * output columns its matrix product runs far below its peak (C = 32, 1 thread: 6 GFLOP/s at O = 8, 25 at 128). So
 * this pays where O is small beside C, 1.5-2x on a 3D U-Net's depth slabs (B = batch·depth = 128, 8-16 channels), and
 * loses 1.6x where C is 3 and O 32 ({@link filterGradientByConvolutionPays}).
 *
 * Channels beyond `channelsPerChunk` are split into chunks (each call's indirection buffer holds kh·kw·oH·oW pointers
 * per channel) and the results joined. Returns [C, kh, kw, O], as the product form does.
 */
export function filterGradientByConvolution(
  scope: KernelScope,
  x: TensorInfo,
  dy: TensorInfo,
  info: tf.backend_util.Conv2DInfo,
  channelsPerChunk: number,
): TensorInfo {
  const { filterHeight, filterWidth, strideHeight, strideWidth, outHeight, outWidth, inChannels } = info;
  const [, height, width] = x.shape as [number, number, number, number];
  // The rows and columns the forward pass read: padding on the top/left as computed, and on the bottom/right only as
  // far as the last window reaches; rows no window reaches (a 'valid' layer whose stride skips the last row) are cut.
  const { top, left } = info.padInfo;
  const bottom = (outHeight - 1) * strideHeight + filterHeight - height - top;
  const right = (outWidth - 1) * strideWidth + filterWidth - width - left;
  let images = scope.run('Transpose', { x }, { perm: [3, 1, 2, 0] });
  if (bottom < 0 || right < 0) {
    const [channels, , , batch] = images.shape as [number, number, number, number];
    const cut = scope.run('Slice', { x: images }, { begin: [0, 0, 0, 0], size: [channels, height + Math.min(0, bottom), width + Math.min(0, right), batch] });
    scope.release(images);
    images = cut;
  }
  const dyFilter = scope.run('Transpose', { x: dy }, { perm: [1, 2, 0, 3] });
  const convolve = (input: TensorInfo) =>
    scope.run('Conv2D', { x: input, filter: dyFilter }, {
      strides: [1, 1],
      pad: [[0, 0], [top, Math.max(0, bottom)], [left, Math.max(0, right)], [0, 0]],
      dataFormat: 'NHWC',
      dilations: [strideHeight, strideWidth],
      dimRoundingMode: undefined,
    });
  let result: TensorInfo;
  if (channelsPerChunk >= inChannels) {
    result = convolve(images);
  } else {
    const parts: TensorInfo[] = [];
    for (let start = 0; start < inChannels; start += channelsPerChunk) {
      const count = Math.min(channelsPerChunk, inChannels - start);
      const slice = scope.run('Slice', { x: images }, { begin: [start, 0, 0, 0], size: [count, ...images.shape.slice(1)] });
      parts.push(convolve(slice));
      scope.release(slice);
    }
    result = scope.run('Concat', parts as unknown as NamedTensorInfoMap, { axis: 0 });
    for (const part of parts) scope.release(part);
  }
  scope.release(images);
  scope.release(dyFilter);
  return result;
}

/**
 * Whether the convolution form is the faster one: where the output channels O are few beside the input channels C,
 * O ≤ C and O ≤ 32. Both forms pack dy (XNNPACK packs a product's right operand and a convolution's filter, 3-5 ns a
 * float here, more than the product itself for 1-3 input channels), so they are timed on a new dy each call, as in
 * training (the package caches a packed operand by tensor: timing one dy over and over favours the product).
 * Measured (.scratch grid over B 1-128, C 1-64, O 8-128 at 16-32 K pixels, 2 threads; product / convolution time):
 * O = 8 ≤ C 1.7-4.3; O = C = 16 1.3-1.7; O = C = 32 1.1-1.4; 1-2 images with O ≤ C 1.2-1.8; O = 2C 0.9-1.2;
 * O = C = 64 and more 0.8-1.2; C = 1 0.55-0.8; [16, 64, 64, 3→32] (the small VGG's first layer) 0.64.
 */
export function filterGradientByConvolutionPays(info: tf.backend_util.Conv2DInfo): boolean {
  return info.outChannels <= Math.min(32, info.inChannels);
}
