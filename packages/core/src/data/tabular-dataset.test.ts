import { describe, expect, it } from 'vitest';
import { loadSonarTable } from '../testing/sonar-fixture.ts';
import { encodeLabels, prepareTabularDataset, splitIndices, stratifiedSplitIndices } from './tabular-dataset.ts';

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

describe('stratifiedSplitIndices', () => {
  const countOf = (labels: Int32Array, rows: Int32Array, id: number): number =>
    rows.reduce((n, row) => n + (labels[row] === id ? 1 : 0), 0);

  it('keeps every class proportion within one row in both splits, for many seeds and fractions', () => {
    // 111 of class 0 and 97 of class 1, as Sonar; plus a 3-class set with a rare class.
    const sonarLike = Int32Array.from({ length: 208 }, (_, i) => (i % 15 < 8 ? 0 : 1));
    const threeClass = Int32Array.from({ length: 101 }, (_, i) => (i < 5 ? 2 : i % 2));
    for (const labels of [sonarLike, threeClass]) {
      for (const testFraction of [0.1, 0.25, 0.4, 0.5, 0.9]) {
        for (let seed = 0; seed < 20; seed += 1) {
          const { train, test } = stratifiedSplitIndices(labels, testFraction, seed);
          expect(test.length).toBe(splitIndices(labels.length, testFraction, seed).test.length);
          expect([...train, ...test].sort((a, b) => a - b)).toEqual(Array.from(labels.keys()));
          for (const id of new Set(labels)) {
            const classRows = countOf(labels, Int32Array.from(labels.keys()), id);
            expect(Math.abs(countOf(labels, test, id) - classRows * testFraction)).toBeLessThan(1);
            expect(Math.abs(countOf(labels, train, id) - classRows * (1 - testFraction))).toBeLessThan(1);
          }
        }
      }
    }
  });

  it('is deterministic for a seed, differs across seeds and interleaves the classes', () => {
    const labels = Int32Array.from({ length: 208 }, (_, i) => (i < 111 ? 0 : 1));
    const a = stratifiedSplitIndices(labels, 0.4, 42);
    expect(stratifiedSplitIndices(labels, 0.4, 42)).toEqual(a);
    expect(stratifiedSplitIndices(labels, 0.4, 43).test).not.toEqual(a.test);
    // 44.4 + 38.8 rows: the larger remainder (class 1) takes the 83rd test row.
    expect([countOf(labels, a.test, 0), countOf(labels, a.test, 1)]).toEqual([44, 39]);
    const firstHalf = a.test.subarray(0, 41);
    expect(countOf(labels, firstHalf, 0)).toBeGreaterThan(0);
    expect(countOf(labels, firstHalf, 1)).toBeGreaterThan(0);
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

  it('stratifies the split when asked: the test split keeps the M/R proportion of the whole set', () => {
    const plain = prepareTabularDataset(table, { standardize: false, testFraction: 0.4, splitSeed: 42 });
    const expectedPlain = splitIndices(208, 0.4, 42).test.map((row) => (table.labels[row] === 'R' ? 1 : 0));
    expect(plain.test.labels).toEqual(expectedPlain);
    const wholeR = table.labels.filter((label) => label === 'R').length;
    for (let seed = 1; seed <= 10; seed += 1) {
      const dataset = prepareTabularDataset(table, {
        standardize: false,
        testFraction: 0.4,
        splitSeed: seed,
        stratify: true,
      });
      const testR = dataset.test.labels.reduce((n, id) => n + id, 0);
      expect(Math.abs(testR - wholeR * 0.4)).toBeLessThan(1);
      expect(dataset.test.rows).toBe(83);
    }
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
