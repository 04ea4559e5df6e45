import type * as tf from '@tensorflow/tfjs-core';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { heapIndex, type KernelScope, type WasmHeapBackend } from './wasm-kernel-calls.ts';

/**
 * A convolution's input gradient as one matrix product and a scatter-add (the "GEMM + col2im" way):
 * Cᵀ[(i, j, c), (b, h, w)] = Σ_o W[(i, j, c), o] · dy[(b, h, w), o], then dx[b, h·s + i − top, w·s + j − left, c] +=
 * Cᵀ[(i, j, c), (b, h, w)]. The filter, [kh, kw, C, O] as it lies, is the product's left operand, which XNNPACK reads
 * in place; only dyᵀ is packed. The transposed convolution instead hands XNNPACK a new filter every step, which the
 * package transposes and XNNPACK packs at ~8 ns a filter element: on VGG16's 3x3x512x512 layers at 8x8 and 4x4 that
 * is most of the gradient's time (see {@link inputGradientByProductPays}).
 *
 * The scatter-add is one JavaScript pass over the heap into [C, B, H, W] planes (runs along w), then one transpose to
 * NHWC. Returns dx as [B, H, W, C].
 */
export function inputGradientByProduct(scope: KernelScope, dy: TensorInfo, filter: TensorInfo, info: tf.backend_util.Conv2DInfo): TensorInfo {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, filterHeight, filterWidth } = info;
  const pixels = batchSize * outHeight * outWidth;
  const rows = scope.run('Reshape', { x: filter }, { shape: [filterHeight * filterWidth * inChannels, outChannels] });
  const dy2d = scope.run('Reshape', { x: dy }, { shape: [pixels, outChannels] });
  const columns = scope.run('BatchMatMul', { a: rows, b: dy2d }, { transposeA: false, transposeB: true });
  scope.release(rows);
  scope.release(dy2d);
  const backend = scope.backend as WasmHeapBackend;
  const planes = scope.keepResult(backend.makeOutput([inChannels, batchSize, inHeight, inWidth], 'float32'));
  addColumnsToPlanes(backend.wasm.HEAPF32, heapIndex(backend, columns), heapIndex(backend, planes), info);
  scope.release(columns);
  const dx = scope.run('Transpose', { x: planes }, { perm: [1, 2, 3, 0] });
  scope.release(planes);
  return dx;
}

/**
 * Whether the product form is expected to take less time than the transposed convolution, by the element costs
 * measured here: the convolution pays ~8 ns per filter element (the package's filter transpose and XNNPACK's
 * packing, every step), the product ~10 ns per dy element (packing dyᵀ) and ~2.5 per scatter-added element
 * (kh·kw per input element). The multiply-adds are the same in both.
 */
export function inputGradientByProductPays(info: tf.backend_util.Conv2DInfo): boolean {
  const { batchSize, inChannels, outHeight, outWidth, outChannels, filterHeight, filterWidth } = info;
  const filterElements = filterHeight * filterWidth * inChannels * outChannels;
  const dyElements = batchSize * outHeight * outWidth * outChannels;
  const scattered = filterHeight * filterWidth * inChannels * batchSize * outHeight * outWidth;
  return 8 * filterElements > 10 * dyElements + 2.5 * scattered;
}

/** planes[c, b, h·s + i − top, w·s + j − left] = Σ over taps of columns[(i, j, c), (b, h, w)]; planes zeroed first. */
function addColumnsToPlanes(heap: Float32Array, from: number, to: number, info: tf.backend_util.Conv2DInfo): void {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, filterHeight, filterWidth, strideHeight, strideWidth } = info;
  const { top, left } = info.padInfo;
  const planeSize = batchSize * inHeight * inWidth;
  heap.fill(0, to, to + inChannels * planeSize);
  let row = from;
  for (let i = 0; i < filterHeight; i++) {
    for (let j = 0; j < filterWidth; j++) {
      // Output columns whose input column w·s + j − left lies inside the image.
      const firstColumn = Math.min(outWidth, Math.max(0, Math.ceil((left - j) / strideWidth)));
      const endColumn = Math.max(firstColumn, Math.min(outWidth, Math.floor((inWidth - 1 + left - j) / strideWidth) + 1));
      for (let c = 0; c < inChannels; c++) {
        for (let b = 0; b < batchSize; b++) {
          const image = to + c * planeSize + b * inHeight * inWidth;
          for (let h = 0; h < outHeight; h++, row += outWidth) {
            const y = h * strideHeight + i - top;
            if (y < 0 || y >= inHeight) continue;
            let target = image + y * inWidth + firstColumn * strideWidth + j - left;
            for (let w = firstColumn; w < endColumn; w++, target += strideWidth) heap[target] = heap[target]! + heap[row + w]!;
          }
        }
      }
    }
  }
}

/**
 * Whether the filter windows tile the input exactly: stride = filter size, no padding, every input pixel in one
 * window (a U-Net's 2x2 stride-2 up-convolution, whose forward pass is this gradient). Then each input pixel gets
 * exactly one tap and {@link inputGradientOfTiles} needs no scatter-add.
 */
export function windowsTileInput(info: tf.backend_util.Conv2DInfo): boolean {
  const { filterHeight, filterWidth, strideHeight, strideWidth, padInfo, outHeight, outWidth, inHeight, inWidth } = info;
  return (
    filterHeight === strideHeight &&
    filterWidth === strideWidth &&
    padInfo.top === 0 &&
    padInfo.left === 0 &&
    outHeight * strideHeight === inHeight &&
    outWidth * strideWidth === inWidth &&
    info.dilationHeight === 1 &&
    info.dilationWidth === 1
  );
}

/**
 * The input gradient where the windows tile the input ({@link windowsTileInput}): dx[b, h·kh + i, w·kw + j, c] =
 * Σ_o dy[b, h, w, o] · W[i, j, c, o], one matrix product [B·oH·oW, O] · [O, kh·kw·C] whose rows are each window's
 * kh x kw x C block, then one transpose that puts the blocks in place (depth-to-space). The transposed convolution
 * took 49 ms for a 2D U-Net's first up-convolution at batch 8 (64x64x32 to 128x128x16: dy spread by the stride, three
 * quarters of its multiply-adds on zeros); this takes a tenth of that. Returns dx as [B, H, W, C].
 */
export function inputGradientOfTiles(scope: KernelScope, dy: TensorInfo, filter: TensorInfo, info: tf.backend_util.Conv2DInfo): TensorInfo {
  const { batchSize, inChannels, outHeight, outWidth, outChannels, filterHeight, filterWidth } = info;
  const dy2d = scope.run('Reshape', { x: dy }, { shape: [batchSize * outHeight * outWidth, outChannels] });
  const rows = scope.run('Reshape', { x: filter }, { shape: [filterHeight * filterWidth * inChannels, outChannels] });
  const blocks = scope.run('BatchMatMul', { a: dy2d, b: rows }, { transposeA: false, transposeB: true });
  scope.release(dy2d);
  scope.release(rows);
  // [B·oH, oW, kh, kw·C] → [B·oH, kh, oW, kw·C]: each window's rows next to its neighbours' in the image.
  const grid = scope.run('Reshape', { x: blocks }, { shape: [batchSize * outHeight, outWidth, filterHeight, filterWidth * inChannels] });
  scope.release(blocks);
  const placed = scope.run('Transpose', { x: grid }, { perm: [0, 2, 1, 3] });
  scope.release(grid);
  const dx = scope.run('Reshape', { x: placed }, { shape: [batchSize, outHeight * filterHeight, outWidth * filterWidth, inChannels] });
  scope.release(placed);
  return dx;
}
