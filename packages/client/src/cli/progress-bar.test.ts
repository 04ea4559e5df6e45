import { describe, expect, it } from 'vitest';
import { formatDuration, renderProgress } from './progress-bar.ts';

describe('renderProgress', () => {
  it('fills the bar in proportion and extrapolates the ETA', () => {
    expect(renderProgress('train', 0.5, 'epoch 5/10', 10_000, 10)).toBe('train [#####-----]  50% epoch 5/10 ETA 10s');
  });
  it('has no ETA at the start or the end', () => {
    expect(renderProgress('x', 0, '', 0, 4)).toBe('x [----]   0%');
    expect(renderProgress('x', 1, '', 5_000, 4)).toBe('x [####] 100%');
  });
  it('formats durations', () => {
    expect(formatDuration(59_000)).toBe('59s');
    expect(formatDuration(61_000)).toBe('1m01s');
    expect(formatDuration(3_600_000 + 120_000)).toBe('1h02m');
  });
});
