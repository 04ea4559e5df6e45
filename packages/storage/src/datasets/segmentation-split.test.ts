import { describe, expect, it } from 'vitest';
import { assignSegmentationSplits } from './segmentation-split.ts';

const cases = Array.from({ length: 138 }, (_, index) => ({ id: `case-${String(index).padStart(3, '0')}`, labeled: index % 23 !== 0 }));

describe('assignSegmentationSplits', () => {
  it('holds out exactly round(fraction x labeled) cases and sends unlabeled ones to test', () => {
    const splits = assignSegmentationSplits(cases, 0.2, 0);
    const labeled = cases.filter((c) => c.labeled).length;
    expect(splits.valid).toHaveLength(Math.round(0.2 * labeled));
    expect(splits.train).toHaveLength(labeled - splits.valid.length);
    expect(splits.test.map((c) => c.id)).toEqual(cases.filter((c) => !c.labeled).map((c) => c.id));
    expect(new Set([...splits.train, ...splits.valid].map((c) => c.id)).size).toBe(labeled);
  });

  it('depends on the ids and seed, not on the order the cases came in', () => {
    const ids = (list: readonly { id: string }[]): string[] => list.map((c) => c.id).sort();
    const forward = assignSegmentationSplits(cases, 0.2, 7);
    const backward = assignSegmentationSplits([...cases].reverse(), 0.2, 7);
    expect(ids(backward.valid)).toEqual(ids(forward.valid));
    expect(backward.train.map((c) => c.id)).toEqual(forward.train.map((c) => c.id));
    expect(ids(assignSegmentationSplits(cases, 0.2, 8).valid)).not.toEqual(ids(forward.valid));
  });

  it('holds nothing out at fraction 0', () => {
    expect(assignSegmentationSplits(cases, 0, 0).valid).toEqual([]);
  });
});
