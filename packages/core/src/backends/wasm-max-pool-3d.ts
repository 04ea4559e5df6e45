import * as tf from '@tensorflow/tfjs-core';
import type { NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import { checkLayout, depthSlab } from './wasm-conv3d.ts';
import { heapIndex, KernelScope, type WasmHeapBackend } from './wasm-kernel-calls.ts';

/**
 * `MaxPool3D` and `MaxPool3DGrad` for the wasm backend. The package's kernels start each window's maximum at FLT_MIN
 * (1.18e-38, the smallest positive float) instead of -Infinity: a window whose values are all ≤ 0 pools to 1.18e-38
 * instead of its maximum (max-pooling [-1, …, -1] gives 1.18e-38), and its gradient goes to the window's first
 * element instead of the maximum. After a relu every all-zero window became 1.18e-38, whose products with the next
 * convolution's weights are subnormal floats: that layer ran 6x slower than its neighbours in a 3D U-Net step.
 *
 * - MaxPool3D: the maximum over the depth taps kd of 2-D max poolings (the package's XNNPACK MaxPool, which is
 *   right) of the depth slabs each tap reads (wasm-conv3d.ts), -Infinity where a tap falls in the padding.
 * - MaxPool3DGrad: one pass of JavaScript over the heap: each window's maximum found in x (the last one in scan
 *   order on ties, as the cpu backend's 3-D pooling), dy added to dx there. Any window, stride and padding.
 *
 * Both match the cpu backend (wasm-max-pool-3d.test.ts).
 */

interface Pool3DAttrs {
  filterSize: [number, number, number] | number;
  strides: [number, number, number] | number;
  pad: 'valid' | 'same' | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  dataFormat?: 'NDHWC' | 'NCDHW';
}
interface KernelArgs {
  inputs: NamedTensorInfoMap;
  backend: unknown;
  attrs: NamedAttrMap;
}

function poolInfo(x: TensorInfo, attrs: Pool3DAttrs, kernel: string): tf.backend_util.Conv3DInfo {
  checkLayout(kernel, attrs.dataFormat, x);
  return tf.backend_util.computePool3DInfo(x.shape as [number, number, number, number, number], attrs.filterSize, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
}

export function maxPool3DBySlabs(args: KernelArgs): TensorInfo {
  const attrs = args.attrs as unknown as Pool3DAttrs;
  const x = args.inputs.x!;
  const info = poolInfo(x, attrs, 'MaxPool3D');
  const scope = new KernelScope(args.backend);
  try {
    let max: TensorInfo | undefined;
    for (let kd = 0; kd < info.filterDepth; kd++) {
      const slab = depthSlab(scope, x, kd - info.padInfo.front, info.outDepth, info.strideDepth, -Infinity);
      // The height and width padding of a 3-D pooling is the 2-D pooling's for the same sides, window and stride.
      const part = scope.run('MaxPool', { x: slab }, {
        filterSize: [info.filterHeight, info.filterWidth],
        strides: [info.strideHeight, info.strideWidth],
        pad: attrs.pad,
        dimRoundingMode: attrs.dimRoundingMode,
      });
      scope.release(slab);
      max = scope.fold('Maximum', max, part);
    }
    return scope.detach(scope.run('Reshape', { x: max! }, { shape: info.outShape }));
  } finally {
    scope.dispose();
  }
}

export function maxPool3DGradOnHeap(args: KernelArgs): TensorInfo {
  const attrs = args.attrs as unknown as Pool3DAttrs;
  const { dy, input } = args.inputs as { dy: TensorInfo; input: TensorInfo };
  const info = poolInfo(input, attrs, 'MaxPool3DGrad');
  const backend = args.backend as WasmHeapBackend;
  const dx = backend.makeOutput([...input.shape], 'float32');
  // Heap views only after makeOutput: its allocation may grow the wasm memory.
  const heap = backend.wasm.HEAPF32;
  writeMaxPool3DGrad(heap, heapIndex(backend, input), heapIndex(backend, dy), heapIndex(backend, dx), info);
  return dx;
}

function writeMaxPool3DGrad(heap: Float32Array, x: number, dy: number, dx: number, info: tf.backend_util.Conv3DInfo): void {
  const { batchSize, inDepth, inHeight, inWidth, inChannels: channels, outDepth, outHeight, outWidth } = info;
  const { filterDepth, filterHeight, filterWidth, strideDepth, strideHeight, strideWidth } = info;
  heap.fill(0, dx, dx + batchSize * inDepth * inHeight * inWidth * channels);
  const best = new Float32Array(channels);
  const where = new Int32Array(channels);
  let out = dy;
  for (let b = 0; b < batchSize; b++) {
    for (let od = 0; od < outDepth; od++) {
      const d0 = od * strideDepth - info.padInfo.front;
      const [dStart, dEnd] = [Math.max(0, d0), Math.min(inDepth, d0 + filterDepth)];
      for (let oh = 0; oh < outHeight; oh++) {
        const h0 = oh * strideHeight - info.padInfo.top;
        const [hStart, hEnd] = [Math.max(0, h0), Math.min(inHeight, h0 + filterHeight)];
        for (let ow = 0; ow < outWidth; ow++, out += channels) {
          const w0 = ow * strideWidth - info.padInfo.left;
          const [wStart, wEnd] = [Math.max(0, w0), Math.min(inWidth, w0 + filterWidth)];
          best.fill(-Infinity);
          where.fill(-1);
          for (let d = dStart; d < dEnd; d++) {
            for (let h = hStart; h < hEnd; h++) {
              for (let w = wStart; w < wEnd; w++) {
                const pixel = (((b * inDepth + d) * inHeight + h) * inWidth + w) * channels;
                for (let c = 0; c < channels; c++) {
                  const value = heap[x + pixel + c]!;
                  if (value >= best[c]!) {
                    best[c] = value;
                    where[c] = pixel + c;
                  }
                }
              }
            }
          }
          for (let c = 0; c < channels; c++) {
            const at = where[c]!;
            if (at >= 0) heap[dx + at] = heap[dx + at]! + heap[out + c]!;
          }
        }
      }
    }
  }
}
