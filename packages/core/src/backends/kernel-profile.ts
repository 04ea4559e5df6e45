import * as tf from '@tensorflow/tfjs-core';

/** One kernel's share of a profiled step: how often it ran and its summed time. */
export interface KernelTime {
  readonly kernel: string;
  /** The WebGPU programs it ran (tfjs' extraInfo), e.g. `Conv2DDerFilterProgram`; empty on other backends. */
  readonly programs: readonly string[];
  readonly count: number;
  readonly totalMs: number;
  /** The same calls by their input shapes (`shapeKey`), slowest first: one entry per layer shape. */
  readonly shapes?: readonly ShapeTime[];
}

export interface ShapeTime {
  /** The call's input shapes as JSON, in the kernel's input order: see {@link shapeKey}. */
  readonly key: string;
  readonly count: number;
  readonly totalMs: number;
}

/**
 * A kernel call's input shapes as tf.profile records them (each named input's shape, null for an absent one, in the
 * inputs' order), as JSON: a kernel can look its own call up in a profile's `shapes` by it.
 */
export function shapeKey(inputs: Readonly<Record<string, { readonly shape: readonly number[] } | null | undefined>>): string {
  return JSON.stringify(Object.keys(inputs).map((name) => inputs[name]?.shape ?? null));
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
  const byName = new Map<string, { programs: Set<string>; count: number; totalMs: number; shapes: Map<string, { count: number; totalMs: number }> }>();
  for (const kernel of profile.kernels) {
    const ms = typeof kernel.kernelTimeMs === 'number' ? kernel.kernelTimeMs : 0;
    const entry = byName.get(kernel.name) ?? { programs: new Set<string>(), count: 0, totalMs: 0, shapes: new Map<string, { count: number; totalMs: number }>() };
    entry.count += 1;
    entry.totalMs += ms;
    for (const match of (typeof kernel.extraInfo === 'string' ? kernel.extraInfo : '').matchAll(/(\w+Program)/g)) entry.programs.add(match[1]!);
    const key = JSON.stringify(kernel.inputShapes ?? []);
    const shape = entry.shapes.get(key) ?? { count: 0, totalMs: 0 };
    shape.count += 1;
    shape.totalMs += ms;
    entry.shapes.set(key, shape);
    byName.set(kernel.name, entry);
  }
  const rounded = (ms: number): number => Number(ms.toFixed(3));
  return [...byName.entries()]
    .map(([kernel, e]) => ({
      kernel,
      programs: [...e.programs],
      count: e.count,
      totalMs: rounded(e.totalMs),
      shapes: [...e.shapes].map(([key, t]) => ({ key, count: t.count, totalMs: rounded(t.totalMs) })).sort((a, b) => b.totalMs - a.totalMs),
    }))
    .sort((a, b) => b.totalMs - a.totalMs)
    .slice(0, top);
}
