import type { PredictionRow } from '@tessera/core/prediction/predictions-csv';
import type { ObjectStore } from '@tessera/storage/object-store';

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

/** One rank's place in a prediction job's exchange of parts. */
export interface PartExchange {
  readonly objects: ObjectStore;
  readonly jobId: string;
  readonly generation: number;
  readonly rank: number;
  readonly worldSize: number;
  /** An all-reduce every rank joins: when it returns, every rank has stored its part. Not called on one rank. */
  readonly barrier: () => Promise<unknown>;
}

/**
 * Every rank's part, in rank order, on rank 0; undefined on the others. With more than one rank each stores its part
 * (JSON) and meets the rest at the barrier, then rank 0 reads them; a single rank keeps its part in memory. Rank 0
 * calls {@link discardParts} once the merged result is written.
 */
export async function gatherParts<P>(exchange: PartExchange, part: P): Promise<P[] | undefined> {
  const { objects, jobId, generation, rank, worldSize } = exchange;
  if (worldSize === 1) return [part];
  await objects.put(predictionPartKey(jobId, generation, rank), Buffer.from(JSON.stringify(part)));
  await exchange.barrier();
  if (rank !== 0) return undefined;
  const parts: P[] = [part];
  for (let r = 1; r < worldSize; r += 1) {
    parts.push(JSON.parse((await objects.get(predictionPartKey(jobId, generation, r))).toString('utf8')) as P);
  }
  return parts;
}

/** Deletes the parts {@link gatherParts} stored (none on a single rank). */
export async function discardParts(exchange: PartExchange): Promise<void> {
  const { objects, jobId, generation, worldSize } = exchange;
  if (worldSize === 1) return;
  for (let r = 0; r < worldSize; r += 1) await objects.delete(predictionPartKey(jobId, generation, r));
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
