import type { KernelTime, KernelTimeSource } from './kernel-profile.ts';

/**
 * What a measured kernel choice found and decided (the race itself is webgpu-kernel-choice.ts): pure, so the
 * decision and its log line need no device.
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
