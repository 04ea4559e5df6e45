import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { KernelScope, type WasmHeapBackend } from './wasm-kernel-calls.ts';

/**
 * `ResizeNearestNeighborGrad` for the wasm backend where the resize scaled each side by a whole factor (a U-Net's
 * nearest-neighbour UpSampling2D: 2x): each input pixel was copied to one kh x kw block, so its gradient is the sum of
 * dy over that block: the package's XNNPACK average pooling (kh x kw, stride kh x kw) times kh·kw. The package's own
 * kernel takes ~10 ns an element (46 ms for [8, 128, 128, 16]); the pooling well under one. Corner-aligned resizes
 * and other scales keep the package's kernel. Matches the cpu backend (wasm-resize-nearest-grad.test.ts).
 */
export function blockResizeNearestGrad(stock: KernelFunc): KernelFunc {
  return (args) => {
    const { images, dy } = args.inputs as { images: TensorInfo; dy: TensorInfo };
    const { alignCorners } = args.attrs as unknown as { alignCorners: boolean };
    const [, height, width] = images.shape as [number, number, number, number];
    const [, outHeight, outWidth] = dy.shape as [number, number, number, number];
    const blockHeight = outHeight / height;
    const blockWidth = outWidth / width;
    if (alignCorners || dy.dtype !== 'float32' || !Number.isInteger(blockHeight) || !Number.isInteger(blockWidth)) return stock(args);
    const scope = new KernelScope(args.backend);
    try {
      const means = scope.run('AvgPool', { x: dy }, { filterSize: [blockHeight, blockWidth], strides: [blockHeight, blockWidth], pad: 'valid' });
      if (blockHeight * blockWidth === 1) return scope.detach(means);
      const backend = args.backend as unknown as WasmHeapBackend;
      const scale = scope.keepResult(backend.makeOutput([], 'float32'));
      backend.typedArrayFromHeap(scale)[0] = blockHeight * blockWidth;
      return scope.detach(scope.run('Multiply', { a: means, b: scale }));
    } finally {
      scope.dispose();
    }
  };
}
