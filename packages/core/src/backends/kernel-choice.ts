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
  /** For a kernel with a Winograd path: Tessera's own race of Winograd against its direct GEMM (tesseraMs is the winner's). */
  readonly winograd?: WinogradChoice | undefined;
}

/** One kernel's Winograd path against its direct implicit GEMM, both Tessera's. */
export interface WinogradChoice {
  readonly winogradMs: number;
  readonly directMs: number;
  readonly chosen: 'winograd' | 'direct';
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
 * Winograd against the direct GEMM for each of `kernels` that ran both ways: Winograd unless the direct GEMM takes
 * less than (1 - switchMargin) of its time. Returns the decisions and Tessera's times with each such kernel's winner's
 * time in place of Winograd's.
 */
export function decideWinograd(
  kernels: readonly string[],
  winogradTimes: readonly KernelTime[],
  directTimes: readonly KernelTime[],
  switchMargin: number,
): { decisions: Map<string, WinogradChoice>; tesseraTimes: KernelTime[] } {
  const direct = new Map(directTimes.map((t) => [t.kernel, t]));
  const decisions = new Map<string, WinogradChoice>();
  const tesseraTimes = winogradTimes.map((time) => {
    const other = direct.get(time.kernel);
    if (!kernels.includes(time.kernel) || other === undefined) return time;
    const chosen = other.totalMs < time.totalMs * (1 - switchMargin) ? 'direct' : 'winograd';
    decisions.set(time.kernel, { winogradMs: time.totalMs, directMs: other.totalMs, chosen });
    return chosen === 'direct' ? other : time;
  });
  return { decisions, tesseraTimes };
}

/**
 * One log line: `Conv2DBackpropFilter tessera 12.1 ms vs stock 30.2 ms (kept tessera); ...`, per step, in the
 * outcome's order; says so when nothing could be measured.
 */
export function describeKernelChoices(outcome: KernelChoiceOutcome): string {
  if (outcome.timing === 'none') return "not measured: the device has no 'timestamp-query' (Tessera's kernels kept)";
  if (outcome.choices.length === 0) return "none of the kernels Tessera replaces ran (Tessera's kernels kept)";
  const source = outcome.timing === 'gpu-timestamps' ? 'GPU timestamps' : 'wall clock';
  const parts = outcome.choices.map((c) => {
    const w = c.winograd;
    const variant = w === undefined ? '' : ` [${w.chosen}; winograd ${w.winogradMs.toFixed(1)} ms, direct ${w.directMs.toFixed(1)} ms]`;
    return `${c.kernel} tessera ${c.tesseraMs.toFixed(1)} ms${variant} vs stock ${c.stockMs.toFixed(1)} ms (kept ${c.chosen})`;
  });
  return `${parts.join('; ')} [per step, ${source}]`;
}
