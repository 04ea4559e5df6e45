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
  /**
   * Keep each class's share of rows in both splits (as scikit-learn's `train_test_split(stratify=y)`). Default false,
   * as in the job spec: the plain shuffle split of {@link splitIndices}.
   */
  readonly stratify?: boolean;
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

/**
 * Seeded stratified split: every class is shuffled on its own and sends its share of the test rows to the test
 * split, so both splits keep the class proportions (±1 row per class). The test split has the same size as
 * {@link splitIndices} gives; the rows left over after flooring each class's share go to the classes with the
 * largest fractional remainders (ties to the lower class id). `labels` are class ids 0..k−1. Both index lists are
 * shuffled (classes interleaved); the same labels and seed always give the same split.
 *
 * Use it when a class is rare enough that a plain shuffle could leave it out of (or nearly out of) a split.
 */
export function stratifiedSplitIndices(
  labels: Int32Array,
  testFraction: number,
  seed: number,
): { train: Int32Array; test: Int32Array } {
  const rowCount = labels.length;
  if (rowCount < 2) {
    throw new RangeError(`a train/test split needs at least 2 rows, got ${rowCount}`);
  }
  if (!(testFraction > 0 && testFraction < 1)) {
    throw new RangeError(`testFraction must be in (0, 1), got ${testFraction}`);
  }
  const byClass: number[][] = [];
  labels.forEach((label, row) => {
    if (!Number.isInteger(label) || label < 0) {
      throw new RangeError(`row ${row} has no class id (got ${label})`);
    }
    (byClass[label] ??= []).push(row);
  });
  const classes = Array.from(byClass, (rows) => rows ?? []);
  const testRows = Math.min(rowCount - 1, Math.max(1, Math.round(rowCount * testFraction)));
  const quota = classes.map((rows) => Math.floor(rows.length * testFraction));
  const byRemainder = classes
    .map((rows, id) => ({ id, remainder: rows.length * testFraction - (quota[id] ?? 0) }))
    .sort((a, b) => b.remainder - a.remainder || a.id - b.id);
  let missing = testRows - quota.reduce((sum, q) => sum + q, 0);
  while (missing > 0) {
    for (const { id } of byRemainder) {
      if (missing > 0 && (quota[id] ?? 0) < (classes[id]?.length ?? 0)) {
        quota[id] = (quota[id] ?? 0) + 1;
        missing -= 1;
      }
    }
  }
  const random = SeededRandom.fromSeed(seed, 'split', 'stratified');
  const test: number[] = [];
  const train: number[] = [];
  classes.forEach((rows, id) => {
    const order = random.permutation(rows.length);
    const take = quota[id] ?? 0;
    order.forEach((at, i) => {
      (i < take ? test : train).push(rows[at] ?? -1);
    });
  });
  const shuffled = (rows: number[]): Int32Array => {
    const order = random.permutation(rows.length);
    return order.map((at) => rows[at] ?? -1);
  };
  return { test: shuffled(test), train: shuffled(train) };
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
 * Turns a parsed table into a training-ready data set: labels encoded, rows split by a seeded (optionally
 * stratified) shuffle, and (when asked) features standardised with statistics of the TRAINING split only, so
 * nothing leaks from the test split.
 */
export function prepareTabularDataset(table: CsvTable, options: PrepareTabularOptions): TabularDataset {
  const { ids, mapping } = encodeLabels(table.labels);
  if (mapping.length < 2) {
    throw new RangeError(`classification needs at least 2 classes, found ${mapping.length}`);
  }
  const split =
    options.stratify === true
      ? stratifiedSplitIndices(ids, options.testFraction, options.splitSeed)
      : splitIndices(table.rowCount, options.testFraction, options.splitSeed);
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
