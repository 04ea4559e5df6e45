import { z } from 'zod';
import { learningRateSchedules } from '../training/learning-rate-schedule.ts';

/** Building blocks the workloads' spec schemas share (job-spec.ts and segmentation-spec.ts). */

export const datasetRefPattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}(@[0-9a-f]{64})?$/;

export const optimizerNames = ['adam', 'sgd', 'rmsprop'] as const;
export type OptimizerName = (typeof optimizerNames)[number];

export const int = () => z.number().int();

export const resourcesSchema = z
  .object({
    minWorkers: int().min(1).max(1024).default(1),
    /** Defaults to `minWorkers`. */
    maxWorkers: int().min(1).max(1024).optional(),
    priority: int().default(0),
  })
  .strict();

export const checkpointSchema = z.object({ everyEpochs: int().min(1).default(10) }).strict();

export const defaultImageTraining = {
  optimizer: 'adam',
  learningRate: 0.001,
  batchSize: 32,
  epochs: 30,
  seed: 1,
  metricsEveryEpochs: 1,
} as const;

export const imageTrainingSchema = z
  .object({
    optimizer: z.enum(optimizerNames).default(defaultImageTraining.optimizer),
    learningRate: z.number().gt(0).max(10).default(defaultImageTraining.learningRate),
    /** GLOBAL batch: images of one optimizer step summed over all workers (each rank takes its share). */
    batchSize: int().min(1).max(1_000_000).default(defaultImageTraining.batchSize),
    /** Defaults to 30; with `phases`, to (and must equal) the phases' sum. */
    epochs: int().min(1).max(10_000).optional(),
    /** Drives weight initialisation, per-rank shuffles, augmentation and dropout. */
    seed: int().min(0).max(2 ** 32 - 1).default(defaultImageTraining.seed),
    metricsEveryEpochs: int().min(1).default(defaultImageTraining.metricsEveryEpochs),
    /** Learning rate within each phase: `constant`, or `cosine` annealing from the rate to a thousandth of it. */
    schedule: z.enum(learningRateSchedules).default('constant'),
  })
  .strict();

/** What `source.jobId` of a prediction job may hold: a job id as the coordinator makes them (`job-0mihq3k2x7f9a2cq`). */
export const jobIdPattern = /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/;

/**
 * Why `key` cannot be a job's output object, or undefined when it can: a relative `/`-separated key with no empty,
 * `.` or `..` segment, outside the data sets and every job's checkpoints (a prediction must not overwrite either).
 */
export function outputKeyProblem(key: string): string | undefined {
  if (!/^[A-Za-z0-9._/-]+$/.test(key)) return 'may hold only letters, digits and . _ - /';
  if (key.split('/').some((segment) => segment === '' || segment === '.' || segment === '..')) return "must be a relative key with no empty, '.' or '..' segment";
  if (key.startsWith('datasets/') || /^jobs\/[^/]+\/checkpoints(\/|$)/.test(key)) return 'must not be under datasets/ or a job\'s checkpoints/';
  return undefined;
}

/** A prediction job's `source`: the training job whose checkpoint predicts, and optionally which step. */
export const predictionSourceSchema = z
  .object({
    jobId: z.string().regex(jobIdPattern, 'must be a job id (job-...)'),
    /** A step with a complete checkpoint; left out: the job's latest complete checkpoint when this job starts. */
    step: int().min(0).optional(),
  })
  .strict();

/** An object-store key (or prefix) a job may write its output under, at most `max` characters (see outputKeyProblem). */
export function outputKeySchema(max: number) {
  return z
    .string()
    .max(max)
    .superRefine((key, ctx) => {
      const problem = outputKeyProblem(key);
      if (problem) ctx.addIssue({ code: z.ZodIssueCode.custom, message: problem });
    });
}
