import { parseJobSpec, type JobSpec } from '@tessera/core/jobs/job-spec';
import type { TrainingState } from '@tessera/core/training/training-state';
import type { Assignment__Output } from '@tessera/proto/generated/tessera/workers/v1/Assignment';
import type { ObjectStore } from '@tessera/storage/object-store';
import { loadTrainingCheckpoint } from '../training/checkpoint-codec.ts';

/** What both prediction runners take from their assignment and data set before predicting. */

/** The spec of the job whose checkpoint predicts, which must be a `workload` job. */
export function sourceSpecOf<W extends JobSpec['workload']>(assignment: Assignment__Output, workload: W): Extract<JobSpec, { workload: W }> {
  if (!assignment.sourceCheckpointKey || !assignment.sourceSpecJson) {
    throw new Error('the assignment names no source checkpoint: the coordinator is older than this worker');
  }
  const parsed = parseJobSpec(JSON.parse(assignment.sourceSpecJson));
  if (!parsed.ok) throw new Error(`the source job's spec is invalid at ${parsed.field}: ${parsed.message}`);
  if (parsed.spec.workload !== workload) throw new Error(`the source job is a ${parsed.spec.workload} job, not ${workload}`);
  return parsed.spec as Extract<JobSpec, { workload: W }>;
}

/** The source job's checkpoint the coordinator resolved; a failure names the checkpoint and the job. */
export async function loadSourceCheckpoint(objects: ObjectStore, assignment: Assignment__Output, sourceJobId: string): Promise<TrainingState> {
  const key = assignment.sourceCheckpointKey;
  return loadTrainingCheckpoint(objects, key).catch((err: unknown) => {
    throw new Error(`source checkpoint ${key} of job ${sourceJobId}: ${(err as Error).message}`, { cause: err });
  });
}

/** Splits tried, in order, when the spec names none: unlabeled items first, as Kaggle's test1/ is. */
const DEFAULT_SPLITS = ['test', 'valid', 'train'] as const;
type Split = (typeof DEFAULT_SPLITS)[number];

/**
 * The split to predict: the requested one if the data set holds any of it, else the first of test, valid, train it
 * holds. `counts` are the data set's items per split, `noun` what they are (`images`, `cases`) for the messages.
 */
export function choosePredictionSplit(requested: Split | undefined, counts: Readonly<Record<Split, number>>, dataset: string, noun: string): Split {
  if (requested !== undefined) {
    if (counts[requested] === 0) throw new Error(`split: data set ${dataset} has no ${requested} ${noun}`);
    return requested;
  }
  const split = DEFAULT_SPLITS.find((s) => counts[s] > 0);
  if (split === undefined) throw new Error(`dataset: data set ${dataset} holds no ${noun}`);
  return split;
}
