import { describe, expect, it } from 'vitest';
import { JobSeries } from './job-series.ts';
import type { MetricView } from './job-view.ts';

const metric = (split: string, name: string, step: number, epoch: number, value: number): MetricView => ({ split, name, step, epoch, value, at: '' });

describe('JobSeries', () => {
  it('puts step losses on the step chart and epoch metrics in epoch columns with gaps as null', () => {
    const series = new JobSeries();
    series.add(metric('train', 'step_loss', 1, 0, 0.9));
    series.add(metric('train', 'step_loss', 2, 0, 0.8));
    series.add(metric('train', 'loss', 8, 1, 0.7));
    series.add(metric('test', 'loss', 8, 1, 0.75));
    series.add(metric('train', 'loss', 16, 2, 0.6));
    expect(series.stepColumns()).toEqual([[1, 2], [0.9, 0.8]]);
    expect(series.epochColumns(['train/loss', 'test/loss'])).toEqual([[1, 2], [0.7, 0.6], [0.75, null]]);
    expect(series.epochCount).toBe(2);
    expect(series.latest('train/loss')).toBe(0.6);
    expect(series.latest('test/loss')).toBe(0.75);
    expect(series.latest('test/accuracy')).toBeUndefined();
  });

  it('drops replayed steps when a run resumes from an earlier checkpoint', () => {
    const series = new JobSeries();
    for (const step of [1, 2, 3, 4, 5]) series.add(metric('train', 'step_loss', step, 0, step));
    series.add(metric('train', 'step_loss', 3, 0, 30));
    expect(series.stepColumns()).toEqual([[1, 2, 3], [1, 2, 30]]);
  });

  it('keeps the latest value when an epoch is reported again', () => {
    const series = new JobSeries();
    series.add(metric('test', 'accuracy', 8, 1, 0.5));
    const before = series.epochColumns(['test/accuracy']);
    series.add(metric('test', 'accuracy', 8, 1, 0.6));
    expect(before).toEqual([[1], [0.5]]);
    expect(series.epochColumns(['test/accuracy'])).toEqual([[1], [0.6]]);
  });
});
