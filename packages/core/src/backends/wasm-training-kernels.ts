import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { conv2DBackpropFilter, conv2DBackpropInput } from './wasm-conv-gradients.ts';
import { KernelScope } from './wasm-kernel-calls.ts';
import { conv3DBackpropInputAsConv } from './wasm-kernel-fixes.ts';
import { tiledMaxPoolGrad } from './wasm-max-pool-grad.ts';

/**
 * Training kernels for the `wasm` backend of @tensorflow/tfjs-backend-wasm 4.22, registered over (or beside) the
 * package's own:
 *
 * - `Conv2DBackpropFilter`: missing from the package (without it every conv2d's filter gradient fails with "Kernel
 *   'Conv2DBackpropFilter' not registered for backend 'wasm'").
 * - `Conv2DBackpropInput`: the package's is a plain loop, about 10x slower than the forward convolution.
 * - `BatchMatMul` and `_FusedMatMul` with `transposeA` or `transposeB`: the package multiplies transposed operands
 *   with a slow loop (2.3 GFLOP/s against 32 untransposed, measured here), and every dense layer's gradients ask for
 *   one of them; transposing the operand first (a copy) and multiplying untransposed is 4-10x faster.
 * - `MaxPoolGrad` of poolings whose windows tile the input (2x2 stride 2): one JavaScript pass over the wasm heap,
 *   about 10x the package's loop (wasm-max-pool-grad.ts); other poolings keep the package's kernel.
 * - `Conv3DBackpropInputV2`, which gives wrong results in the package (wasm-kernel-fixes.ts).
 *
 * The two conv gradients are written in terms of the package's fast kernels (see wasm-conv-gradients.ts). All match
 * the cpu backend to 1e-4 (wasm-training-kernels.test.ts). Call once after the wasm backend module is imported,
 * before or after the backend starts; calling again changes nothing.
 */
export function registerWasmTrainingKernels(): readonly string[] {
  const registered: string[] = [];
  for (const [kernelName, make] of overrides) {
    const current = tf.getKernel(kernelName, 'wasm');
    if (current !== undefined && ours.has(current.kernelFunc)) continue;
    const kernelFunc = make(current?.kernelFunc);
    ours.add(kernelFunc);
    if (current !== undefined) tf.unregisterKernel(kernelName, 'wasm');
    tf.registerKernel({
      kernelName,
      backendName: 'wasm',
      kernelFunc,
      // The package's kernels bind their wasm exports in setupFunc when the backend starts: keep it.
      ...(current?.setupFunc ? { setupFunc: current.setupFunc } : {}),
      ...(current?.disposeFunc ? { disposeFunc: current.disposeFunc } : {}),
    } satisfies KernelConfig);
    registered.push(kernelName);
  }
  return registered;
}

const ours = new WeakSet<KernelFunc>();

/** The matrix product with its operands transposed in memory first, then the package's fast untransposed kernel. */
function untransposedMatMul(stock: KernelFunc | undefined, name: string): KernelFunc {
  if (stock === undefined) throw new Error(`wasm kernel ${name} is not registered (is @tensorflow/tfjs-backend-wasm loaded?)`);
  return (args) => {
    const attrs = args.attrs as unknown as { transposeA: boolean; transposeB: boolean };
    if (!attrs.transposeA && !attrs.transposeB) return stock(args);
    const inputs = args.inputs;
    const scope = new KernelScope(args.backend);
    try {
      const flip = (info: TensorInfo) => {
        const perm = info.shape.map((_, axis) => axis);
        const last = perm.length - 1;
        [perm[last - 1], perm[last]] = [last, last - 1];
        return scope.run('Transpose', { x: info }, { perm });
      };
      const a = attrs.transposeA ? flip(inputs.a!) : inputs.a!;
      const b = attrs.transposeB ? flip(inputs.b!) : inputs.b!;
      return stock({
        ...args,
        inputs: { ...inputs, a, b },
        attrs: { ...args.attrs, transposeA: false, transposeB: false },
      });
    } finally {
      scope.dispose();
    }
  };
}

const overrides: ReadonlyArray<readonly [string, (stock: KernelFunc | undefined) => KernelFunc]> = [
  [tf.Conv2DBackpropFilter, () => conv2DBackpropFilter as unknown as KernelFunc],
  [tf.Conv2DBackpropInput, () => conv2DBackpropInput as unknown as KernelFunc],
  [tf.MaxPoolGrad, tiledMaxPoolGrad],
  [tf.Conv3DBackpropInputV2, () => conv3DBackpropInputAsConv as unknown as KernelFunc],
  [tf.BatchMatMul, (stock) => untransposedMatMul(stock, tf.BatchMatMul)],
  [tf._FusedMatMul, (stock) => untransposedMatMul(stock, tf._FusedMatMul)],
];
