import * as tf from '@tensorflow/tfjs-core';
import { applyFusedUpdate } from '@tessera/core/training/fused-update';
import { createOptimizer } from '@tessera/core/training/optimizer-state';
import { minWinogradChannels, setWinogradEnabled } from '@tessera/core/backends/webgpu-winograd';
import { timingOf, type Timing } from './gpu-result.ts';

/** One kernel at one VGG16 shape, on the package's own kernel and on Tessera's, in the same process. */
export interface KernelTiming {
  readonly kernel: string;
  readonly shape: string;
  readonly stock: Timing;
  readonly tessera: Timing;
  /** stock median ÷ Tessera median. */
  readonly speedup: number;
  /** A convolution Tessera runs by Winograd: Tessera's direct implicit GEMM on the same shape, for comparison. */
  readonly tesseraDirect?: Timing;
}

interface Case {
  readonly kernel: string;
  readonly shape: string;
  /**
   * Builds the inputs once; `run` is timed, its result read (one element) to wait for the device. Kernels are
   * switched by registration; `stock` tells a case that is not a kernel (the optimizer update) which path to take.
   */
  readonly setup: () => { run: (stock: boolean) => tf.Tensor; dispose: () => void };
  /** Tessera runs this case by Winograd: also time its direct GEMM. */
  readonly winograd?: boolean;
}

/** The kernels Tessera replaces, at the shapes of a VGG16 step with `batch` images of `side`x`side`. */
function cases(batch: number, side: number): Case[] {
  const conv = (s: number, c: number): Case => ({
    kernel: 'Conv2DBackpropFilter',
    winograd: c >= minWinogradChannels,
    shape: `x [${batch},${s},${s},${c}], 3x3x${c}x${c} same`,
    setup: () => {
      const x = tf.randomUniform<tf.Rank.R4>([batch, s, s, c], -1, 1, 'float32', 1);
      const dy = tf.randomUniform<tf.Rank.R4>([batch, s, s, c], -1, 1, 'float32', 2);
      const run = () => tf.engine().runKernel<tf.Tensor>(tf.Conv2DBackpropFilter, { x, dy }, { strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, c, c] });
      return { run, dispose: () => tf.dispose([x, dy]) };
    },
  });
  const convForward = (s: number, c: number, fused: boolean): Case => ({
    kernel: fused ? 'FusedConv2D' : 'Conv2D',
    winograd: c >= minWinogradChannels,
    shape: `x [${batch},${s},${s},${c}], 3x3x${c}x${c} same${fused ? ', bias + relu (inference)' : ' (training: bias and relu follow)'}`,
    setup: () => {
      const x = tf.randomUniform<tf.Rank.R4>([batch, s, s, c], -1, 1, 'float32', 8);
      const w = tf.randomUniform<tf.Rank.R4>([3, 3, c, c], -0.1, 0.1, 'float32', 9);
      const bias = tf.randomUniform<tf.Rank.R1>([c], -0.1, 0.1, 'float32', 10);
      const run = () => (fused ? tf.fused.conv2d({ x, filter: w, strides: 1, pad: 'same', bias, activation: 'relu' }) : tf.conv2d(x, w, 1, 'same'));
      return { run, dispose: () => tf.dispose([x, w, bias]) };
    },
  });
  const convInput = (s: number, c: number): Case => ({
    kernel: 'Conv2DBackpropInput',
    winograd: c >= minWinogradChannels,
    shape: `dy [${batch},${s},${s},${c}], 3x3x${c}x${c} same`,
    setup: () => {
      const dy = tf.randomUniform<tf.Rank.R4>([batch, s, s, c], -1, 1, 'float32', 11);
      const w = tf.randomUniform<tf.Rank.R4>([3, 3, c, c], -0.1, 0.1, 'float32', 12);
      const run = () =>
        tf.engine().runKernel<tf.Tensor>(tf.Conv2DBackpropInput, { dy, filter: w }, { inputShape: [batch, s, s, c], strides: 1, pad: 'same', dataFormat: 'NHWC' });
      return { run, dispose: () => tf.dispose([dy, w]) };
    },
  });
  // VGG16's first dense layer: the last block's 512 channels after five 2x2 poolings, times 4096 units.
  const pooled = [1, 2, 3, 4, 5].reduce((s) => Math.floor(s / 2), side);
  const fc1 = Math.max(1, pooled) ** 2 * 512 * 4096;
  const dense = (what: 'forward' | 'weight gradient'): Case => ({
    kernel: 'BatchMatMul',
    shape:
      what === 'forward'
        ? `fc1 forward: [${batch},${fc1 / 4096}] x [${fc1 / 4096},4096]`
        : `fc1 weight gradient: [${batch},${fc1 / 4096}]^T x [${batch},4096]`,
    setup: () => {
      const x = tf.randomUniform<tf.Rank.R2>([batch, fc1 / 4096], -1, 1, 'float32', 13);
      const other = what === 'forward' ? tf.randomUniform<tf.Rank.R2>([fc1 / 4096, 4096], -0.1, 0.1, 'float32', 14) : tf.randomUniform<tf.Rank.R2>([batch, 4096], -1, 1, 'float32', 14);
      const run = () => (what === 'forward' ? tf.matMul(x, other) : tf.matMul(x, other, true, false));
      return { run, dispose: () => tf.dispose([x, other]) };
    },
  });
  const small = Math.max(1, side / 8);
  return [
    conv(side, 64),
    conv(small, 256),
    convForward(side, 64, false),
    convForward(small, 256, false),
    convForward(side, 64, true),
    convInput(side, 64),
    convInput(small, 256),
    dense('forward'),
    dense('weight gradient'),
    {
      kernel: 'Sum',
      shape: `bias gradient: [${batch},${side},${side},64] over axes 0,1,2`,
      setup: () => {
        const dy = tf.randomUniform([batch, side, side, 64], -1, 1, 'float32', 3);
        return { run: () => tf.sum(dy, [0, 1, 2]), dispose: () => dy.dispose() };
      },
    },
    {
      kernel: 'MaxPoolGrad',
      shape: `x [${batch},${side},${side},64], 2x2/2`,
      setup: () => {
        const x = tf.randomUniform<tf.Rank.R4>([batch, side, side, 64], -1, 1, 'float32', 4);
        const y = tf.maxPool(x, 2, 2, 'valid');
        const dy = tf.randomUniform<tf.Rank.R4>(y.shape, -1, 1, 'float32', 5);
        const run = () => tf.engine().runKernel<tf.Tensor>(tf.MaxPoolGrad, { dy, input: x, output: y }, { filterSize: 2, strides: 2, pad: 'valid' });
        return { run, dispose: () => tf.dispose([x, y, dy]) };
      },
    },
    ...(['sgd', 'adam'] as const).map(
      (name): Case => ({
        kernel: `${name} update`,
        shape: `fc1 [${fc1 / 4096},4096]: tfjs' ${name}.applyGradients vs Tessera's fused update`,
        setup: () => {
          const w = tf.variable(tf.randomUniform([fc1 / 4096, 4096], -1, 1, 'float32', 6), true, `kernel_timing_${name}_${fc1}`);
          const g = tf.randomUniform([fc1 / 4096, 4096], -1, 1, 'float32', 7);
          const optimizer = createOptimizer(name, 1e-6);
          const run = (stock: boolean) => {
            if (stock) optimizer.applyGradients({ [w.name]: g });
            else applyFusedUpdate(optimizer, name, [w], () => ({ tensor: g, offset: 0 }));
            return tf.reshape(w, [-1]);
          };
          return { run, dispose: () => (tf.dispose([w, g]), optimizer.dispose()) };
        },
      }),
    ),
  ];
}

async function time(run: () => tf.Tensor, reps: number): Promise<Timing> {
  const once = async () => {
    const start = performance.now();
    const out = run();
    const first = tf.slice(tf.reshape(out, [-1]), [0], [1]);
    await first.data();
    tf.dispose([out, first]);
    return performance.now() - start;
  };
  await once(); // compiles the shaders
  const samplesMs: number[] = [];
  for (let i = 0; i < reps; i++) samplesMs.push(await once());
  return timingOf(samplesMs);
}

/**
 * Times each kernel Tessera replaces on webgpu, the package's own first, then Tessera's (and, for a convolution it
 * runs by Winograd, its direct GEMM), each after one untimed run.
 * `kernels` is webgpu-training-kernels.ts (loaded after the webgpu backend started); its registration is left on.
 */
export async function timeWebgpuKernels(
  kernels: { registerWebgpuTrainingKernels(): readonly string[]; restoreStockWebgpuKernels(): void },
  batch: number,
  side: number,
  reps: number,
  log: (line: string) => void,
): Promise<KernelTiming[]> {
  const out: KernelTiming[] = [];
  for (const c of cases(batch, side)) {
    const { run, dispose } = c.setup();
    try {
      kernels.restoreStockWebgpuKernels();
      const stock = await time(() => run(true), reps);
      kernels.registerWebgpuTrainingKernels();
      const tessera = await time(() => run(false), reps);
      let tesseraDirect: Timing | undefined;
      if (c.winograd === true) {
        setWinogradEnabled(c.kernel, false);
        tesseraDirect = await time(() => run(false), reps);
      }
      const timing = { kernel: c.kernel, shape: c.shape, stock, tessera, speedup: stock.medianMs / tessera.medianMs, ...(tesseraDirect ? { tesseraDirect } : {}) };
      const direct = tesseraDirect ? `, Tessera's direct GEMM ${tesseraDirect.medianMs.toFixed(2)} ms` : '';
      log(`tfjs: kernel ${c.kernel} ${c.shape}: stock ${stock.medianMs.toFixed(2)} ms, Tessera ${tessera.medianMs.toFixed(2)} ms${c.winograd ? ' (Winograd)' : ''} (${timing.speedup.toFixed(2)}x)${direct}`);
      out.push(timing);
    } finally {
      setWinogradEnabled(c.kernel, true);
      kernels.registerWebgpuTrainingKernels();
      dispose();
    }
  }
  return out;
}
