import { SeededRandom } from '../random/seeded-random.ts';
import type { CsvTable } from './csv-table.ts';

/** Class id → raw label: `labelMapping[id]`. Saved with the model so predictions can be named. */
export type LabelMapping = readonly string[];

/** Per-feature statistics of the training split (population std, as scikit-learn's StandardScaler). */
export interface Standardization {
  readonly mean: readonly number[];
  readonly std: readonly number[];
}

/** One split: row-major features and integer class ids. */
export interface TabularSplit {
  readonly features: Float32Array;
  readonly labels: Int32Array;
  readonly rows: number;
}

/** A data set ready for training: features encoded and scaled, labels encoded, split train/test. */
export interface TabularDataset {
  readonly featureCount: number;
  readonly classCount: number;
  readonly labelMapping: LabelMapping;
  /** null when the spec turned standardisation off. */
  readonly standardization: Standardization | null;
  readonly train: TabularSplit;
  readonly test: TabularSplit;
}

export interface PrepareTabularOptions {
  readonly standardize: boolean;
  /** Share of rows held out for testing, in (0, 1). */
  readonly testFraction: number;
  readonly splitSeed: number;
}

/**
 * Encodes labels as sorted unique values → 0..k−1 (sorted by UTF-16 code units, so `M` → 0, `R` → 1 on Sonar,
 * independent of locale and row order).
 */
export function encodeLabels(labels: readonly string[]): { ids: Int32Array; mapping: LabelMapping } {
  const mapping = [...new Set(labels)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const idOf = new Map(mapping.map((label, id) => [label, id]));
  const ids = new Int32Array(labels.length);
  labels.forEach((label, row) => {
    ids[row] = idOf.get(label) ?? -1;
  });
  return { ids, mapping };
}

/**
 * Seeded shuffle split of `rowCount` rows. The test split has `round(rowCount × testFraction)` rows, at least one
 * and at most `rowCount − 1`. Index lists are in shuffled order; the same seed always gives the same split.
 */
export function splitIndices(
  rowCount: number,
  testFraction: number,
  seed: number,
): { train: Int32Array; test: Int32Array } {
  if (rowCount < 2) {
    throw new RangeError(`a train/test split needs at least 2 rows, got ${rowCount}`);
  }
  if (!(testFraction > 0 && testFraction < 1)) {
    throw new RangeError(`testFraction must be in (0, 1), got ${testFraction}`);
  }
  const order = SeededRandom.fromSeed(seed, 'split').permutation(rowCount);
  const testRows = Math.min(rowCount - 1, Math.max(1, Math.round(rowCount * testFraction)));
  return { test: order.slice(0, testRows), train: order.slice(testRows) };
}

/** Mean and population std per feature over `rows` rows of row-major `features`; a constant feature gets std 1. */
export function fitStandardization(features: Float32Array, rows: number, featureCount: number): Standardization {
  const mean = new Float64Array(featureCount);
  const sq = new Float64Array(featureCount);
  for (let r = 0; r < rows; r += 1) {
    for (let f = 0; f < featureCount; f += 1) {
      mean[f] = (mean[f] ?? 0) + (features[r * featureCount + f] ?? 0);
    }
  }
  for (let f = 0; f < featureCount; f += 1) {
    mean[f] = (mean[f] ?? 0) / rows;
  }
  for (let r = 0; r < rows; r += 1) {
    for (let f = 0; f < featureCount; f += 1) {
      const d = (features[r * featureCount + f] ?? 0) - (mean[f] ?? 0);
      sq[f] = (sq[f] ?? 0) + d * d;
    }
  }
  const std = Array.from(sq, (s) => {
    const v = Math.sqrt(s / rows);
    return v > 1e-12 ? v : 1;
  });
  return { mean: Array.from(mean), std };
}

/** Scales row-major features with saved statistics; returns a new array. Used for training and for inference. */
export function applyStandardization(features: Float32Array, standardization: Standardization): Float32Array {
  const featureCount = standardization.mean.length;
  const out = new Float32Array(features.length);
  for (let i = 0; i < features.length; i += 1) {
    const f = i % featureCount;
    out[i] = ((features[i] ?? 0) - (standardization.mean[f] ?? 0)) / (standardization.std[f] ?? 1);
  }
  return out;
}

/**
 * Turns a parsed table into a training-ready data set: labels encoded, rows split by a seeded shuffle, and (when
 * asked) features standardised with statistics of the TRAINING split only, so nothing leaks from the test split.
 */
export function prepareTabularDataset(table: CsvTable, options: PrepareTabularOptions): TabularDataset {
  const { ids, mapping } = encodeLabels(table.labels);
  if (mapping.length < 2) {
    throw new RangeError(`classification needs at least 2 classes, found ${mapping.length}`);
  }
  const split = splitIndices(table.rowCount, options.testFraction, options.splitSeed);
  const featureCount = table.featureCount;
  const take = (indices: Int32Array): TabularSplit => {
    const features = new Float32Array(indices.length * featureCount);
    const labels = new Int32Array(indices.length);
    indices.forEach((row, i) => {
      features.set(table.features.subarray(row * featureCount, (row + 1) * featureCount), i * featureCount);
      labels[i] = ids[row] ?? -1;
    });
    return { features, labels, rows: indices.length };
  };
  let train = take(split.train);
  let test = take(split.test);
  let standardization: Standardization | null = null;
  if (options.standardize) {
    standardization = fitStandardization(train.features, train.rows, featureCount);
    train = { ...train, features: applyStandardization(train.features, standardization) };
    test = { ...test, features: applyStandardization(test.features, standardization) };
  }
  return { featureCount, classCount: mapping.length, labelMapping: mapping, standardization, train, test };
}
