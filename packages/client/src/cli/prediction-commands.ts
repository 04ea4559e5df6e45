import { writeFile } from 'node:fs/promises';
import { parseJobSpec } from '@tessera/core/jobs/job-spec';
import { parseCheckpointRef } from '@tessera/core/prediction/prediction-target';
import type { Job, TesseraClient } from '../tessera-client.ts';
import { watchCommand } from './commands.ts';

const out = (line: string) => process.stdout.write(line + '\n');

export interface PredictOptions {
  /** `JOB_ID` (its latest checkpoint) or `JOB_ID@STEP`. */
  checkpoint: string;
  dataset: string;
  split?: string;
  /**
   * Image predictions: object-store key of the CSV (default `jobs/<id>/predictions.csv`); segmentation predictions:
   * the prefix of the masks, overlays and summary (default `jobs/<id>/predictions`).
   */
  out?: string;
  /** Segmentation predictions: probability above which a voxel is foreground (default 0.5). */
  threshold?: number;
  name?: string;
  workers: number;
  watch: boolean;
  /** Local file to save the CSV to once the job succeeds (implies watching). */
  download?: string;
}

/** Spec fields → the flag that sets them, so a schema error names what the user typed. */
const FLAG_BY_FIELD: ReadonlyArray<[string, string]> = [
  ['source', '--checkpoint'],
  ['dataset', '--dataset'],
  ['split', '--split'],
  ['output', '--out'],
  ['threshold', '--threshold'],
  ['resources', '--workers'],
  ['name', '--name'],
];

/**
 * The prediction workload for a checkpoint of `source` (a job as the coordinator returns it, undefined when there is
 * none): a segmentation job's checkpoints predict masks, anything else classifies images (and the coordinator fails
 * the job naming the source when it is no image-classification job either).
 */
export function predictionWorkloadFor(source: Pick<Job, 'specJson'> | undefined): 'image-prediction' | 'segmentation-prediction' {
  if (source === undefined) return 'image-prediction';
  try {
    return (JSON.parse(source.specJson) as { workload?: unknown }).workload === 'segmentation' ? 'segmentation-prediction' : 'image-prediction';
  } catch {
    return 'image-prediction';
  }
}

/** The prediction spec `tessera predict` submits, before the shared schema checks it. */
export function predictionSpec(options: PredictOptions, workload: 'image-prediction' | 'segmentation-prediction'): Record<string, unknown> {
  const segmentation = workload === 'segmentation-prediction';
  if (!segmentation && options.threshold !== undefined) throw new Error('--threshold: only segmentation predictions (from a segmentation job\'s checkpoint) take a threshold');
  return {
    name: options.name ?? `predict-${options.dataset}`,
    workload,
    source: parseCheckpointRef(options.checkpoint),
    dataset: options.dataset,
    ...(options.split === undefined ? {} : { split: options.split }),
    ...(options.out === undefined ? {} : { output: segmentation ? { prefix: options.out } : { key: options.out } }),
    ...(options.threshold === undefined ? {} : { threshold: options.threshold }),
    resources: { minWorkers: options.workers },
  };
}

/**
 * `tessera predict --checkpoint JOB[@STEP] --dataset NAME`: submits an image-prediction job, or a
 * segmentation-prediction job when the checkpoint's job is a segmentation job (one GetJob to find out), validated
 * locally with the shared schema first. With `--download FILE` it follows the job and saves its result (the CSV, or
 * the segmentation summary.json) when it succeeds.
 */
export async function predictCommand(client: TesseraClient, options: PredictOptions): Promise<number> {
  const source = parseCheckpointRef(options.checkpoint);
  const sourceJob = await client.getJob(source.jobId).catch((err: unknown) => {
    // An unknown job still goes in: the coordinator fails it naming the missing source, as the API does.
    if ((err as { kind?: unknown }).kind === 'NotFound') return undefined;
    throw err;
  });
  const workload = predictionWorkloadFor(sourceJob);
  const parsed = parseJobSpec(predictionSpec(options, workload));
  if (!parsed.ok) {
    const flag = FLAG_BY_FIELD.find(([field]) => parsed.field === field || parsed.field.startsWith(`${field}.`))?.[1];
    throw new Error(`${flag ?? 'spec'}: ${parsed.field}: ${parsed.message}`);
  }
  const job = await client.submitJob(parsed.spec, { idempotencyKey: `predict:${options.checkpoint}:${options.dataset}:${Date.now()}` });
  const what = workload === 'segmentation-prediction' ? 'the summary (masks and overlays beside it)' : 'predictions';
  out(`submitted ${job.id} (${job.name}): ${what} will be at ${job.resultKey}`);
  if (!options.watch && options.download === undefined) return 0;
  const code = await watchCommand(client, job.id);
  if (code !== 0 || options.download === undefined) return code;
  return resultCommand(client, job.id, options.download);
}

/**
 * `tessera result JOB_ID [--download FILE]`: a finished job's result file (a predictions CSV, or a segmentation
 * prediction's summary.json), to FILE or stdout.
 */
export async function resultCommand(client: TesseraClient, jobId: string, file: string | undefined): Promise<number> {
  const bytes = await client.readJobResult(jobId);
  if (file === undefined) {
    process.stdout.write(bytes);
    return 0;
  }
  await writeFile(file, bytes);
  out(`saved ${describeResult(bytes)} to ${file}`);
  return 0;
}

/** What a result file holds, for the line `tessera result --download` prints: a segmentation summary or a CSV. */
export function describeResult(bytes: Buffer): string {
  const text = bytes.toString('utf8');
  if (text.trimStart().startsWith('{')) {
    try {
      const summary = JSON.parse(text) as { cases?: unknown; split?: unknown; meanDice?: unknown };
      if (Array.isArray(summary.cases)) {
        const dice = typeof summary.meanDice === 'number' ? `, mean Dice ${summary.meanDice.toFixed(4)}` : '';
        return `the summary of ${summary.cases.length} predicted ${String(summary.split)} cases${dice}`;
      }
    } catch {
      // Not JSON after all: count it as CSV rows below.
    }
  }
  return `${Math.max(0, text.split('\n').filter(Boolean).length - 1)} predictions`;
}
