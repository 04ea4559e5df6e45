import * as tf from '@tensorflow/tfjs-core';
import type { KernelFunc } from '@tensorflow/tfjs-core';
import { kernelTimeSource, profileKernels, type KernelTime, type KernelTimeSource } from './kernel-profile.ts';
import { registerWebgpuTrainingKernels, restoreStockWebgpuKernels, webgpuKernelOverrides } from './webgpu-training-kernels.ts';

/**
 * Measured kernel choice for the webgpu backend, like cuDNN's benchmark mode: Tessera's WGSL kernels were timed on
 * SwiftShader only, so on a real GPU each is raced against tfjs' own on the job's real shapes, and the slower one
 * goes. Call once before training on the job's shapes (the worker does, on a hardware adapter: see
 * apps/worker/src/training/kernel-choice-probe.ts).
 */

export type KernelImplementation = 'tessera' | 'stock';

/** One overridden kernel's race: its summed time per step under each implementation, and which one stays. */
export interface KernelChoice {
  readonly kernel: string;
  readonly tesseraMs: number;
  readonly stockMs: number;
  /** Calls per step. */
  readonly count: number;
  readonly chosen: KernelImplementation;
}

export interface KernelChoiceOutcome {
  /** What the times are; with `none` (webgpu without 'timestamp-query') nothing is measured and Tessera's stay. */
  readonly timing: KernelTimeSource;
  /** One entry per overridden kernel that ran in the step (and has a stock counterpart), most time at stake first. */
  readonly choices: readonly KernelChoice[];
}

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
 * with Tessera's kernels and with the stock ones, sums each kernel's time per step, and for each overridden kernel
 * keeps the faster implementation (see `switchMargin`), restoring the stock kernel where it wins. Kernels that did
 * not run in the step keep Tessera's. Registers Tessera's kernels first if they were not. Costs
 * 2 × (warmups + repeats) profiled steps, shader compiles of both variants included. Call on the webgpu backend
 * between steps, not inside a tidy that should keep tensors.
 */
export async function chooseWebgpuKernels(
  step: () => tf.TensorContainer,
  options: ChooseWebgpuKernelsOptions = {},
): Promise<KernelChoiceOutcome> {
  const measurer = options.measurer ?? profileMeasurer({ warmups: options.warmups ?? 1, repeats: options.repeats ?? 3 });
  registerWebgpuTrainingKernels();
  const timing = measurer.timing();
  if (timing === 'none') return { timing, choices: [] };
  const overridden = webgpuKernelOverrides();
  const tessera = new Map(overridden.map((name) => [name, kernelFuncOf(name)]));
  let stockTimes: readonly KernelTime[];
  let tesseraTimes: readonly KernelTime[];
  let stock: Map<string, KernelFunc | undefined>;
  try {
    tesseraTimes = await measurer.measure(step, 'tessera');
    restoreStockWebgpuKernels();
    stock = new Map(overridden.map((name) => [name, kernelFuncOf(name)]));
    stockTimes = await measurer.measure(step, 'stock');
  } finally {
    registerWebgpuTrainingKernels();
  }
  // A kernel with no stock counterpart stays Tessera's after a restore: there is nothing to race it against.
  const raced = overridden.filter((name) => stock.get(name) !== undefined && stock.get(name) !== tessera.get(name));
  const choices = decideKernels(raced, tesseraTimes, stockTimes, options.switchMargin ?? defaultSwitchMargin);
  restoreStockWebgpuKernels(choices.filter((c) => c.chosen === 'stock').map((c) => c.kernel));
  return { timing, choices };
}

/**
 * The decision alone: for each of `kernels` that ran under both implementations, Tessera's unless stock takes less
 * than (1 - switchMargin) of its time. Most time at stake (the slower implementation's time) first.
 */
export function decideKernels(
  kernels: readonly string[],
  tesseraTimes: readonly KernelTime[],
  stockTimes: readonly KernelTime[],
  switchMargin: number,
): KernelChoice[] {
  const tessera = new Map(tesseraTimes.map((t) => [t.kernel, t]));
  const stock = new Map(stockTimes.map((t) => [t.kernel, t]));
  const choices: KernelChoice[] = [];
  for (const kernel of kernels) {
    const ours = tessera.get(kernel);
    const theirs = stock.get(kernel);
    if (ours === undefined || theirs === undefined) continue;
    const chosen = theirs.totalMs < ours.totalMs * (1 - switchMargin) ? 'stock' : 'tessera';
    choices.push({ kernel, tesseraMs: ours.totalMs, stockMs: theirs.totalMs, count: ours.count, chosen });
  }
  return choices.sort((a, b) => Math.max(b.tesseraMs, b.stockMs) - Math.max(a.tesseraMs, a.stockMs));
}

/**
 * tf.profile's per-kernel times (GPU timestamps on webgpu with 'timestamp-query'): `warmups` runs whose times are
 * dropped (the first compiles the variant's shaders), then the mean of `repeats` runs per kernel.
 */
export function profileMeasurer(settings: { warmups: number; repeats: number }): KernelMeasurer {
  return {
    timing: kernelTimeSource,
    measure: async (step) => {
      for (let i = 0; i < settings.warmups; i++) await profileKernels(step, Infinity);
      const sums = new Map<string, { programs: readonly string[]; count: number; totalMs: number }>();
      const repeats = Math.max(1, settings.repeats);
      for (let i = 0; i < repeats; i++) {
        for (const time of await profileKernels(step, Infinity)) {
          const sum = sums.get(time.kernel) ?? { programs: time.programs, count: time.count, totalMs: 0 };
          sum.totalMs += time.totalMs;
          sums.set(time.kernel, sum);
        }
      }
      return [...sums].map(([kernel, s]) => ({ kernel, programs: s.programs, count: s.count, totalMs: Number((s.totalMs / repeats).toFixed(3)) }));
    },
  };
}

/**
 * One log line: `Conv2DBackpropFilter tessera 12.1 ms vs stock 30.2 ms (kept tessera); ...`, per step, in the
 * outcome's order; says so when nothing could be measured.
 */
export function describeKernelChoices(outcome: KernelChoiceOutcome): string {
  if (outcome.timing === 'none') return "not measured: the device has no 'timestamp-query' (Tessera's kernels kept)";
  if (outcome.choices.length === 0) return "none of the kernels Tessera replaces ran (Tessera's kernels kept)";
  const source = outcome.timing === 'gpu-timestamps' ? 'GPU timestamps' : 'wall clock';
  const parts = outcome.choices.map(
    (c) => `${c.kernel} tessera ${c.tesseraMs.toFixed(1)} ms vs stock ${c.stockMs.toFixed(1)} ms (kept ${c.chosen})`,
  );
  return `${parts.join('; ')} [per step, ${source}]`;
}

function kernelFuncOf(name: string): KernelFunc | undefined {
  return tf.getKernel(name, 'webgpu')?.kernelFunc;
}
