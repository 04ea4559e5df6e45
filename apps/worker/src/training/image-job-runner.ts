import { rankRange } from '@tessera/core/data/image-shard-reader';
import { buildImageClassifier } from '@tessera/core/models/image-classifier';
import { loadPretrainedBase } from '@tessera/core/models/pretrained-base';
import { ImageDataParallelTrainer } from '@tessera/core/training/image-data-parallel-trainer';
import type { Assignment__Output } from '@tessera/proto/generated/tessera/workers/v1/Assignment';
import { readImageFolderManifest } from '@tessera/storage/datasets/image-folder-manifest';
import { fetchRankImages } from '@tessera/storage/datasets/image-shard-fetch';
import { modelImageInputShape } from '@tessera/core/models/model-registry';
import type { JobRun, ReportFn } from '../agent/worker-agent.ts';
import { storeFeatureCache } from './feature-cache.ts';
import { runRankJob, trainToCompletion, type RunnerContext } from './rank-job-run.ts';

/**
 * Runs one rank of an image-classification job: only this rank's train and valid shards are fetched from the store
 * (a few whole-shard reads), the model is built from the spec with the data set's class count, and the image
 * trainer steps in lock-step with the other ranks over the gRPC ring. Rank 0 reports progress and checkpoints;
 * every rank evaluates its valid share each epoch (one extra all-reduce). A spec's `model.weights` is loaded into
 * the base on every rank; a transfer-learning job's cached bottleneck features live under `jobs/<id>/features/`.
 */
export function runImageJob(
  assignment: Assignment__Output,
  report: ReportFn,
  throughput: (samplesPerSecond: number) => void,
  ctx: RunnerContext,
): JobRun {
  return runRankJob(assignment, report, throughput, ctx, async ({ spec, rank, worldSize, signal, log, openRing, defer, onFirstGradients, compileAhead }) => {
    if (spec.workload !== 'image-classification') throw new Error(`the image runner cannot run a '${spec.workload}' job`);
    const manifest = await readImageFolderManifest(ctx.objects, assignment.datasetManifestKey);
    const { height, width, channels, classNames } = manifest.images;
    if (manifest.images.splits.train.count === 0) {
      throw new Error(`dataset: ${manifest.name} holds only unlabeled images (no train/<class>/ folders): it can be predicted (image-prediction), not trained on`);
    }
    const expected = modelImageInputShape(spec.model);
    if (expected && (expected[0] !== height || expected[1] !== width || expected[2] !== channels)) {
      throw new Error(
        `model.options.inputShape is [${expected.join(', ')}] but data set ${manifest.name} holds ${height}x${width}x${channels} images`,
      );
    }
    const [train, valid] = await Promise.all([
      fetchRankImages(ctx.objects, manifest, { split: 'train', rank, worldSize }),
      fetchRankImages(ctx.objects, manifest, { split: 'valid', rank, worldSize }),
    ]);
    const trainTotal = manifest.images.splits.train.count;
    const trainCounts = Array.from({ length: worldSize }, (_, r) => {
      const { start, end } = rankRange(trainTotal, r, worldSize);
      return end - start;
    });
    log.info('image shards fetched', { train: train.count, valid: valid.count });
    const model = buildImageClassifier(spec, classNames.length);
    defer(() => model.dispose());
    if (spec.model.name === 'vgg16-notop' && spec.model.weights !== undefined) {
      const loaded = await loadPretrainedBase(model, spec.model.weights, ctx.objects);
      log.info('pretrained base loaded', { source: loaded.source, layers: loaded.loaded.length });
      if (rank === 0) await report({ info: `loaded ${loaded.loaded.length} base layers from ${loaded.source}` });
    }
    const featureCache = storeFeatureCache({
      objects: ctx.objects,
      jobId: assignment.jobId,
      ranges: { train: rankRange(trainTotal, rank, worldSize), valid: rankRange(manifest.images.splits.valid.count, rank, worldSize) },
      note: async (message) => {
        log.info('bottleneck features', { message });
        await report({ info: `rank ${rank} ${message}` });
      },
    });
    const trainer = new ImageDataParallelTrainer({ spec, model, classNames, train, valid, trainCounts, rank, worldSize, allReduceSum: openRing(), featureCache, onFirstGradients, onFirstForward: compileAhead });
    defer(() => trainer.dispose());
    await trainToCompletion(trainer, { assignment, report, throughput, objects: ctx.objects, spec, rank, worldSize, signal, log });
    log.info('run finished', { step: trainer.step });
  });
}
