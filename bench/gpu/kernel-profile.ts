import * as tf from '@tensorflow/tfjs-core';

/** One kernel's share of a profiled step: how often it ran and its summed time (GPU timestamps on webgpu). */
export interface KernelTime {
  readonly kernel: string;
  /** The WebGPU programs it ran (tfjs' extraInfo), e.g. `Conv2DDerFilterProgram`; empty on other backends. */
  readonly programs: readonly string[];
  readonly count: number;
  readonly totalMs: number;
}

/**
 * Runs `step` once under tf.profile and sums the kernels' times by kernel name, slowest first (the first `top`).
 * On webgpu the times are the GPU's own (timestamp queries); elsewhere they are the kernels' wall times.
 */
export async function profileKernels(step: () => tf.Tensor, top = 25): Promise<KernelTime[]> {
  const profile = await tf.profile(() => step());
  tf.dispose(profile.result);
  const byName = new Map<string, { programs: Set<string>; count: number; totalMs: number }>();
  for (const kernel of profile.kernels) {
    const ms = typeof kernel.kernelTimeMs === 'number' ? kernel.kernelTimeMs : 0;
    const entry = byName.get(kernel.name) ?? { programs: new Set<string>(), count: 0, totalMs: 0 };
    entry.count += 1;
    entry.totalMs += ms;
    for (const match of (typeof kernel.extraInfo === 'string' ? kernel.extraInfo : '').matchAll(/(\w+Program)/g)) entry.programs.add(match[1]!);
    byName.set(kernel.name, entry);
  }
  return [...byName.entries()]
    .map(([kernel, e]) => ({ kernel, programs: [...e.programs], count: e.count, totalMs: Number(e.totalMs.toFixed(3)) }))
    .sort((a, b) => b.totalMs - a.totalMs)
    .slice(0, top);
}
