import * as tf from '@tensorflow/tfjs-core';

/** One kernel's share of a profiled step: how often it ran and its summed time. */
export interface KernelTime {
  readonly kernel: string;
  /** The WebGPU programs it ran (tfjs' extraInfo), e.g. `Conv2DDerFilterProgram`; empty on other backends. */
  readonly programs: readonly string[];
  readonly count: number;
  readonly totalMs: number;
}

/**
 * What tf.profile's kernel times are on the current backend. On webgpu they are the GPU's own timestamps when the
 * device has 'timestamp-query' (tfjs-backend-webgpu asks for it whenever the adapter offers it); without it tfjs
 * reports 0 for every kernel, not a wall time (backend_webgpu.js `getQueryTime`). Other backends time each kernel's
 * wall time.
 */
export type KernelTimeSource = 'gpu-timestamps' | 'none' | 'wall-clock';

export function kernelTimeSource(): KernelTimeSource {
  if (tf.getBackend() !== 'webgpu') return 'wall-clock';
  return (tf.backend() as { supportTimestampQuery?: unknown }).supportTimestampQuery === true ? 'gpu-timestamps' : 'none';
}

/**
 * Runs `step` once under tf.profile and sums the kernels' times by kernel name, slowest first (the first `top`).
 * Disposes what `step` returns. Costs one step plus, on webgpu, a submit and a timestamp read per kernel (each
 * program gets its own compute pass), so profiled steps run slower than plain ones; the kernel times do not.
 */
export async function profileKernels(step: () => tf.TensorContainer, top = 25): Promise<KernelTime[]> {
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
