import {
  parseJobSpec,
  type ImageClassificationSpec,
  type ImagePredictionSpec,
  type JobSpec,
  type SegmentationPredictionSpec,
  type SegmentationSpec,
} from '@tessera/core/jobs/job-spec';
import { predictionOutputKey } from '@tessera/core/prediction/prediction-target';
import { segmentationPredictionPrefix, segmentationSummaryKey } from '@tessera/core/prediction/segmentation-outputs';
import { checkpointPrefixForJob, listCheckpoints } from '@tessera/storage/checkpoints/checkpoint-store';
import { isObjectNotFound, type ObjectStore } from '@tessera/storage/object-store';
import { CoordinatorError } from '../errors/domain-error.ts';
import type { JobRecord, JobStore } from '../store/job-store.ts';

/**
 * The coordinator's side of prediction jobs (image-prediction and segmentation-prediction): which checkpoint a job
 * predicts with (resolved when it starts, so a job queued behind its training job takes the checkpoint that job ended
 * with) and the file it leaves as its result.
 */

/** A prediction job's spec: the workloads that predict with another job's checkpoint. */
export type PredictionJobSpec = ImagePredictionSpec | SegmentationPredictionSpec;

/** The training workload whose checkpoints each prediction workload takes. */
const SOURCE_WORKLOAD = { 'image-prediction': 'image-classification', 'segmentation-prediction': 'segmentation' } as const;

/** The data-set kind each prediction workload reads. */
const DATASET_KIND = { 'image-prediction': 'image-folder', 'segmentation-prediction': 'segmentation' } as const;

export type PredictionSource =
  | { readonly ok: true; readonly checkpointKey: string; readonly step: number; readonly sourceSpec: ImageClassificationSpec | SegmentationSpec }
  | { readonly ok: false; readonly reason: string };

/** Whether `spec` predicts with another job's checkpoint (and so needs {@link resolvePredictionSource} to start). */
export function isPredictionSpec(spec: JobSpec): spec is PredictionJobSpec {
  return spec.workload === 'image-prediction' || spec.workload === 'segmentation-prediction';
}

/**
 * Why a prediction job cannot read a data set of `kind` (undefined when it can): an image-prediction reads image
 * folders, a segmentation-prediction segmentation data sets, and a mismatch would fail on every worker instead.
 */
export function predictionDatasetProblem(spec: PredictionJobSpec, dataset: { readonly name: string; readonly kind: string }): string | undefined {
  const expected = DATASET_KIND[spec.workload];
  if (dataset.kind === expected) return undefined;
  return `dataset: data set ${dataset.name} is a ${dataset.kind} data set; ${spec.workload} jobs read ${expected} data sets`;
}

/**
 * Finds the checkpoint a prediction job names: `source.step` if given, else the source job's latest complete one;
 * the source job must be of the workload the prediction reads (image-classification for image-prediction,
 * segmentation for segmentation-prediction). A reason (never a throw) when there is none, so the job fails saying why
 * instead of taking workers. Costs one listing of the source job's checkpoints.
 */
export async function resolvePredictionSource(store: JobStore, objects: ObjectStore, spec: PredictionJobSpec): Promise<PredictionSource> {
  const { jobId, step } = spec.source;
  const source = await store.getJob(jobId);
  if (!source) return { ok: false, reason: `source.jobId: job ${jobId} not found` };
  const parsed = parseJobSpec(source.spec);
  const expected = SOURCE_WORKLOAD[spec.workload];
  if (!parsed.ok || parsed.spec.workload !== expected) {
    const workload = parsed.ok ? parsed.spec.workload : 'unreadable';
    const what = spec.workload === 'image-prediction' ? 'predictions' : 'segmentation predictions';
    return { ok: false, reason: `source.jobId: job ${jobId} is ${withArticle(workload)} job; ${what} need ${withArticle(expected)} checkpoint` };
  }
  const checkpoints = await listCheckpoints(objects, checkpointPrefixForJob(jobId));
  const chosen = step === undefined ? checkpoints[0] : checkpoints.find((c) => c.step === step);
  if (!chosen) {
    const have = checkpoints.length === 0 ? `it has none (${source.state.toLowerCase()})` : `it has steps ${checkpoints.map((c) => c.step).join(', ')}`;
    const which = step === undefined ? 'no complete checkpoint' : `no complete checkpoint at step ${step}`;
    return { ok: false, reason: `source: job ${jobId} has ${which}; ${have}` };
  }
  return { ok: true, checkpointKey: chosen.manifestKey, step: chosen.step, sourceSpec: parsed.spec };
}

/** `a segmentation`, `an image-classification`. */
function withArticle(word: string): string {
  return `${/^[aeiou]/i.test(word) ? 'an' : 'a'} ${word}`;
}

/**
 * The object a job leaves as its result, or undefined for workloads whose result is a checkpoint: an image
 * prediction's CSV, a segmentation prediction's `<prefix>/summary.json` (its masks and overlays sit beside it).
 */
export function jobResultKey(job: Pick<JobRecord, 'id' | 'spec'>): string | undefined {
  const spec = job.spec as JobSpec;
  switch (spec.workload) {
    case 'image-prediction':
      return predictionOutputKey(spec, job.id);
    case 'segmentation-prediction':
      return segmentationSummaryKey(segmentationPredictionPrefix(spec, job.id));
    default:
      return undefined;
  }
}

/**
 * The bytes of a job's result file. JobNotFound for an unknown job; NoJobResult when its workload writes none or it
 * has not SUCCEEDED (a failed or running job's file may be partial or absent); CorruptData when the object is gone.
 */
export async function readJobResult(store: JobStore, objects: ObjectStore, jobId: string): Promise<{ key: string; bytes: Buffer }> {
  if (!jobId) throw new CoordinatorError({ kind: 'InvalidArgument', field: 'job_id', message: 'required' });
  const job = await store.getJob(jobId);
  if (!job) throw new CoordinatorError({ kind: 'JobNotFound', jobId });
  const key = jobResultKey(job);
  if (key === undefined) throw new CoordinatorError({ kind: 'NoJobResult', jobId, reason: `${(job.spec as JobSpec).workload} jobs write none (their checkpoints are their result)` });
  if (job.state !== 'SUCCEEDED') throw new CoordinatorError({ kind: 'NoJobResult', jobId, reason: `it is ${job.state}; its result is readable once it SUCCEEDED` });
  try {
    return { key, bytes: await objects.get(key) };
  } catch (cause) {
    if (isObjectNotFound(cause)) throw new CoordinatorError({ kind: 'CorruptData', what: `result ${key} of job ${jobId}`, message: 'the object is missing from the store' }, { cause });
    throw cause;
  }
}
