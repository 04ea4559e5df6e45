import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../random/seeded-random.ts';
import type { ImageRecords } from './image-shard-format.ts';
import { decodeImageShard, encodeImageShard } from './image-shard-format.ts';
import { concatImageRecords, epochOrder, imageBatches, planRankShardReads, rankRange, sliceImageRecords } from './image-shard-reader.ts';

const shards = [
  { index: 0, split: 'train', count: 4 },
  { index: 1, split: 'train', count: 4 },
  { index: 2, split: 'train', count: 2 },
  { index: 3, split: 'valid', count: 3 },
] as const;

function shard(first: number, count: number): ImageRecords {
  const records = Array.from({ length: count }, (_, i) => ({ label: (first + i) % 2, split: 'train' as const, id: `img-${first + i}` }));
  const pixels = records.map((_, i) => new Uint8Array(2 * 2 * 3).fill(first + i));
  return decodeImageShard(encodeImageShard({ height: 2, width: 2, channels: 3 }, records, pixels), `s${first}`);
}

describe('rank shard planning', () => {
  it('splits records into contiguous shares that differ by at most one', () => {
    expect([0, 1, 2].map((rank) => rankRange(10, rank, 3))).toEqual([{ start: 0, end: 3 }, { start: 3, end: 6 }, { start: 6, end: 10 }]);
    expect(() => rankRange(10, 3, 3)).toThrow(/rank 3 is not in 0..2/);
  });

  it('reads only the shards holding a rank share, trimmed to it', () => {
    expect(planRankShardReads(shards, 'train', 0, 2)).toEqual([{ shardIndex: 0, from: 0, to: 4 }, { shardIndex: 1, from: 0, to: 1 }]);
    expect(planRankShardReads(shards, 'train', 1, 2)).toEqual([{ shardIndex: 1, from: 1, to: 4 }, { shardIndex: 2, from: 0, to: 2 }]);
    expect(planRankShardReads(shards, 'valid', 0, 1)).toEqual([{ shardIndex: 3, from: 0, to: 3 }]);
    const covered = [0, 1, 2, 3].flatMap((rank) => planRankShardReads(shards, 'train', rank, 4)).reduce((sum, read) => sum + read.to - read.from, 0);
    expect(covered).toBe(10);
  });
});

describe('image batches', () => {
  it('joins and slices records without mixing up labels, ids and pixels', () => {
    const joined = concatImageRecords([sliceImageRecords(shard(0, 4), 2, 4), shard(10, 2)]);
    expect(joined.ids).toEqual(['img-2', 'img-3', 'img-10', 'img-11']);
    expect([...joined.labels]).toEqual([0, 1, 0, 1]);
    expect(joined.pixels[12]).toBe(3);
    expect(joined.pixels[47]).toBe(11);
  });

  it('yields normalised NHWC float batches in the given order, dropping a short last batch when asked', () => {
    const records = shard(0, 5);
    const batches = [...imageBatches(records, { batchSize: 2, order: [4, 0, 3, 1, 2], normalization: 'scale' })];
    expect(batches.map((batch) => batch.shape)).toEqual([[2, 2, 2, 3], [2, 2, 2, 3], [1, 2, 2, 3]]);
    expect(batches[0]?.ids).toEqual(['img-4', 'img-0']);
    expect([...(batches[0]?.y ?? [])]).toEqual([0, 0]);
    expect(batches[0]?.x[0]).toBeCloseTo(4 / 255, 6);
    expect(batches[0]?.x[12]).toBe(0);
    expect([...imageBatches(records, { batchSize: 2, normalization: 'none', dropRemainder: true })]).toHaveLength(2);
  });

  it('augments deterministically per seed', () => {
    const records = shard(0, 3);
    const run = (seed: number): number[] => {
      const random = SeededRandom.fromSeed(seed);
      const options = { horizontalFlip: true, brightnessRange: [0.5, 1.5] as const };
      return [...imageBatches(records, { batchSize: 3, augment: { options, random }, normalization: 'none' })].flatMap((b) => [...b.x]);
    };
    expect(run(5)).toEqual(run(5));
    expect(run(5)).not.toEqual(run(6));
  });

  it('shuffles each epoch and rank differently but reproducibly', () => {
    expect([...epochOrder(8, 1, 0, 0)]).toEqual([...epochOrder(8, 1, 0, 0)]);
    expect([...epochOrder(8, 1, 1, 0)]).not.toEqual([...epochOrder(8, 1, 0, 0)]);
    expect([...epochOrder(8, 1, 0, 0)].sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });
});
