import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/**
 * The data-set mirror tests read (never committed to the repository): `TESSERA_DATASET_MIRROR`, else the shared
 * folder beside the checkout. Throws with what it looked for, so a missing mirror is a clear failure.
 */
export function datasetMirror(): string {
  const candidates = [
    ...(process.env.TESSERA_DATASET_MIRROR ?? '').split(':').filter(Boolean),
    path.resolve(REPO_ROOT, '../shared/datasets'),
    '/work/shared/datasets',
  ];
  const found = candidates.find((dir) => existsSync(path.join(dir, 'sonar', 'sonar.csv')));
  if (!found) throw new Error(`no data-set mirror with sonar/sonar.csv; looked in ${candidates.join(', ')} (set TESSERA_DATASET_MIRROR)`);
  return found;
}

export function sonarCsvPath(): string {
  return path.join(datasetMirror(), 'sonar', 'sonar.csv');
}
