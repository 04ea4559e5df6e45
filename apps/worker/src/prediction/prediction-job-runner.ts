import { modelInputImageShape, predictImages, type PredictedImage } from '@tessera/core/prediction/image-predictor';
import { predictionOutputKey } from '@tessera/core/prediction/prediction-target';
import { formatPredictionsCsv } from '@tessera/core/prediction/predictions-csv';
import type { Assignment__Output } from '@tessera/proto/generated/tessera/workers/v1/Assignment';
import { readImageFolderManifest } from '@tessera/storage/datasets/image-folder-manifest';
import { fetchRankImages } from '@tessera/storage/datasets/image-shard-fetch';
import type { JobRun, ReportFn } from '../agent/worker-agent.ts';
import { runRankJob, type RunnerContext } from '../training/rank-job-run.ts';
import { loadCheckpointModel } from './checkpoint-model.ts';
import { discardParts, gatherParts, mergePredictionParts, type PartExchange, type PredictionPart } from './prediction-parts.ts';
import { predictionProgress } from './prediction-progress.ts';
import { choosePredictionSplit, loadSourceCheckpoint, sourceSpecOf } from './prediction-source.ts';

/**
 * Runs one rank of an image-prediction job: loads the checkpoint the coordinator resolved (topology, weights and
 * class names from the checkpoint; normalisation from the job that trained it), fetches this rank's share of the
 * split, classifies it, and writes its rows as a part object. One all-reduce is the barrier after which rank 0 merges
 * every part into the CSV (sorted by id, so the file does not depend on the worker count), deletes the parts and
 * reports where the CSV is. Bad input (no checkpoint, image size mismatch, an empty split, two images with one id)
 * fails the job naming it.
 */
export function runPredictionJob(
  assignment: Assignment__Output,
  report: ReportFn,
  throughput: (samplesPerSecond: number) => void,
  ctx: RunnerContext,
): JobRun {
  return runRankJob(assignment, report, throughput, ctx, async ({ spec, rank, worldSize, signal, log, openRing, defer, onFirstGradients }) => {
    if (spec.workload !== 'image-prediction') throw new Error(`the prediction runner cannot run a '${spec.workload}' job`);
    const sourceSpec = sourceSpecOf(assignment, 'image-classification');
    const checkpoint = await loadSourceCheckpoint(ctx.objects, assignment, spec.source.jobId);
    const classNames = checkpoint.state.labelMapping;
    const manifest = await readImageFolderManifest(ctx.objects, assignment.datasetManifestKey);
    const split = choosePredictionSplit(spec.split, { test: manifest.images.splits.test.count, valid: manifest.images.splits.valid.count, train: manifest.images.splits.train.count }, manifest.name, 'images');

    const model = await loadCheckpointModel(checkpoint);
    defer(() => model.dispose());
    const expected = modelInputImageShape(model);
    const { height, width, channels } = manifest.images;
    if (expected && (expected[0] !== height || expected[1] !== width || expected[2] !== channels)) {
      throw new Error(
        `image size mismatch: the model of job ${spec.source.jobId} (step ${checkpoint.state.step}) takes ${expected.join('x')} images but data set ` +
          `${manifest.name} holds ${height}x${width}x${channels}; upload the images again at ${expected[0]}x${expected[1]}`,
      );
    }

    const records = await fetchRankImages(ctx.objects, manifest, { split, rank, worldSize });
    log.info('prediction shards fetched', { split, images: records.count, checkpoint: assignment.sourceCheckpointKey });
    if (rank === 0) await report({ info: `predicting ${manifest.images.splits[split].count} ${split} images of ${manifest.name} on ${worldSize} worker(s)` });
    const progress = predictionProgress({ rank, total: records.count, report, throughput });
    const predictions = await predictImages(model, records, {
      classNames,
      normalization: sourceSpec.data.normalization,
      batchSize: spec.batchSize,
      signal,
      // On webgpu: the model's shaders compile off the event loop before the first batch (and the kernel race, if on).
      onFirstForward: onFirstGradients,
      onBatch: progress,
    });
    const exchange: PartExchange = { objects: ctx.objects, jobId: assignment.jobId, generation: assignment.generation, rank, worldSize, barrier: () => openRing()(Float32Array.of(1)) };
    const parts = await gatherParts(exchange, toPart(predictions, manifest.images.classNames, classNames));
    if (parts === undefined) {
      await report({ finished: true });
      return;
    }
    const merged = mergePredictionParts(parts);
    const outputKey = predictionOutputKey(spec, assignment.jobId);
    await ctx.objects.put(outputKey, Buffer.from(formatPredictionsCsv(merged.rows), 'utf8'));
    await discardParts(exchange);
    const metrics = [{ split: 'predict', name: 'images', value: merged.rows.length }];
    if (merged.known > 0) metrics.push({ split: 'predict', name: 'accuracy', value: merged.hits / merged.known });
    await report({ info: `wrote ${merged.rows.length} predictions (${split} split) to ${outputKey}` });
    await report({ step: records.count, totalSteps: records.count, metrics, finished: true });
    log.info('predictions written', { key: outputKey, rows: merged.rows.length });
  });
}

/**
 * Rows of one rank with the class names resolved, and the hits against the data set's labels where its class is one
 * of the checkpoint's (an unlabeled test image, or a class the model never saw, counts for neither).
 */
function toPart(predictions: readonly PredictedImage[], datasetClasses: readonly string[], modelClasses: readonly string[]): PredictionPart {
  let hits = 0;
  let known = 0;
  const rows = predictions.map((p) => {
    const trueName = p.truth >= 0 ? datasetClasses[p.truth] : undefined;
    const label = modelClasses[p.predicted] ?? String(p.predicted);
    if (trueName !== undefined && modelClasses.includes(trueName)) {
      known += 1;
      if (trueName === label) hits += 1;
    }
    return { path: p.path, id: p.id, label, probability: p.probability };
  });
  return { rows, hits, known };
}
