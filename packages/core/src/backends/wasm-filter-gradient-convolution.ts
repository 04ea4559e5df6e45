import type * as tf from '@tensorflow/tfjs-core';
import type { NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import type { KernelScope } from './wasm-kernel-calls.ts';

/**
 * A convolution's filter gradient for one chunk of images as one XNNPACK convolution, with no patch matrix written:
 * x transposed to [C, H, W, B] is C images of B channels, dy transposed to [oH, oW, B, O] is the filter (dilated by
 * the forward stride), and their convolution is dW as [C, kh, kw, O]. XNNPACK reads each filter tap's B channels
 * through its indirection buffer, so this pays where B is large and the patches are thin: 1.5-2x the product form
 * (wasm-filter-gradient-product.ts) on a 3D U-Net's depth slabs (B = batch·depth = 128, 8-16 channels) and
 * 1.1-1.3x at batch 8-32 with 16-32 channels, where the product spends more on writing Pᵀ (kh·kw floats per
 * input float) than on multiplying. With few images (VGG16 at batch 4) each tap is a run of 4 floats and the product
 * wins (.scratch timings in the commit; {@link filterGradientByConvolutionPays}).
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
 * Whether the convolution form is the faster one for a chunk of `images` images: with at least 8 images (each
 * filter tap a run of 8+ floats for XNNPACK) and at most 32 input channels. Measured (2 threads, ms, product /
 * convolution): 3D U-Net slabs [128, 32, 32, 8→8] 20.5/14.0, [128, 32, 32, 16→8] 40/19.6, [64, 16, 16, 16→16] 8.4/5.5,
 * [32, 8, 8, 32→32] 4.0/1.9; 2D U-Net at batch 8 [8, 128, 128, 16→16] 43/43, [8, 64, 64, 32→32] 33/29; VGG16 at
 * batch 4 (64 to 512 channels) and 16-32 (64 to 256) the product by 10-45%, and at 224x224x3 batch 2 by 2.2x.
 */
export function filterGradientByConvolutionPays(info: tf.backend_util.Conv2DInfo, images: number): boolean {
  return images >= 8 && info.inChannels <= 32;
}
