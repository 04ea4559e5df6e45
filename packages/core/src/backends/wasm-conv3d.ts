import * as tf from '@tensorflow/tfjs-core';
import type { NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import { heapIndex, KernelScope, type WasmHeapBackend } from './wasm-kernel-calls.ts';

/**
 * 3-D convolutions for the wasm backend as sums of 2-D ones: a filter [fd, fh, fw, C, O] is fd 2-D filters, and
 * depth tap kd of every output slice od reads input slice od·stride + kd·dilation − front. So with x cut into the
 * "depth slabs" that tap reads (one [B·oD, H, W, C] tensor per tap, each image slice moved with one copyWithin, zeros
 * where the tap falls in the padding), the convolution is Σ_kd Conv2D(slab_kd, filter[kd]) and its filter gradient
 * is [Conv2DBackpropFilter(slab_kd, dy) for each kd]: the package's XNNPACK convolution and Tessera's filter-gradient
 * product, both on the thread pool. The package's own Conv3D and Conv3DBackpropFilterV2 are plain loops: 0.6 GFLOP/s
 * on a 3D U-Net's 32³ layers here, 40-50x slower than the 2-D kernels they become. The input gradient
 * (wasm-kernel-fixes.ts) is a Conv3D, so it runs through this one too.
 *
 * NDHWC only (tfjs' only 3-D layout), float32. Costs one slab (x's size at stride 1) at a time beside the kernels'
 * own memory. Both match the cpu backend to 1e-4 (wasm-conv3d.test.ts).
 */

interface Conv3DAttrs {
  strides: [number, number, number] | number;
  pad: 'valid' | 'same';
  dilations?: [number, number, number] | number;
  dataFormat?: 'NDHWC' | 'NCDHW';
}
interface KernelArgs {
  inputs: NamedTensorInfoMap;
  backend: unknown;
  attrs: NamedAttrMap;
}

export function conv3DBySlabs(args: KernelArgs): TensorInfo {
  const attrs = args.attrs as unknown as Conv3DAttrs;
  const x = args.inputs.x!;
  const filter = args.inputs.filter!;
  checkLayout('Conv3D', attrs.dataFormat, x);
  const scope = new KernelScope(args.backend);
  try {
    const info = tf.backend_util.computeConv3DInfo(
      x.shape as Shape5,
      filter.shape as Shape5,
      attrs.strides,
      attrs.dilations ?? 1,
      attrs.pad,
    );
    const { batchSize, outDepth, outHeight, outWidth, outChannels, filterDepth } = info;
    let sum: TensorInfo | undefined;
    for (let kd = 0; kd < filterDepth; kd++) {
      const slab = depthSlab(scope, x, kd * info.dilationDepth - info.padInfo.front, outDepth, info.strideDepth);
      const tap = filterTap(scope, filter, kd);
      const part = scope.run('Conv2D', { x: slab, filter: tap }, {
        strides: [info.strideHeight, info.strideWidth],
        pad: planePadding(info),
        dataFormat: 'NHWC',
        dilations: [info.dilationHeight, info.dilationWidth],
        dimRoundingMode: undefined,
      });
      scope.release(slab);
      scope.release(tap);
      sum = scope.fold('Add', sum, part);
    }
    return scope.detach(scope.run('Reshape', { x: sum! }, { shape: [batchSize, outDepth, outHeight, outWidth, outChannels] }));
  } finally {
    scope.dispose();
  }
}

export function conv3DBackpropFilterBySlabs(args: KernelArgs): TensorInfo {
  const attrs = args.attrs as unknown as Conv3DAttrs & { filterShape: Shape5 };
  const x = args.inputs.x!;
  const dy = args.inputs.dy!;
  checkLayout('Conv3DBackpropFilterV2', attrs.dataFormat, x);
  const scope = new KernelScope(args.backend);
  try {
    const info = tf.backend_util.computeConv3DInfo(x.shape as Shape5, attrs.filterShape, attrs.strides, attrs.dilations ?? 1, attrs.pad);
    const { batchSize, outDepth, outHeight, outWidth, outChannels, filterDepth, filterHeight, filterWidth, inChannels } = info;
    const dyPlanes = scope.run('Reshape', { x: dy }, { shape: [batchSize * outDepth, outHeight, outWidth, outChannels] });
    const taps: TensorInfo[] = [];
    for (let kd = 0; kd < filterDepth; kd++) {
      const slab = depthSlab(scope, x, kd * info.dilationDepth - info.padInfo.front, outDepth, info.strideDepth);
      taps.push(
        scope.run('Conv2DBackpropFilter', { x: slab, dy: dyPlanes }, {
          strides: [info.strideHeight, info.strideWidth],
          pad: planePadding(info),
          dataFormat: 'NHWC',
          dimRoundingMode: undefined,
          filterShape: [filterHeight, filterWidth, inChannels, outChannels],
        }),
      );
      scope.release(slab);
    }
    const joined = taps.length === 1 ? taps[0]! : scope.run('Concat', taps as unknown as NamedTensorInfoMap, { axis: 0 });
    return scope.detach(scope.run('Reshape', { x: joined }, { shape: [filterDepth, filterHeight, filterWidth, inChannels, outChannels] }));
  } finally {
    scope.dispose();
  }
}

type Shape5 = [number, number, number, number, number];

/** The inputs the slab kernels (here and wasm-max-pool-3d.ts) compute: NDHWC float32; anything else is an error naming it. */
export function checkLayout(kernel: string, dataFormat: string | undefined, x: TensorInfo): void {
  if (dataFormat !== undefined && dataFormat !== 'NDHWC') throw new Error(`wasm ${kernel} supports only the NDHWC layout, got ${dataFormat}`);
  if (x.dtype !== 'float32') throw new Error(`wasm ${kernel} supports only float32, got ${x.dtype}`);
}

/** The 3-D padding's height and width parts, as a 2-D convolution's explicit padding. */
function planePadding(info: tf.backend_util.Conv3DInfo): tf.backend_util.ExplicitPadding {
  const { top, bottom, left, right } = info.padInfo;
  return [[0, 0], [top, bottom], [left, right], [0, 0]];
}

/** filter[kd] as a 2-D filter [fh, fw, C, O] (a contiguous block of the 5-D filter). */
function filterTap(scope: KernelScope, filter: TensorInfo, kd: number): TensorInfo {
  const [depth, ...plane] = filter.shape as Shape5;
  const size = plane.reduce((a, b) => a * b, 1);
  const rows = scope.run('Reshape', { x: filter }, { shape: [depth, size] });
  const row = scope.run('Slice', { x: rows }, { begin: [kd, 0], size: [1, size] });
  scope.release(rows);
  const tap = scope.run('Reshape', { x: row }, { shape: plane });
  scope.release(row);
  return tap;
}

/**
 * x [B, D, H, W, C] as the [B·outDepth, H, W, C] images one depth tap reads: image (b, od) is x[b, od·stride + offset]
 * or `padding` where that slice is outside x (zeros for a convolution, -Infinity for a max pooling). With offset 0,
 * stride 1 and every slice read, x itself.
 */
export function depthSlab(scope: KernelScope, x: TensorInfo, offset: number, outDepth: number, stride: number, padding = 0): TensorInfo {
  const [batch, depth, height, width, channels] = x.shape as Shape5;
  if (offset === 0 && stride === 1 && outDepth === depth) return scope.run('Reshape', { x }, { shape: [batch * depth, height, width, channels] });
  const backend = scope.backend as WasmHeapBackend;
  const slab = scope.keepResult(backend.makeOutput([batch * outDepth, height, width, channels], 'float32'));
  // Heap views only after makeOutput: its allocation may grow the wasm memory.
  const heap = backend.wasm.HEAPF32;
  const from = heapIndex(backend, x);
  const plane = height * width * channels;
  let to = heapIndex(backend, slab);
  for (let b = 0; b < batch; b++) {
    for (let od = 0; od < outDepth; od++, to += plane) {
      const d = od * stride + offset;
      if (d >= 0 && d < depth) {
        const start = from + (b * depth + d) * plane;
        heap.copyWithin(to, start, start + plane);
      } else {
        heap.fill(padding, to, to + plane);
      }
    }
  }
  return slab;
}
