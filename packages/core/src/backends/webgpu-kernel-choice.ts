import * as tf from '@tensorflow/tfjs-core';
import type { KernelFunc } from '@tensorflow/tfjs-core';
import { decideKernels, decideWinograd, type KernelChoiceOutcome, type KernelImplementation, type WinogradChoice } from './kernel-choice.ts';
import { compileWebgpuAhead } from './webgpu-compile-ahead.ts';
import { kernelTimeSource, profileKernels, type KernelTime, type KernelTimeSource } from './kernel-profile.ts';
import { registerWebgpuTrainingKernels, resetStockShapes, restoreStockWebgpuKernels, setStockShapes, webgpuKernelOverrides } from './webgpu-training-kernels.ts';
import { resetWinograd, setWinogradEnabled, winogradKernelNames } from './webgpu-winograd.ts';

/**
 * Measured kernel choice for the webgpu backend, like cuDNN's benchmark mode: Tessera's WGSL kernels were timed on
 * SwiftShader only, so on a real GPU each is raced against tfjs' own on the job's real shapes, and the slower one
 * goes. Call once before training on the job's shapes (the worker does, on a hardware adapter: see
 * apps/worker/src/training/kernel-choice-probe.ts).
 */

/** Times the step's kernels per call of `measure`, with the kernels registered as `implementation` says. */
export interface KernelMeasurer {
  readonly timing: () => KernelTimeSource;
  readonly measure: (step: () => tf.TensorContainer, implementation: KernelImplementation) => Promise<readonly KernelTime[]>;
}

export interface ChooseWebgpuKernelsOptions {
  /**
   * Stock replaces Tessera's only when it takes less than (1 - switchMargin) of Tessera's time; default 0.05.
   * Tessera's kernels are the tested default, so a switch must beat the noise of a few profiled steps, and a tie
   * keeps them.
   */
  readonly switchMargin?: number;
  /** Runs of each variant whose times are dropped: the first run compiles the variant's shaders. Default 1. */
  readonly warmups?: number;
  /** Profiled runs per variant, averaged. Default 3. */
  readonly repeats?: number;
  /** How the variants are timed; tests inject fixed times. Default: tf.profile (see {@link profileMeasurer}). */
  readonly measurer?: KernelMeasurer;
}

const defaultSwitchMargin = 0.05;

/**
 * Runs `step` (e.g. one batch's gradients, no weight update: it must not change state, as it runs several times)
 * with Tessera's kernels and with the stock ones, sums each kernel's time per step and per layer shape, and for each
 * overridden kernel keeps the faster implementation of each shape (see `switchMargin`): the stock kernel is restored
 * where it wins every shape, and where it wins only some, Tessera's hands it those (setStockShapes; an earlier race's
 * split is undone first). Kernels that did not run in the step keep Tessera's. Convolutions that ran by Winograd (webgpu-winograd.ts) are timed once more on
 * Tessera's direct GEMM, and the faster of the two for each layer shape is Tessera's entry in the race (an earlier
 * race's per-shape choices are undone first). Registers Tessera's kernels first if they were not. Costs
 * 2 × (warmups + repeats) profiled steps (3 × with Winograd convolutions), shader compiles of every variant
 * included. Call on the webgpu backend between steps, not inside a tidy that should keep tensors.
 */
export async function chooseWebgpuKernels(
  step: () => tf.TensorContainer,
  options: ChooseWebgpuKernelsOptions = {},
): Promise<KernelChoiceOutcome> {
  const measurer = options.measurer ?? profileMeasurer({ warmups: options.warmups ?? 1, repeats: options.repeats ?? 3 });
  const switchMargin = options.switchMargin ?? defaultSwitchMargin;
  registerWebgpuTrainingKernels();
  resetWinograd();
  resetStockShapes();
  const timing = measurer.timing();
  if (timing === 'none') return { timing, choices: [] };
  const overridden = webgpuKernelOverrides();
  const tessera = new Map(overridden.map((name) => [name, kernelFuncOf(name)]));
  let stockTimes: readonly KernelTime[];
  let tesseraTimes: readonly KernelTime[];
  let stock: Map<string, KernelFunc | undefined>;
  let winograd: Map<string, WinogradChoice> = new Map();
  try {
    tesseraTimes = await measurer.measure(step, 'tessera');
    // Tessera's own variants first: where a convolution ran by Winograd, its direct GEMM is timed too.
    const withWinograd = winogradKernelNames.filter((name) => tesseraTimes.some((t) => t.kernel === name));
    if (withWinograd.length > 0) {
      for (const name of winogradKernelNames) setWinogradEnabled(name, false);
      let directTimes: readonly KernelTime[];
      try {
        directTimes = await measurer.measure(step, 'tessera');
      } finally {
        resetWinograd();
      }
      const decided = decideWinograd(withWinograd, tesseraTimes, directTimes, switchMargin);
      winograd = decided.decisions;
      tesseraTimes = decided.tesseraTimes;
      for (const [name, decision] of winograd) for (const key of decision.directShapes) setWinogradEnabled(name, false, key);
    }
    restoreStockWebgpuKernels();
    stock = new Map(overridden.map((name) => [name, kernelFuncOf(name)]));
    stockTimes = await measurer.measure(step, 'stock');
  } finally {
    registerWebgpuTrainingKernels();
  }
  // A kernel with no stock counterpart stays Tessera's after a restore: there is nothing to race it against.
  const raced = overridden.filter((name) => stock.get(name) !== undefined && stock.get(name) !== tessera.get(name));
  const choices = decideKernels(raced, tesseraTimes, stockTimes, switchMargin).map((c) => (winograd.has(c.kernel) ? { ...c, winograd: winograd.get(c.kernel) } : c));
  restoreStockWebgpuKernels(choices.filter((c) => c.chosen === 'stock').map((c) => c.kernel));
  for (const c of choices) if (c.perShape !== undefined) setStockShapes(c.kernel, c.perShape.stockShapes);
  return { timing, choices };
}

/**
 * tf.profile's per-kernel times (GPU timestamps on webgpu with 'timestamp-query'): the variant's shaders compiled
 * ahead (webgpu-compile-ahead.ts), `warmups` runs whose times are dropped, then the mean of `repeats` runs per kernel.
 */
export function profileMeasurer(settings: { warmups: number; repeats: number }): KernelMeasurer {
  return {
    timing: kernelTimeSource,
    measure: async (step) => {
      // This variant's shaders compile off the event loop first (the warm-up runs would compile them in one turn).
      await compileWebgpuAhead(step);
      for (let i = 0; i < settings.warmups; i++) await profileKernels(step, Infinity);
      const sums = new Map<string, { programs: readonly string[]; count: number; totalMs: number; shapes: Map<string, { count: number; totalMs: number }> }>();
      const repeats = Math.max(1, settings.repeats);
      for (let i = 0; i < repeats; i++) {
        for (const time of await profileKernels(step, Infinity)) {
          const sum = sums.get(time.kernel) ?? { programs: time.programs, count: time.count, totalMs: 0, shapes: new Map<string, { count: number; totalMs: number }>() };
          sum.totalMs += time.totalMs;
          for (const shape of time.shapes ?? []) {
            const s = sum.shapes.get(shape.key) ?? { count: shape.count, totalMs: 0 };
            s.totalMs += shape.totalMs;
            sum.shapes.set(shape.key, s);
          }
          sums.set(time.kernel, sum);
        }
      }
      const mean = (ms: number): number => Number((ms / repeats).toFixed(3));
      return [...sums].map(([kernel, s]) => ({
        kernel,
        programs: s.programs,
        count: s.count,
        totalMs: mean(s.totalMs),
        shapes: [...s.shapes].map(([key, t]) => ({ key, count: t.count, totalMs: mean(t.totalMs) })),
      }));
    },
  };
}

function kernelFuncOf(name: string): KernelFunc | undefined {
  return tf.getKernel(name, 'webgpu')?.kernelFunc;
}
