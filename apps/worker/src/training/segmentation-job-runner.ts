import { rankRange } from '@tessera/core/data/image-shard-reader';
import { buildModel } from '@tessera/core/models/model-registry';
import { SegmentationDataParallelTrainer } from '@tessera/core/training/segmentation-data-parallel-trainer';
import type { Assignment__Output } from '@tessera/proto/generated/tessera/workers/v1/Assignment';
import { readSegmentationManifest } from '@tessera/storage/datasets/segmentation-manifest';
import { fetchRankSegmentation } from '@tessera/storage/datasets/segmentation-shard-fetch';
import type { JobRun, ReportFn } from '../agent/worker-agent.ts';
import { runRankJob, trainToCompletion, type RunnerContext } from './rank-job-run.ts';
import { paddingNote, segmentationInputProblem } from './segmentation-input-check.ts';

/**
 * Runs one rank of a segmentation job: checks the U-Net against the data set (dimensions, slice size), fetches only
 * this rank's share of the train and valid cases (the shards that hold them; 3D jobs with fewer train volumes than
 * ranks give every rank every volume), builds the U-Net from the spec with the
 * data set's class count and trains it in lock-step with the other ranks over the gRPC ring. Rank 0 reports progress
 * and checkpoints; every rank scores its valid cases each `metricsEveryEpochs` (one extra all-reduce).
 */
export function runSegmentationJob(
  assignment: Assignment__Output,
  report: ReportFn,
  throughput: (samplesPerSecond: number) => void,
  ctx: RunnerContext,
): JobRun {
  return runRankJob(assignment, report, throughput, ctx, async ({ spec, rank, worldSize, signal, log, openRing, defer, onFirstGradients }) => {
    if (spec.workload !== 'segmentation') throw new Error(`the segmentation runner cannot run a '${spec.workload}' job`);
    const manifest = await readSegmentationManifest(ctx.objects, assignment.datasetManifestKey);
    const info = manifest.segmentation;
    if (info.splits.train === 0) {
      throw new Error(`dataset: ${manifest.name} holds no labeled train cases (only ${info.splits.test} unlabeled): it can be predicted (segmentation-prediction), not trained on`);
    }
    const problem = segmentationInputProblem(spec.model, manifest.name, info);
    if (problem !== undefined) throw new Error(problem);
    const padding = paddingNote(spec.model, info);
    if (padding !== undefined && rank === 0) await report({ info: padding });
    // Patch training with fewer volumes than ranks (one template, a handful of CTs): every rank holds every train
    // volume and draws its own patches of them (the trainer seeds patches by rank), so no rank sits idle.
    const shareVolumes = info.dims === 3 && info.splits.train < worldSize;
    const trainShare = shareVolumes ? { rank: 0, worldSize: 1 } : { rank, worldSize };
    const [train, valid] = await Promise.all([
      fetchRankSegmentation(ctx.objects, manifest, { split: 'train', ...trainShare }),
      fetchRankSegmentation(ctx.objects, manifest, { split: 'valid', rank, worldSize }),
    ]);
    const trainCounts = Array.from({ length: worldSize }, (_, r) => {
      if (shareVolumes) return info.splits.train;
      const { start, end } = rankRange(info.splits.train, r, worldSize);
      return end - start;
    });
    if (shareVolumes && rank === 0) {
      await report({ info: `${info.splits.train} train volume(s) for ${worldSize} workers: every rank draws its own patches of each` });
    }
    log.info('segmentation cases fetched', { train: train.length, valid: valid.length, dims: info.dims });
    const model = buildModel(spec.model, { seed: spec.training.seed, classCount: info.classNames.length });
    defer(() => model.dispose());
    const trainer = new SegmentationDataParallelTrainer({
      spec,
      model,
      classNames: info.classNames,
      train,
      valid,
      trainCounts,
      rank,
      worldSize,
      allReduceSum: openRing(),
      onFirstGradients,
    });
    defer(() => trainer.dispose());
    await trainToCompletion(trainer, { assignment, report, throughput, objects: ctx.objects, spec, rank, worldSize, signal, log });
    log.info('run finished', { step: trainer.step });
  });
}
