import type { ImagePredictionSpec } from '../jobs/job-spec.ts';

/** Where a prediction job's CSV goes unless its spec names `output.key`. */
export function defaultPredictionKey(jobId: string): string {
  return `jobs/${jobId}/predictions.csv`;
}

/** The object-store key of a prediction job's CSV: the spec's `output.key`, else `jobs/<jobId>/predictions.csv`. */
export function predictionOutputKey(spec: Pick<ImagePredictionSpec, 'output'>, jobId: string): string {
  return spec.output.key ?? defaultPredictionKey(jobId);
}

/** A checkpoint named on a command line: `JOB_ID` (its latest checkpoint) or `JOB_ID@STEP`. */
export type CheckpointRef = { readonly jobId: string; readonly step?: number };

/**
 * Parses `JOB_ID[@STEP]` into a prediction spec's `source`; throws naming what is wrong. The job id itself is checked
 * by the spec schema, so both the CLI and the API give the same message for it.
 */
export function parseCheckpointRef(ref: string): CheckpointRef {
  const at = ref.lastIndexOf('@');
  if (at < 0) return { jobId: ref };
  const step = ref.slice(at + 1);
  if (!/^[0-9]{1,15}$/.test(step)) throw new Error(`checkpoint '${ref}': the step after @ must be a whole number, got '${step}'`);
  return { jobId: ref.slice(0, at), step: Number(step) };
}
