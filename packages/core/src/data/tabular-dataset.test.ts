import { describe, expect, it } from 'vitest';
import { loadSonarTable } from '../testing/sonar-fixture.ts';
import { encodeLabels, prepareTabularDataset, splitIndices } from './tabular-dataset.ts';

describe('encodeLabels', () => {
  it('maps sorted unique labels to 0..k-1 regardless of row order', () => {
    expect(encodeLabels(['R', 'M', 'R'])).toEqual({ ids: Int32Array.from([1, 0, 1]), mapping: ['M', 'R'] });
    expect(encodeLabels(['b', 'c', 'a']).mapping).toEqual(['a', 'b', 'c']);
  });
});

describe('splitIndices', () => {
  it('is a deterministic partition for a seed and differs across seeds', () => {
    const a = splitIndices(208, 0.4, 42);
    const b = splitIndices(208, 0.4, 42);
    const c = splitIndices(208, 0.4, 43);
    expect(a).toEqual(b);
    expect(a.test).not.toEqual(c.test);
    expect(a.test.length).toBe(83);
    expect(a.train.length).toBe(125);
    const all = [...a.train, ...a.test].sort((x, y) => x - y);
    expect(all).toEqual(Array.from({ length: 208 }, (_, i) => i));
  });

  it('keeps at least one row on each side', () => {
    expect(splitIndices(2, 0.01, 1).test.length).toBe(1);
    expect(splitIndices(2, 0.99, 1).train.length).toBe(1);
  });
});

describe('prepareTabularDataset on Sonar', () => {
  const table = loadSonarTable();

  it('reads 208 rows of 60 features with labels M and R', () => {
    expect(table.rowCount).toBe(208);
    expect(table.featureCount).toBe(60);
    const dataset = prepareTabularDataset(table, { standardize: false, testFraction: 0.4, splitSeed: 1 });
    expect(dataset.labelMapping).toEqual(['M', 'R']);
    expect(dataset.classCount).toBe(2);
    expect(dataset.standardization).toBeNull();
  });

  it('standardises with training-split statistics only', () => {
    const dataset = prepareTabularDataset(table, { standardize: true, testFraction: 0.4, splitSeed: 1 });
    const { train, test, featureCount } = dataset;
    for (const f of [0, 17, 59]) {
      let sum = 0;
      let sq = 0;
      for (let r = 0; r < train.rows; r += 1) {
        const v = train.features[r * featureCount + f] ?? 0;
        sum += v;
        sq += v * v;
      }
      expect(sum / train.rows).toBeCloseTo(0, 5);
      expect(sq / train.rows).toBeCloseTo(1, 4);
    }
    // The test split is scaled by the same statistics, so its mean is not exactly zero.
    let testSum = 0;
    for (let r = 0; r < test.rows; r += 1) testSum += test.features[r * featureCount] ?? 0;
    expect(Math.abs(testSum / test.rows)).toBeGreaterThan(1e-4);
  });
});
