import { describe, expect, it } from 'vitest';
import { planPlacements } from './job-scheduler.ts';

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
const job = (id: string, min: number, max: number, priority = 0, created = 0) =>
  ({ id, minWorkers: min, maxWorkers: max, priority, createdAt: at(created) });

describe('planPlacements', () => {
  it('starts a gang job only when its minimum is idle', () => {
    expect(planPlacements([job('a', 3, 3)], ['w1', 'w2'])).toEqual([]);
    expect(planPlacements([job('a', 2, 2)], ['w2', 'w1'])).toEqual([{ jobId: 'a', workerIds: ['w1', 'w2'] }]);
  });

  it('takes up to maxWorkers and leaves the rest for the next job, on disjoint workers', () => {
    const plan = planPlacements([job('a', 1, 2, 0, 1), job('b', 1, 1, 0, 2)], ['w1', 'w2', 'w3']);
    expect(plan).toEqual([{ jobId: 'a', workerIds: ['w1', 'w2'] }, { jobId: 'b', workerIds: ['w3'] }]);
  });

  it('orders by priority, then by age', () => {
    const plan = planPlacements([job('old', 1, 1, 0, 1), job('urgent', 1, 1, 5, 9), job('older', 1, 1, 0, 0)], ['w1', 'w2']);
    expect(plan.map((p) => p.jobId)).toEqual(['urgent', 'older']);
  });

  it('does not let a small job jump a blocked big one', () => {
    const plan = planPlacements([job('big', 3, 3, 0, 0), job('small', 1, 1, 0, 1)], ['w1', 'w2']);
    expect(plan).toEqual([]);
  });
});
