import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';

/**
 * Training kernels that @tensorflow/tfjs-backend-wasm 4.22 lacks, registered for the `wasm` backend.
 *
 * Of the kernels a conv net's training step uses (Conv2D and both its gradients, MaxPool and MaxPoolGrad, the relu
 * gradient through Step/Multiply, FusedBatchNorm, MatMul), only `Conv2DBackpropFilter` is missing in 4.22: without
 * it the filter gradient of every conv2d fails with "Kernel 'Conv2DBackpropFilter' not registered for backend
 * 'wasm'". It is computed here by the wasm `Conv3DBackpropFilterV2` kernel on a depth-1 view of the tensors, at
 * stride 1 (strided and explicitly padded cases are reduced to that, see below), matching the cpu backend to 1e-4
 * (tested). Like the package's other gradient kernels it is a plain loop in the wasm module, not XNNPACK, so it does
 * not use the threaded build's extra threads.
 *
 * Call once after the wasm backend module is imported (registering twice is a no-op). Costs nothing until used.
 */
export function registerWasmTrainingKernels(): readonly string[] {
  const registered: string[] = [];
  for (const config of wasmTrainingKernelConfigs) {
    if (tf.getKernel(config.kernelName, config.backendName) !== undefined) continue;
    tf.registerKernel(config);
    registered.push(config.kernelName);
  }
  return registered;
}

interface Conv2DBackpropFilterAttrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
}

/** Runs another registered wasm kernel from inside a kernel, as tfjs' own kernels do. */
function runWasmKernel(name: string, backend: unknown, inputs: NamedTensorInfoMap, attrs: object = {}): TensorInfo {
  const kernel = tf.getKernel(name, 'wasm');
  if (kernel === undefined) throw new Error(`wasm kernel ${name} is not registered (is @tensorflow/tfjs-backend-wasm loaded?)`);
  const out = kernel.kernelFunc({ inputs, backend: backend as tf.KernelBackend, attrs: attrs as NamedAttrMap });
  return out as TensorInfo;
}

function conv2DBackpropFilterWasm(args: {
  inputs: NamedTensorInfoMap;
  backend: unknown;
  attrs: NamedAttrMap;
}): TensorInfo {
  const { backend } = args;
  const x = args.inputs.x!;
  const dy = args.inputs.dy!;
  const attrs = args.attrs as unknown as Conv2DBackpropFilterAttrs;
  const [filterHeight, filterWidth, inChannels, outChannels] = attrs.filterShape;
  const [strideHeight, strideWidth] = typeof attrs.strides === 'number' ? [attrs.strides, attrs.strides] : attrs.strides;
  const temporaries: TensorInfo[] = [];
  const keep = (info: TensorInfo): TensorInfo => {
    temporaries.push(info);
    return info;
  };
  try {
    let xNhwc = x;
    let dyNhwc = dy;
    if (attrs.dataFormat === 'NCHW') {
      xNhwc = keep(runWasmKernel('Transpose', backend, { x }, { perm: [0, 2, 3, 1] }));
      dyNhwc = keep(runWasmKernel('Transpose', backend, { x: dy }, { perm: [0, 2, 3, 1] }));
    }
    const [batch, height, width] = xNhwc.shape as [number, number, number, number];
    const [, outHeight, outWidth] = dyNhwc.shape as [number, number, number, number];
    let pad: 'valid' | 'same' = 'valid';
    if (strideHeight === 1 && strideWidth === 1 && (attrs.pad === 'valid' || attrs.pad === 'same')) {
      pad = attrs.pad;
    } else {
      // The wasm Conv3DBackpropFilterV2 kernel of 4.22 is wrong for strides above 1 (measured: off by up to 5.9
      // against cpu), and Conv3D reads a numeric pad as padding depth too. So reduce every other case to a stride-1
      // 'valid' one: pad and crop x to exactly the window the forward pass read, and spread dy out by the stride
      // (zeros between its rows and columns), which costs stride² more work on strided layers only.
      const info = tf.backend_util.computeConv2DInfo(
        xNhwc.shape as [number, number, number, number],
        attrs.filterShape,
        [strideHeight, strideWidth],
        1,
        attrs.pad,
        attrs.dimRoundingMode,
      );
      const neededHeight = (outHeight - 1) * strideHeight + filterHeight;
      const neededWidth = (outWidth - 1) * strideWidth + filterWidth;
      const { top, left } = info.padInfo;
      const padded = keep(
        runWasmKernel(
          'PadV2',
          backend,
          { x: xNhwc },
          {
            paddings: [
              [0, 0],
              [top, Math.max(0, neededHeight - height - top)],
              [left, Math.max(0, neededWidth - width - left)],
              [0, 0],
            ],
            constantValue: 0,
          },
        ),
      );
      xNhwc = keep(
        runWasmKernel('Slice', backend, { x: padded }, { begin: [0, 0, 0, 0], size: [batch, neededHeight, neededWidth, inChannels] }),
      );
      if (strideHeight > 1 || strideWidth > 1) dyNhwc = keep(spreadByStride(backend, dyNhwc, strideHeight, strideWidth, keep));
    }
    const x5 = keep(runWasmKernel('Reshape', backend, { x: xNhwc }, { shape: [batch, 1, ...xNhwc.shape.slice(1)] }));
    const dy5 = keep(runWasmKernel('Reshape', backend, { x: dyNhwc }, { shape: [batch, 1, ...dyNhwc.shape.slice(1)] }));
    const dw5 = keep(
      runWasmKernel(
        'Conv3DBackpropFilterV2',
        backend,
        { x: x5, dy: dy5 },
        { strides: [1, 1, 1], pad, filterShape: [1, filterHeight, filterWidth, inChannels, outChannels] },
      ),
    );
    return runWasmKernel('Reshape', backend, { x: dw5 }, { shape: attrs.filterShape });
  } finally {
    const store = backend as { disposeData(dataId: object): boolean };
    for (const info of temporaries) if (info !== x && info !== dy) store.disposeData(info.dataId);
  }
}

/** dy [b, oh, ow, c] → [b, (oh-1)·sh+1, (ow-1)·sw+1, c] with dy's values every sh rows and sw columns, zeros between. */
function spreadByStride(
  backend: unknown,
  dy: TensorInfo,
  strideHeight: number,
  strideWidth: number,
  keep: (info: TensorInfo) => TensorInfo,
): TensorInfo {
  const [batch, outHeight, outWidth, channels] = dy.shape as [number, number, number, number];
  const dy6 = keep(runWasmKernel('Reshape', backend, { x: dy }, { shape: [batch, outHeight, 1, outWidth, 1, channels] }));
  const spread6 = keep(
    runWasmKernel(
      'PadV2',
      backend,
      { x: dy6 },
      { paddings: [[0, 0], [0, 0], [0, strideHeight - 1], [0, 0], [0, strideWidth - 1], [0, 0]], constantValue: 0 },
    ),
  );
  const spread = keep(
    runWasmKernel('Reshape', backend, { x: spread6 }, { shape: [batch, outHeight * strideHeight, outWidth * strideWidth, channels] }),
  );
  return runWasmKernel(
    'Slice',
    backend,
    { x: spread },
    { begin: [0, 0, 0, 0], size: [batch, (outHeight - 1) * strideHeight + 1, (outWidth - 1) * strideWidth + 1, channels] },
  );
}

const wasmTrainingKernelConfigs: readonly KernelConfig[] = [
  {
    kernelName: tf.Conv2DBackpropFilter,
    backendName: 'wasm',
    kernelFunc: conv2DBackpropFilterWasm as unknown as KernelConfig['kernelFunc'],
  },
];
