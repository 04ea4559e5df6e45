import { describe, expect, it } from 'vitest';
import { mergePredictionParts, predictionPartKey } from './prediction-parts.ts';

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
