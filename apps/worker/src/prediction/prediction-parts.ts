import type { PredictionRow } from '@tessera/core/prediction/predictions-csv';

/** What one rank of a prediction job predicted: its rows (with the image path, for errors) and its label hits. */
export interface PredictionPart {
  readonly rows: ReadonlyArray<PredictionRow & { readonly path: string }>;
  /** Images whose data-set label is a class of the model, and how many of those were predicted right. */
  readonly known: number;
  readonly hits: number;
}

/**
 * Where rank `rank` leaves its part for rank 0. Keyed by generation, so a restarted run never merges a part left by
 * the one before it.
 */
export function predictionPartKey(jobId: string, generation: number, rank: number): string {
  return `jobs/${jobId}/prediction-parts/g${generation}/rank-${rank}.json`;
}

/**
 * Joins every rank's rows and label counts. Two images with the same id (`cats/1.jpg` and `dogs/1.jpg` both give
 * `1`) would make an ambiguous CSV, so they fail naming both files.
 */
export function mergePredictionParts(parts: readonly PredictionPart[]): { rows: PredictionRow[]; known: number; hits: number } {
  const seen = new Map<string, string>();
  const rows: PredictionRow[] = [];
  let known = 0;
  let hits = 0;
  for (const part of parts) {
    known += part.known;
    hits += part.hits;
    for (const row of part.rows) {
      const other = seen.get(row.id);
      if (other !== undefined) {
        const [a, b] = [other, row.path].sort();
        throw new Error(`images ${a ?? ''} and ${b ?? ''} would share the CSV id '${row.id}' (the file name without its extension); rename one`);
      }
      seen.set(row.id, row.path);
      rows.push({ id: row.id, label: row.label, probability: row.probability });
    }
  }
  return { rows, known, hits };
}
