import * as tf from '@tensorflow/tfjs-core';
import type { KernelFunc } from '@tensorflow/tfjs-core';
import type { WebGPUBackend, WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';

/**
 * `MaxPoolGrad` for the webgpu backend of @tensorflow/tfjs-backend-webgpu 4.22, in one pass, when the pooling windows
 * tile the input: filter = stride, no padding (VGG's 2x2/2 'valid', or a 'same' that adds no padding).
 *
 * The package runs two programs: one writes an int32 tensor of argmax positions the size of the pooled output, the
 * next reads it back for every dx element. Here one thread per dy element finds its window's maximum in x and writes
 * the whole window of dx: dy at the first maximum in row-major order (the cpu backend's rule: a later element wins only
 * if strictly greater, and NaN never wins), 0 elsewhere. Each dx element lies in exactly one window, so no two threads
 * write it; the rows and columns that a 'valid' pooling drops are written 0 by the threads of the last window row or
 * column. Threads are laid out channel-fastest (NHWC), so a warp reads and writes contiguous channels.
 *
 * float32 only; overlapping or padded poolings and other dtypes go to the package's kernel.
 */
export function tiledMaxPoolGrad(stock: KernelFunc | undefined): KernelFunc {
  return (args) => {
    const { dy, input } = args.inputs;
    const attrs = args.attrs as unknown as MaxPoolGradAttrs;
    const info = tf.backend_util.computePool2DInfo(
      input!.shape as [number, number, number, number],
      attrs.filterSize,
      attrs.strides,
      1,
      attrs.pad,
      attrs.dimRoundingMode,
    );
    if (!tilesInput(info) || input!.dtype !== 'float32' || dy!.dtype !== 'float32') {
      if (stock === undefined) throw new Error('webgpu kernel MaxPoolGrad is not registered (is @tensorflow/tfjs-backend-webgpu loaded?)');
      return stock(args);
    }
    const backend = args.backend as unknown as WebGPUBackend;
    const program = tiledProgram(info);
    const uniforms = [info.inHeight, info.inWidth, info.inChannels, info.outHeight, info.outWidth, tf.util.sizeFromShape(dy!.shape)];
    return backend.runWebGPUProgram(
      program,
      [dy!, input!],
      'float32',
      uniforms.map((value) => ({ type: 'int32', data: [value] })),
    );
  };
}

interface MaxPoolGradAttrs {
  filterSize: [number, number] | number;
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/** Whether the pooling's windows cover the input without overlap or padding (each x element in at most one window). */
export function tilesInput(info: tf.backend_util.Conv2DInfo): boolean {
  const { padInfo } = info;
  return (
    info.filterHeight === info.strideHeight &&
    info.filterWidth === info.strideWidth &&
    info.dilationHeight === 1 &&
    info.dilationWidth === 1 &&
    padInfo.top === 0 &&
    padInfo.left === 0 &&
    padInfo.bottom === 0 &&
    padInfo.right === 0 &&
    info.outHeight > 0 &&
    info.outWidth > 0 &&
    info.outHeight * info.strideHeight <= info.inHeight &&
    info.outWidth * info.strideWidth <= info.inWidth
  );
}

const workgroupThreads = 64;

function tiledProgram(info: tf.backend_util.Conv2DInfo): WebGPUProgram {
  const { filterHeight: fh, filterWidth: fw } = info;
  const threads = info.batchSize * info.outHeight * info.outWidth * info.inChannels;
  return {
    // The window's size is compiled in (its loops unroll); tfjs adds the ranks and dtypes to the key.
    shaderKey: `tessera_max_pool_grad_tiled_${fh}x${fw}`,
    variableNames: ['dy', 'x'],
    outputShape: [info.batchSize, info.inHeight, info.inWidth, info.inChannels],
    dispatchLayout: { x: [0] },
    dispatch: [Math.ceil(threads / workgroupThreads), 1, 1],
    workgroupSize: [workgroupThreads, 1, 1],
    uniforms: 'height : i32, width : i32, channels : i32, outHeight : i32, outWidth : i32, dySize : i32,',
    getUserCode: () => `
      fn main(index : i32) {
        if (index >= uniforms.dySize) {
          return;
        }
        let c = index % uniforms.channels;
        var rest = index / uniforms.channels;
        let ow = rest % uniforms.outWidth;
        rest = rest / uniforms.outWidth;
        let oh = rest % uniforms.outHeight;
        let n = rest / uniforms.outHeight;
        let h0 = oh * ${fh};
        let w0 = ow * ${fw};
        let rowStride = uniforms.width * uniforms.channels;
        let corner = ((n * uniforms.height + h0) * uniforms.width + w0) * uniforms.channels + c;
        // -Infinity and no position: a window of -Infinity or NaN gets no gradient, as on the cpu backend.
        var best = -uniforms.INFINITY;
        var bestAt = -1;
        for (var i = 0; i < ${fh}; i++) {
          for (var j = 0; j < ${fw}; j++) {
            let value = x[corner + i * rowStride + j * uniforms.channels];
            if (value > best) {
              best = value;
              bestAt = i * ${fw} + j;
            }
          }
        }
        let g = dy[index];
        // The last window row and column also clear what a 'valid' pooling drops below and right of them.
        let rows = select(${fh}, uniforms.height - h0, oh == uniforms.outHeight - 1);
        let cols = select(${fw}, uniforms.width - w0, ow == uniforms.outWidth - 1);
        for (var i = 0; i < rows; i++) {
          for (var j = 0; j < cols; j++) {
            let hit = i < ${fh} && j < ${fw} && i * ${fw} + j == bestAt;
            result[corner + i * rowStride + j * uniforms.channels] = select(0.0, g, hit);
          }
        }
      }`,
  };
}
