import { writeFile } from 'node:fs/promises';
import { parseJobSpec } from '@tessera/core/jobs/job-spec';
import { parseCheckpointRef } from '@tessera/core/prediction/prediction-target';
import type { TesseraClient } from '../tessera-client.ts';
import { watchCommand } from './commands.ts';

const out = (line: string) => process.stdout.write(line + '\n');

export interface PredictOptions {
  /** `JOB_ID` (its latest checkpoint) or `JOB_ID@STEP`. */
  checkpoint: string;
  dataset: string;
  split?: string;
  /** Object-store key of the CSV; default `jobs/<id>/predictions.csv`. */
  out?: string;
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
  ['resources', '--workers'],
  ['name', '--name'],
];

/**
 * `tessera predict --checkpoint JOB[@STEP] --dataset NAME`: submits an image-prediction job, validated locally with
 * the shared schema first. With `--download FILE` it follows the job and saves the CSV when it succeeds.
 */
export async function predictCommand(client: TesseraClient, options: PredictOptions): Promise<number> {
  const source = parseCheckpointRef(options.checkpoint);
  const spec = {
    name: options.name ?? `predict-${options.dataset}`,
    workload: 'image-prediction',
    source,
    dataset: options.dataset,
    ...(options.split === undefined ? {} : { split: options.split }),
    ...(options.out === undefined ? {} : { output: { key: options.out } }),
    resources: { minWorkers: options.workers },
  };
  const parsed = parseJobSpec(spec);
  if (!parsed.ok) {
    const flag = FLAG_BY_FIELD.find(([field]) => parsed.field === field || parsed.field.startsWith(`${field}.`))?.[1];
    throw new Error(`${flag ?? 'spec'}: ${parsed.field}: ${parsed.message}`);
  }
  const job = await client.submitJob(parsed.spec, { idempotencyKey: `predict:${options.checkpoint}:${options.dataset}:${Date.now()}` });
  out(`submitted ${job.id} (${job.name}): predictions will be at ${job.resultKey}`);
  if (!options.watch && options.download === undefined) return 0;
  const code = await watchCommand(client, job.id);
  if (code !== 0 || options.download === undefined) return code;
  return resultCommand(client, job.id, options.download);
}

/** `tessera result JOB_ID [--download FILE]`: a finished job's result file (a predictions CSV), to FILE or stdout. */
export async function resultCommand(client: TesseraClient, jobId: string, file: string | undefined): Promise<number> {
  const bytes = await client.readJobResult(jobId);
  if (file === undefined) {
    process.stdout.write(bytes);
    return 0;
  }
  await writeFile(file, bytes);
  const rows = Math.max(0, bytes.toString('utf8').split('\n').filter(Boolean).length - 1);
  out(`saved ${rows} predictions to ${file}`);
  return 0;
}
