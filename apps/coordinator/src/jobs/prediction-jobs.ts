import { parseJobSpec, type ImageClassificationSpec, type ImagePredictionSpec, type JobSpec } from '@tessera/core/jobs/job-spec';
import { predictionOutputKey } from '@tessera/core/prediction/prediction-target';
import { checkpointPrefixForJob, listCheckpoints } from '@tessera/storage/checkpoints/checkpoint-store';
import { isObjectNotFound, type ObjectStore } from '@tessera/storage/object-store';
import { CoordinatorError } from '../errors/domain-error.ts';
import type { JobRecord, JobStore } from '../store/job-store.ts';

/**
 * The coordinator's side of image-prediction jobs: which checkpoint a job classifies with (resolved when it starts,
 * so a job queued behind its training job takes the checkpoint that job ended with) and the CSV it leaves behind.
 */

export type PredictionSource =
  | { readonly ok: true; readonly checkpointKey: string; readonly step: number; readonly sourceSpec: ImageClassificationSpec }
  | { readonly ok: false; readonly reason: string };

/**
 * Finds the checkpoint a prediction job names: `source.step` if given, else the source job's latest complete one.
 * A reason (never a throw) when there is none, so the job fails saying why instead of taking workers. Costs one
 * listing of the source job's checkpoints.
 */
export async function resolvePredictionSource(store: JobStore, objects: ObjectStore, spec: ImagePredictionSpec): Promise<PredictionSource> {
  const { jobId, step } = spec.source;
  const source = await store.getJob(jobId);
  if (!source) return { ok: false, reason: `source.jobId: job ${jobId} not found` };
  const parsed = parseJobSpec(source.spec);
  if (!parsed.ok || parsed.spec.workload !== 'image-classification') {
    const workload = parsed.ok ? parsed.spec.workload : 'unreadable';
    return { ok: false, reason: `source.jobId: job ${jobId} is a ${workload} job; predictions need an image-classification checkpoint` };
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

/** The object a job leaves as its result (its predictions CSV), or undefined for workloads whose result is a checkpoint. */
export function jobResultKey(job: Pick<JobRecord, 'id' | 'spec'>): string | undefined {
  const spec = job.spec as JobSpec;
  return spec.workload === 'image-prediction' ? predictionOutputKey(spec, job.id) : undefined;
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
