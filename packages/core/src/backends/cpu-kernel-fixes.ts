import * as tf from '@tensorflow/tfjs-core';
import type { KernelFunc, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import { KernelScope } from './wasm-kernel-calls.ts';

/**
 * @tensorflow/tfjs-backend-cpu 4.22's `ResizeNearestNeighborGrad` (the gradient of UpSampling2D and of
 * `tf.image.resizeNearestNeighbor`) is right for one image and wrong for a batch of more (off by about 4 on a
 * [3, 4, 5, 2] → 8x10 case, against a hand-computed sum; the wasm kernel is right). This runs it one image at a time
 * and concatenates. Call once after the cpu backend module is imported; calling again changes nothing.
 */
export function registerCpuKernelFixes(): readonly string[] {
  const current = tf.getKernel(tf.ResizeNearestNeighborGrad, 'cpu');
  if (current === undefined || fixed.has(current.kernelFunc)) return [];
  const kernelFunc = perImageResizeNearestNeighborGrad(current.kernelFunc);
  fixed.add(kernelFunc);
  tf.unregisterKernel(tf.ResizeNearestNeighborGrad, 'cpu');
  tf.registerKernel({ ...current, kernelFunc });
  return [tf.ResizeNearestNeighborGrad];
}

const fixed = new WeakSet<KernelFunc>();

function perImageResizeNearestNeighborGrad(stock: KernelFunc): KernelFunc {
  return (args) => {
    const { images, dy } = args.inputs;
    const batch = images!.shape[0]!;
    if (batch <= 1) return stock(args);
    const scope = new KernelScope(args.backend, 'cpu');
    try {
      const parts: TensorInfo[] = [];
      for (let b = 0; b < batch; b++) {
        const image = scope.run('Slice', { x: images! }, { begin: [b, 0, 0, 0], size: [1, ...images!.shape.slice(1)] });
        const grad = scope.run('Slice', { x: dy! }, { begin: [b, 0, 0, 0], size: [1, ...dy!.shape.slice(1)] });
        parts.push(scope.keepResult(stock({ ...args, inputs: { images: image, dy: grad } }) as TensorInfo));
        scope.release(image);
        scope.release(grad);
      }
      return scope.detach(scope.run('Concat', parts as unknown as NamedTensorInfoMap, { axis: 0 }));
    } finally {
      scope.dispose();
    }
  };
}
