import { describe, expect, it } from 'vitest';
import { formatBytes } from './byte-size.ts';
import { estimateRemainingMs, formatAge, formatDuration } from './durations.ts';
import { hasEnded, isJobState, stateLabel } from './job-state.ts';

describe('formatting', () => {
  it('formats durations coarsely', () => {
    expect(formatDuration(4_400)).toBe('4 s');
    expect(formatDuration(125_000)).toBe('2 min');
    expect(formatDuration(7_500_000)).toBe('2 h 5 min');
    expect(formatDuration(5 * 86_400_000)).toBe('5 d');
    expect(formatDuration(-1)).toBe('—');
    expect(formatAge('', 0)).toBe('—');
    expect(formatAge('2026-01-01T00:00:00Z', Date.parse('2026-01-01T00:00:30Z'))).toBe('30 s');
  });

  it('estimates the time left from the rate so far', () => {
    expect(estimateRemainingMs(25, 100, 10_000)).toBe(30_000);
    expect(estimateRemainingMs(0, 100, 10_000)).toBeUndefined();
    expect(estimateRemainingMs(100, 100, 10_000)).toBeUndefined();
  });

  it('formats byte sizes in binary units', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(87_776)).toBe('85.7 KiB');
    expect(formatBytes(3 * 1024 ** 3)).toBe('3.00 GiB');
  });

  it('names states for people', () => {
    expect(stateLabel('JOB_STATE_RUNNING')).toBe('running');
    expect(stateLabel('WORKER_STATE_IDLE')).toBe('idle');
    expect(isJobState('JOB_STATE_FAILED')).toBe(true);
    expect(isJobState('JOB_STATE_BOGUS')).toBe(false);
    expect(hasEnded('JOB_STATE_CANCELLED')).toBe(true);
    expect(hasEnded('JOB_STATE_QUEUED')).toBe(false);
  });
});
