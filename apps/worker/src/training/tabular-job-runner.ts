import { parseCsvTable } from '@tessera/core/data/csv-table';
import { prepareTabularDataset } from '@tessera/core/data/tabular-dataset';
import { buildMlp } from '@tessera/core/models/mlp';
import { DataParallelTrainer } from '@tessera/core/training/data-parallel-trainer';
import type { Assignment__Output } from '@tessera/proto/generated/tessera/workers/v1/Assignment';
import type { JobRun, ReportFn } from '../agent/worker-agent.ts';
import { readDatasetThroughCache } from './dataset-cache.ts';
import { runRankJob, trainToCompletion, type RunnerContext } from './rank-job-run.ts';

export type { RunnerContext } from './rank-job-run.ts';

/**
 * Runs one rank of a tabular-classification job: data from the store (cached by hash), the seeded MLP, ring
 * all-reduce over gRPC with its neighbours, checkpoints and metrics from rank 0, and a final report from every rank.
 */
export function runTabularJob(
  assignment: Assignment__Output,
  report: ReportFn,
  throughput: (samplesPerSecond: number) => void,
  ctx: RunnerContext,
): JobRun {
  return runRankJob(assignment, report, throughput, ctx, async ({ spec, rank, worldSize, signal, log, openRing, defer, onFirstGradients }) => {
    if (spec.workload !== 'tabular-classification') throw new Error(`the tabular runner cannot run a '${spec.workload}' job`);
    const { fileName, bytes } = await readDatasetThroughCache(ctx.objects, assignment.datasetManifestKey, ctx.cacheDir);
    const csv = parseCsvTable(bytes.toString('utf8'), { fileName, labelColumn: spec.data.labelColumn, header: spec.data.header });
    if (!csv.ok) throw new Error(csv.error.message);
    const dataset = prepareTabularDataset(csv.table, {
      standardize: spec.data.standardize,
      stratify: spec.data.stratify,
      testFraction: spec.data.testFraction,
      splitSeed: spec.data.splitSeed,
    });
    const model = buildMlp({ hidden: spec.model.hidden, inputSize: dataset.featureCount, classCount: dataset.classCount, seed: spec.training.seed });
    defer(() => model.dispose());
    const trainer = new DataParallelTrainer({ spec, model, dataset, rank, worldSize, evaluate: rank === 0, allReduceSum: openRing(), onFirstGradients });
    defer(() => trainer.dispose());
    await trainToCompletion(trainer, { assignment, report, throughput, objects: ctx.objects, spec, rank, worldSize, signal });
    log.info('run finished', { step: trainer.step });
  });
}
