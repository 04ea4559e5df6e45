import { createHash } from 'node:crypto';
import type { SegmentationSplit } from '@tessera/core/data/segmentation-shard-format';

/** A case as the split needs it: its id and whether it has a mask. */
export interface SplitCase {
  readonly id: string;
  readonly labeled: boolean;
}

function caseHash(seed: number, id: string): string {
  return createHash('sha256').update(`tessera-segmentation-split\0${seed}\0${id}`).digest('hex');
}

/**
 * Splits cases for a segmentation data set: unlabeled cases go to `test` (to predict), sorted by id; labeled cases
 * are ordered by a seeded hash of their id and the first round(validFraction x n) become `valid`, the rest `train`
 * (in that hash order, which also mixes them across shards). Exact counts (28 of 138 at 0.2), and the same ids and
 * seed give the same split whatever order the files came in, so re-uploading a data set keeps its held-out cases.
 */
export function assignSegmentationSplits<T extends SplitCase>(cases: readonly T[], validFraction: number, seed: number): Record<SegmentationSplit, T[]> {
  const labeled = cases
    .filter((c) => c.labeled)
    .map((c) => ({ c, hash: caseHash(seed, c.id) }))
    .sort((a, b) => (a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : 0))
    .map(({ c }) => c);
  const valid = Math.round(validFraction * labeled.length);
  return {
    train: labeled.slice(valid),
    valid: labeled.slice(0, valid),
    test: cases.filter((c) => !c.labeled).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
  };
}
