import type { Assignment__Output } from '@tessera/proto/generated/tessera/workers/v1/Assignment';
import type { JobRun, ReportFn } from '../agent/worker-agent.ts';
import { runPredictionJob } from '../prediction/prediction-job-runner.ts';
import { runSegmentationPredictionJob } from '../prediction/segmentation-prediction-runner.ts';
import { runImageJob } from './image-job-runner.ts';
import type { RunnerContext } from './rank-job-run.ts';
import { runSegmentationJob } from './segmentation-job-runner.ts';
import { runTabularJob } from './tabular-job-runner.ts';

/**
 * Picks the runner for an assignment by its spec's `workload`. A spec that is not JSON or names no known workload
 * goes to the tabular runner, whose spec check reports the field at fault like any other failure.
 */
export function runJob(
  assignment: Assignment__Output,
  report: ReportFn,
  throughput: (samplesPerSecond: number) => void,
  ctx: RunnerContext,
): JobRun {
  let workload: unknown;
  try {
    workload = (JSON.parse(assignment.specJson) as { workload?: unknown }).workload;
  } catch {
    workload = undefined;
  }
  if (workload === 'image-prediction') return runPredictionJob(assignment, report, throughput, ctx);
  if (workload === 'segmentation-prediction') return runSegmentationPredictionJob(assignment, report, throughput, ctx);
  if (workload === 'segmentation') return runSegmentationJob(assignment, report, throughput, ctx);
  return workload === 'image-classification'
    ? runImageJob(assignment, report, throughput, ctx)
    : runTabularJob(assignment, report, throughput, ctx);
}
