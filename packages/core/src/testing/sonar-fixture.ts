import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { parseCsvTable } from '../data/csv-table.ts';
import type { CsvTable } from '../data/csv-table.ts';
import { prepareTabularDataset } from '../data/tabular-dataset.ts';
import type { TabularDataset } from '../data/tabular-dataset.ts';
import type { TabularClassificationSpec } from '../jobs/job-spec.ts';

/** The shared Sonar CSV (never copied into the repo); TESSERA_SONAR_CSV overrides the path. */
export const sonarCsvPath = process.env['TESSERA_SONAR_CSV'] ?? '/work/shared/datasets/sonar/sonar.csv';

/** Switches tfjs to the wasm backend (the CPU default: ~16× faster than `cpu` here). */
export async function useWasmBackend(): Promise<void> {
  if (!(await tf.setBackend('wasm'))) {
    throw new Error('the tfjs wasm backend failed to initialise');
  }
  await tf.ready();
}

export function loadSonarTable(): CsvTable {
  const parsed = parseCsvTable(readFileSync(sonarCsvPath, 'utf8'), { fileName: 'sonar.csv' });
  if (!parsed.ok) {
    throw new Error(parsed.error.message);
  }
  return parsed.table;
}

/** The Sonar data set prepared as `spec.data` says (split seed, test fraction, stratification, standardisation). */
export function sonarDataset(spec: TabularClassificationSpec, table: CsvTable = loadSonarTable()): TabularDataset {
  return prepareTabularDataset(table, {
    standardize: spec.data.standardize,
    testFraction: spec.data.testFraction,
    splitSeed: spec.data.splitSeed,
    stratify: spec.data.stratify,
  });
}
