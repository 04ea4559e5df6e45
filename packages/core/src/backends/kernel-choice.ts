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
  /**
   * Set when stock won some of the kernel's layer shapes but not all: those calls go to stock, the rest stay Tessera's
   * (`chosen` is then 'tessera', the kernel registered).
   */
  readonly perShape?: PerShapeChoice | undefined;
}

/** A kernel split between the two implementations layer shape by layer shape. */
export interface PerShapeChoice {
  /** Layer shapes compared (distinct input shapes among the kernel's calls). */
  readonly shapes: number;
  /** The shapes (kernel-profile.ts shapeKey) handed to stock. */
  readonly stockShapes: readonly string[];
  /** The kernel's time per step as split. */
  readonly chosenMs: number;
}

/** One kernel's Winograd path against its direct implicit GEMM, both Tessera's, decided layer shape by layer shape. */
export interface WinogradChoice {
  /** The kernel's time per step with every call by Winograd, and with every call on the direct GEMM. */
  readonly winogradMs: number;
  readonly directMs: number;
  /** Layer shapes compared (distinct input shapes among the kernel's calls). */
  readonly shapes: number;
  /** The shapes (kernel-profile.ts shapeKey) kept on the direct GEMM, which was faster for them; the rest run by Winograd. */
  readonly directShapes: readonly string[];
}

export interface KernelChoiceOutcome {
  /** What the times are; with `none` (webgpu without 'timestamp-query') nothing is measured and Tessera's stay. */
  readonly timing: KernelTimeSource;
  /** One entry per overridden kernel that ran in the step (and has a stock counterpart), most time at stake first. */
  readonly choices: readonly KernelChoice[];
}

/**
 * The decision alone: for each of `kernels` that ran under both implementations, Tessera's unless stock takes less
 * than (1 - switchMargin) of its time, decided layer shape by layer shape where both sides' times have shapes
 * (kernel-profile.ts): stock for every shape makes the kernel stock's, for some a per-shape split. Most time at stake
 * (the slower implementation's time) first.
 */
export function decideKernels(
  kernels: readonly string[],
  tesseraTimes: readonly KernelTime[],
  stockTimes: readonly KernelTime[],
  switchMargin: number,
): KernelChoice[] {
  const tessera = new Map(tesseraTimes.map((t) => [t.kernel, t]));
  const stock = new Map(stockTimes.map((t) => [t.kernel, t]));
  const faster = (stockMs: number, tesseraMs: number): boolean => stockMs < tesseraMs * (1 - switchMargin);
  const choices: KernelChoice[] = [];
  for (const kernel of kernels) {
    const ours = tessera.get(kernel);
    const theirs = stock.get(kernel);
    if (ours === undefined || theirs === undefined) continue;
    const base = { kernel, tesseraMs: ours.totalMs, stockMs: theirs.totalMs, count: ours.count };
    const theirShapes = new Map((theirs.shapes ?? []).map((s) => [s.key, s]));
    const ourShapes = ours.shapes ?? [];
    if (ourShapes.length === 0 || !ourShapes.every((s) => theirShapes.has(s.key))) {
      choices.push({ ...base, chosen: faster(theirs.totalMs, ours.totalMs) ? 'stock' : 'tessera' });
      continue;
    }
    const stockShapes = ourShapes.filter((s) => faster(theirShapes.get(s.key)!.totalMs, s.totalMs)).map((s) => s.key);
    if (stockShapes.length === 0) choices.push({ ...base, chosen: 'tessera' });
    else if (stockShapes.length === ourShapes.length) choices.push({ ...base, chosen: 'stock' });
    else {
      const toStock = new Set(stockShapes);
      const chosenMs = ourShapes.reduce((sum, s) => sum + (toStock.has(s.key) ? theirShapes.get(s.key)!.totalMs : s.totalMs), 0);
      choices.push({ ...base, chosen: 'tessera', perShape: { shapes: ourShapes.length, stockShapes, chosenMs: Number(chosenMs.toFixed(3)) } });
    }
  }
  return choices.sort((a, b) => Math.max(b.tesseraMs, b.stockMs) - Math.max(a.tesseraMs, a.stockMs));
}

/**
 * Winograd against the direct GEMM for each of `kernels` that ran both ways, layer shape by layer shape: Winograd
 * unless the direct GEMM takes less than (1 - switchMargin) of its time for that shape. Returns the decisions and
 * Tessera's times with each such kernel's time (and its shapes') as decided.
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
    const otherShapes = new Map((other.shapes ?? []).map((s) => [s.key, s]));
    const directShapes: string[] = [];
    const shapes = (time.shapes ?? []).map((s) => {
      const d = otherShapes.get(s.key);
      if (d === undefined || !(d.totalMs < s.totalMs * (1 - switchMargin))) return s;
      directShapes.push(s.key);
      return d;
    });
    decisions.set(time.kernel, { winogradMs: time.totalMs, directMs: other.totalMs, shapes: shapes.length, directShapes });
    const totalMs = Number(shapes.reduce((sum, s) => sum + s.totalMs, 0).toFixed(3));
    return { ...time, totalMs, shapes };
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
    const variant =
      w === undefined
        ? ''
        : ` [direct GEMM for ${w.directShapes.length} of ${w.shapes} shapes; all Winograd ${w.winogradMs.toFixed(1)} ms, all direct ${w.directMs.toFixed(1)} ms]`;
    const kept =
      c.perShape === undefined
        ? `kept ${c.chosen}`
        : `stock for ${c.perShape.stockShapes.length} of ${c.perShape.shapes} shapes, tessera for the rest: ${c.perShape.chosenMs.toFixed(1)} ms`;
    return `${c.kernel} tessera ${c.tesseraMs.toFixed(1)} ms${variant} vs stock ${c.stockMs.toFixed(1)} ms (${kept})`;
  });
  return `${parts.join('; ')} [per step, ${source}]`;
}
