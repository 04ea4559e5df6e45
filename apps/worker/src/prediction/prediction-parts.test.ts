import { MemoryObjectStore } from '@tessera/storage/memory-object-store';
import { describe, expect, it } from 'vitest';
import { discardParts, gatherParts, mergePredictionParts, predictionPartKey } from './prediction-parts.ts';
import type { PartExchange } from './prediction-parts.ts';

/** A barrier for n in-process ranks, as the ring's all-reduce is: it returns once all n have called it. */
function barrierOf(n: number): { barrier: () => Promise<void>; calls: () => number } {
  let arrived = 0;
  let release!: () => void;
  const all = new Promise<void>((resolve) => {
    release = resolve;
  });
  return {
    barrier: () => {
      arrived += 1;
      if (arrived === n) release();
      return all;
    },
    calls: () => arrived,
  };
}

describe('mergePredictionParts', () => {
  it('joins the rows and label counts of every rank', () => {
    const merged = mergePredictionParts([
      { rows: [{ path: 'test1/2.jpg', id: '2', label: 'dog', probability: 0.9 }], known: 0, hits: 0 },
      { rows: [{ path: 'test1/1.jpg', id: '1', label: 'cat', probability: 0.6 }], known: 0, hits: 0 },
      { rows: [], known: 3, hits: 2 },
    ]);
    expect(merged).toEqual({
      rows: [
        { id: '2', label: 'dog', probability: 0.9 },
        { id: '1', label: 'cat', probability: 0.6 },
      ],
      known: 3,
      hits: 2,
    });
  });

  it('names both files when two images would share an id, across ranks too', () => {
    expect(() =>
      mergePredictionParts([
        { rows: [{ path: 'valid/dogs/1.jpg', id: '1', label: 'dog', probability: 0.9 }], known: 1, hits: 1 },
        { rows: [{ path: 'valid/cats/1.png', id: '1', label: 'cat', probability: 0.8 }], known: 1, hits: 1 },
      ]),
    ).toThrow("images valid/cats/1.png and valid/dogs/1.jpg would share the CSV id '1' (the file name without its extension); rename one");
  });

  it('keys parts by job, generation and rank', () => {
    expect(predictionPartKey('job-1', 3, 0)).toBe('jobs/job-1/prediction-parts/g3/rank-0.json');
  });
});

describe('gatherParts', () => {
  it('gives rank 0 every part in rank order once all ranks stored theirs, the others nothing; discardParts removes them', async () => {
    const objects = new MemoryObjectStore();
    const { barrier } = barrierOf(3);
    const exchanges: PartExchange[] = [0, 1, 2].map((rank) => ({ objects, jobId: 'job-7', generation: 2, rank, worldSize: 3, barrier }));
    // Rank 2 finishes first, rank 0 last: the order of the result is the ranks', not the arrivals'.
    const [g0, g1, g2] = await Promise.all([
      new Promise((r) => setTimeout(r, 20)).then(() => gatherParts(exchanges[0]!, { rank: 0 })),
      new Promise((r) => setTimeout(r, 10)).then(() => gatherParts(exchanges[1]!, { rank: 1 })),
      gatherParts(exchanges[2]!, { rank: 2 }),
    ]);
    expect(g0).toEqual([{ rank: 0 }, { rank: 1 }, { rank: 2 }]);
    expect(g1).toBeUndefined();
    expect(g2).toBeUndefined();
    expect(await objects.list('jobs/job-7/prediction-parts/')).toHaveLength(3);
    await discardParts(exchanges[0]!);
    expect(await objects.list('jobs/job-7/prediction-parts/')).toEqual([]);
  });

  it("keeps a single rank's part in memory, without the store or the barrier", async () => {
    const objects = new MemoryObjectStore();
    const { barrier, calls } = barrierOf(1);
    const exchange: PartExchange = { objects, jobId: 'job-8', generation: 0, rank: 0, worldSize: 1, barrier };
    expect(await gatherParts(exchange, { rows: 4 })).toEqual([{ rows: 4 }]);
    await discardParts(exchange);
    expect(calls()).toBe(0);
    expect(await objects.list('jobs/')).toEqual([]);
  });
});
