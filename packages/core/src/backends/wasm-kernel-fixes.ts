import * as tf from '@tensorflow/tfjs-core';
import type { NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import { flipSpatialSwapChannels, spreadAxis } from './wasm-conv-gradients.ts';
import { KernelScope } from './wasm-kernel-calls.ts';

/**
 * `Conv3DBackpropInputV2` (a 3-D convolution's input gradient) of @tensorflow/tfjs-backend-wasm 4.22 returns values
 * that change from run to run, sometimes NaN (it reads memory it never wrote; found by the U-Net tests). This computes
 * it as the transposed convolution: a 'valid' Conv3D of dy (spread by the stride, padded by filter − 1 − forward
 * padding) with the filter flipped in space and its channels swapped, as wasm-conv-gradients.ts does in 2-D. Matches
 * the cpu backend to 1e-4 (wasm-training-kernels.test.ts).
 */

interface Conv3DBackpropInputAttrs {
  strides: [number, number, number] | number;
  pad: 'valid' | 'same';
  inputShape: [number, number, number, number, number];
}

export function conv3DBackpropInputAsConv(args: { inputs: NamedTensorInfoMap; backend: unknown; attrs: unknown }): TensorInfo {
  const attrs = args.attrs as Conv3DBackpropInputAttrs;
  const dy = args.inputs.dy!;
  const filter = args.inputs.filter!;
  const scope = new KernelScope(args.backend);
  try {
    const filterShape = filter.shape as [number, number, number, number, number];
    const info = tf.backend_util.computeConv3DInfo(attrs.inputShape, filterShape, attrs.strides, 1, attrs.pad);
    const [fd, fh, fw] = filterShape;
    const { strideDepth: sd, strideHeight: sh, strideWidth: sw, inDepth, inHeight, inWidth } = info;
    let spread = dy;
    [sd, sh, sw].forEach((stride, axis) => {
      if (stride > 1) spread = spreadAxis(scope, spread, axis + 1, stride);
    });
    const spreadShape = spread.shape as [number, number, number, number, number];
    const pads: Array<[number, number]> = [
      [fd - 1 - info.padInfo.front, 0],
      [fh - 1 - info.padInfo.top, 0],
      [fw - 1 - info.padInfo.left, 0],
    ];
    const inner = [inDepth, inHeight, inWidth];
    const kernel = [fd, fh, fw];
    for (let axis = 0; axis < 3; axis++) pads[axis]![1] = inner[axis]! + kernel[axis]! - 1 - spreadShape[axis + 1]! - pads[axis]![0];
    const padded = scope.run(
      'PadV2',
      { x: spread },
      { paddings: [[0, 0], ...pads.map(([a, b]) => [Math.max(0, a), Math.max(0, b)]), [0, 0]], constantValue: 0 },
    );
    let input = padded;
    if (pads.some(([a, b]) => a < 0 || b < 0)) {
      const shape = padded.shape;
      input = scope.run(
        'Slice',
        { x: padded },
        {
          begin: [0, ...pads.map(([a]) => Math.max(0, -a)), 0],
          size: [shape[0], ...pads.map(([a, b], i) => shape[i + 1]! - Math.max(0, -a) - Math.max(0, -b)), shape[4]],
        },
      );
    }
    const swapped = flipSpatialSwapChannels(scope, filter);
    return scope.detach(scope.run('Conv3D', { x: input, filter: swapped }, { strides: [1, 1, 1], pad: 'valid', dilations: [1, 1, 1], dataFormat: 'NDHWC' }));
  } finally {
    scope.dispose();
  }
}

