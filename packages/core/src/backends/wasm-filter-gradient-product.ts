import type * as tf from '@tensorflow/tfjs-core';
import type { NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import { heapIndex, type KernelScope, type WasmHeapBackend } from './wasm-kernel-calls.ts';

/**
 * A convolution's filter gradient for one chunk of images as one matrix product, the "im2col + GEMM" way:
 * dW[(c, i, j), o] = Σ_{(b, h, w)} Pᵀ[(c, i, j), (b, h, w)] · dy[(b, h, w), o], where row (c, i, j) of Pᵀ holds
 * x_pad[b, h·s + i, w·s + j, c] for every output pixel. Pᵀ is written by one pass of JavaScript over the heap (from x
 * transposed to padded [C, B, H, W] planes, so each output row of each row of Pᵀ is one run of a plane) and the
 * product is the package's XNNPACK matrix product on the thread pool, with Pᵀ read in place and only dy packed
 * (~50 GFLOP/s here at VGG16's shapes, where a convolution taking the batch as its channels got 14-25).
 *
 * Costs Pᵀ's memory, kh·kw times x's: rows are cut into chunks of `channelsPerChunk` channels to bound it. Returns
 * [C, kh, kw, O] (rows in (c, i, j) order, so a channel chunk's rows are contiguous).
 */
export function filterGradientByProduct(
  scope: KernelScope,
  x: TensorInfo,
  dy: TensorInfo,
  info: tf.backend_util.Conv2DInfo,
  channelsPerChunk: number,
): TensorInfo {
  const { filterHeight, filterWidth, outHeight, outWidth, inChannels, outChannels } = info;
  const [images, height, width] = x.shape as [number, number, number, number];
  // x as [C, B, H, W] planes with the padding written in, so each row of Pᵀ is read from one run of a plane.
  const backend = scope.backend as WasmHeapBackend;
  const { top, left } = info.padInfo;
  const bottom = Math.max(0, (outHeight - 1) * info.strideHeight + filterHeight - height - top);
  const right = Math.max(0, (outWidth - 1) * info.strideWidth + filterWidth - width - left);
  const planes = scope.run('Transpose', { x }, { perm: [3, 0, 1, 2] });
  let padded = planes;
  if (top > 0 || left > 0 || bottom > 0 || right > 0) {
    padded = scope.run('PadV2', { x: planes }, { paddings: [[0, 0], [0, 0], [top, bottom], [left, right]], constantValue: 0 });
    scope.release(planes);
  }
  const [, , paddedHeight, paddedWidth] = padded.shape as [number, number, number, number];
  const pixels = images * outHeight * outWidth;
  const dy2d = scope.run('Reshape', { x: dy }, { shape: [pixels, outChannels] });
  const parts: TensorInfo[] = [];
  for (let first = 0; first < inChannels; first += channelsPerChunk) {
    const channels = Math.min(channelsPerChunk, inChannels - first);
    const patches = scope.keepResult(backend.makeOutput([channels * filterHeight * filterWidth, pixels], 'float32'));
    const from = heapIndex(backend, padded) + first * images * paddedHeight * paddedWidth;
    writePatchRows(backend.wasm.HEAPF32, from, heapIndex(backend, patches), channels, images, paddedHeight, paddedWidth, info);
    parts.push(scope.run('BatchMatMul', { a: patches, b: dy2d }, { transposeA: false, transposeB: false }));
    scope.release(patches);
  }
  scope.release(padded);
  scope.release(dy2d);
  const joined = parts.length === 1 ? parts[0]! : scope.run('Concat', parts as unknown as NamedTensorInfoMap, { axis: 0 });
  if (parts.length > 1) for (const part of parts) scope.release(part);
  const result = scope.run('Reshape', { x: joined }, { shape: [inChannels, filterHeight, filterWidth, outChannels] });
  scope.release(joined);
  return result;
}

/**
 * Writes Pᵀ's rows for `channels` channels into the heap at `to`: the padded x lies at `from` as [channels, images,
 * height, width]; row (c, i, j) holds, for each output pixel (b, h, w), the input the filter tap (i, j) saw there.
 * Runs are moved with copyWithin on the one heap array: 0.55 ns an element for runs of 64 here, where an element loop
 * over the shared wasm memory takes 2 (and `set` of subarrays 1.2).
 */
function writePatchRows(
  heap: Float32Array,
  from: number,
  to: number,
  channels: number,
  images: number,
  height: number,
  width: number,
  info: tf.backend_util.Conv2DInfo,
): void {
  const { filterHeight, filterWidth, strideHeight, strideWidth, outHeight, outWidth } = info;
  for (let c = 0; c < channels; c++) {
    const plane = from + c * images * height * width;
    for (let i = 0; i < filterHeight; i++) {
      for (let j = 0; j < filterWidth; j++) {
        for (let b = 0; b < images; b++) {
          let start = plane + b * height * width + i * width + j;
          for (let h = 0; h < outHeight; h++, to += outWidth, start += strideHeight * width) {
            if (strideWidth === 1) heap.copyWithin(to, start, start + outWidth);
            else for (let w = 0; w < outWidth; w++) heap[to + w] = heap[start + w * strideWidth]!;
          }
        }
      }
    }
  }
}
