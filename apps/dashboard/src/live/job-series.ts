import type { MetricView } from './job-view.ts';

/** Series names on the per-epoch charts, in legend order. */
export const EPOCH_LOSS_SERIES = ['train/loss', 'test/loss'] as const;
export const EPOCH_ACCURACY_SERIES = ['train/accuracy', 'test/accuracy'] as const;
export const STEP_LOSS_SERIES = 'train/step_loss';

/** uPlot's column layout: x values, then one array per series (null where a series has no point). */
export type ChartColumns = [number[], ...(number | null)[][]];

/**
 * Accumulates a job's metrics into chart columns as they stream in, in O(1) per point. A run resumed from a
 * checkpoint replays steps it had already reported: a step at or before the last one drops the points from there
 * on, so the chart shows the run that counts, not both.
 */
export class JobSeries {
  readonly stepX: number[] = [];
  readonly stepLoss: number[] = [];
  private readonly epochs = new Map<number, Map<string, number>>();
  private epochColumnsCache: Map<string, ChartColumns> | undefined;

  add(metric: MetricView): void {
    const key = `${metric.split}/${metric.name}`;
    if (key === STEP_LOSS_SERIES) {
      this.addStep(metric.step, metric.value);
      return;
    }
    let row = this.epochs.get(metric.epoch);
    if (!row) this.epochs.set(metric.epoch, (row = new Map<string, number>()));
    row.set(key, metric.value);
    this.epochColumnsCache = undefined;
  }

  private addStep(step: number, value: number): void {
    const last = this.stepX.at(-1);
    if (last !== undefined && step <= last) {
      let keep = this.stepX.length;
      while (keep > 0 && this.stepX[keep - 1]! >= step) keep--;
      this.stepX.length = keep;
      this.stepLoss.length = keep;
    }
    this.stepX.push(step);
    this.stepLoss.push(value);
  }

  stepColumns(): ChartColumns {
    return [this.stepX, this.stepLoss];
  }

  /** Per-epoch columns for the given series names, epochs ascending. */
  epochColumns(names: readonly string[]): ChartColumns {
    const cacheKey = names.join('|');
    this.epochColumnsCache ??= new Map();
    const cached = this.epochColumnsCache.get(cacheKey);
    if (cached) return cached;
    const epochs = [...this.epochs.keys()].sort((a, b) => a - b);
    const columns: ChartColumns = [epochs, ...names.map((name) => epochs.map((e) => this.epochs.get(e)?.get(name) ?? null))];
    this.epochColumnsCache.set(cacheKey, columns);
    return columns;
  }

  /** The value of `split/name` at the latest epoch that reported it. */
  latest(name: string): number | undefined {
    let best: { epoch: number; value: number } | undefined;
    for (const [epoch, row] of this.epochs) {
      const value = row.get(name);
      if (value !== undefined && (!best || epoch > best.epoch)) best = { epoch, value };
    }
    return best?.value;
  }

  get epochCount(): number {
    return this.epochs.size;
  }
}
