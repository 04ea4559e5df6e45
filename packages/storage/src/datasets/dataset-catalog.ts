/** How a data set's bytes are to be read; manifests and the jobs API carry it as a string. */
export type DatasetKind = 'tabular-csv' | 'image-folder' | 'segmentation';

/**
 * A public data set Tessera knows how to obtain: where upstream serves it, the sha256 its bytes must have, and where
 * it sits inside a local mirror directory (`TESSERA_DATASET_MIRROR`), for clusters without internet access.
 */
export interface DatasetCatalogEntry {
  readonly name: string;
  readonly kind: DatasetKind;
  readonly description: string;
  readonly url: string;
  readonly sha256: string;
  readonly sizeBytes: number;
  /** Path of the file relative to a mirror directory, `/`-separated. */
  readonly mirrorPath: string;
  /** Name the file gets in the cache and in the uploaded data set. */
  readonly fileName: string;
}

export const SONAR_DATASET: DatasetCatalogEntry = {
  name: 'sonar',
  kind: 'tabular-csv',
  description:
    'UCI Connectionist Bench (Sonar, Mines vs. Rocks): 208 rows, 60 band energies in [0, 1] and an R/M label, no header',
  url: 'https://archive.ics.uci.edu/ml/machine-learning-databases/undocumented/connectionist-bench/sonar/sonar.all-data',
  sha256: 'e90434cdbf00fcf93ffa911fe447ae25606979658e60f1d32e155c3b5240234d',
  sizeBytes: 87_776,
  mirrorPath: 'sonar/sonar.csv',
  fileName: 'sonar.csv',
};

export const DATASET_CATALOG: readonly DatasetCatalogEntry[] = [SONAR_DATASET];

/** The catalog entry named `name`, or undefined when Tessera does not know that data set. */
export function findCatalogDataset(name: string): DatasetCatalogEntry | undefined {
  return DATASET_CATALOG.find((entry) => entry.name === name);
}
