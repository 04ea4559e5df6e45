import { segmentationPredictionPrefix, segmentationSummaryKey } from '@tessera/core/prediction/segmentation-outputs';
import { predictSegmentationCases, segmentationModelInput } from '@tessera/core/prediction/segmentation-predictor';
import { mergeSegmentationParts, scoreCase, type SegmentationCaseResult, type SegmentationPredictionPart } from '@tessera/core/prediction/segmentation-summary';
import type { Assignment__Output } from '@tessera/proto/generated/tessera/workers/v1/Assignment';
import { readSegmentationManifest, type SegmentationCase } from '@tessera/storage/datasets/segmentation-manifest';
import { fetchRankSegmentation } from '@tessera/storage/datasets/segmentation-shard-fetch';
import type { JobRun, ReportFn } from '../agent/worker-agent.ts';
import { runRankJob, type RunnerContext } from '../training/rank-job-run.ts';
import { loadCheckpointModel } from './checkpoint-model.ts';
import { discardParts, gatherParts, type PartExchange } from './prediction-parts.ts';
import { predictionProgress } from './prediction-progress.ts';
import { choosePredictionSplit, loadSourceCheckpoint, sourceSpecOf } from './prediction-source.ts';
import { writeCaseOutputs } from './segmentation-case-outputs.ts';
import { writeCaseDicomSeg } from './segmentation-dicom-seg.ts';

/**
 * Runs one rank of a segmentation-prediction job: loads the checkpoint the coordinator resolved (the model's own
 * topology and weights; intensity step and 3D patch overlap from the segmentation job that trained it), fetches this
 * rank's share of the split, predicts each case (slices in passes of `batchSize`, or volumes by sliding window) and
 * writes its mask and overlay (and, for a case of a DICOM data set, its DICOM SEG) as soon as it is done, then leaves
 * its cases' scores as a part object. One all-reduce is the barrier after which rank 0 merges every part into
 * `<prefix>/summary.json`, deletes the parts and reports the mean Dice and IoU. Bad input (no checkpoint, slice size
 * mismatch, an empty split, two cases with one output name) fails the job naming it.
 */
export function runSegmentationPredictionJob(
  assignment: Assignment__Output,
  report: ReportFn,
  throughput: (samplesPerSecond: number) => void,
  ctx: RunnerContext,
): JobRun {
  return runRankJob(assignment, report, throughput, ctx, async ({ spec, rank, worldSize, signal, log, openRing, defer, onFirstGradients }) => {
    if (spec.workload !== 'segmentation-prediction') throw new Error(`the segmentation prediction runner cannot run a '${spec.workload}' job`);
    const sourceSpec = sourceSpecOf(assignment, 'segmentation');
    const checkpoint = await loadSourceCheckpoint(ctx.objects, assignment, spec.source.jobId);
    const manifest = await readSegmentationManifest(ctx.objects, assignment.datasetManifestKey);
    const split = choosePredictionSplit(spec.split, manifest.segmentation.splits, manifest.name, 'cases');
    const model = await loadCheckpointModel(checkpoint);
    defer(() => model.dispose());
    const input = segmentationModelInput(model);
    if (input.kind === 'slices' && manifest.segmentation.size !== undefined) {
      const { height, width } = manifest.segmentation.size;
      if (height !== input.height || width !== input.width) {
        throw new Error(
          `image size mismatch: the model of job ${spec.source.jobId} (step ${checkpoint.state.step}) takes ${input.height}x${input.width} slices but data set ` +
            `${manifest.name} holds ${height}x${width}; ingest the images again at ${input.height}x${input.width}`,
        );
      }
    }

    const samples = await fetchRankSegmentation(ctx.objects, manifest, { split, rank, worldSize });
    const total = manifest.segmentation.splits[split];
    log.info('prediction shards fetched', { split, cases: samples.length, checkpoint: assignment.sourceCheckpointKey });
    const prefix = segmentationPredictionPrefix(spec, assignment.jobId);
    if (rank === 0) await report({ info: `predicting ${total} ${split} cases of ${manifest.name} on ${worldSize} worker(s) into ${prefix}/` });
    const stored = new Map<string, SegmentationCase>(manifest.segmentation.cases.map((c) => [c.id, c]));
    const classCount = manifest.segmentation.classNames.length;
    const intensity = sourceSpec.data.intensity;
    const cases: SegmentationCaseResult[] = [];
    const progress = predictionProgress({ rank, total: samples.length, report, throughput });
    await predictSegmentationCases(model, samples, {
      intensity,
      threshold: spec.threshold,
      batchSize: spec.batchSize,
      overlap: sourceSpec.data.patches.predictionOverlap,
      signal,
      // On webgpu: the model's shaders compile off the event loop before the first pass (and the kernel race, if on).
      onFirstForward: onFirstGradients,
      onCase: async (predicted) => {
        const info = stored.get(predicted.sample.id);
        if (info === undefined) throw new Error(`case '${predicted.sample.id}' of a shard is not in the manifest of ${manifest.name}`);
        await writeCaseOutputs(ctx.objects, prefix, predicted, info, intensity);
        const skipped = (reason: string): void => log.warn('no DICOM SEG for this case', { case: info.id, reason });
        const dicomSeg = await writeCaseDicomSeg(ctx.objects, manifest, prefix, info, predicted.labels, { jobId: assignment.jobId, skipped });
        cases.push({ ...scoreCase(predicted.sample.id, predicted.labels, predicted.sample.mask, classCount), dicomSeg });
        await progress(cases.length);
      },
    });
    const exchange: PartExchange = { objects: ctx.objects, jobId: assignment.jobId, generation: assignment.generation, rank, worldSize, barrier: () => openRing()(Float32Array.of(1)) };
    const parts = await gatherParts<SegmentationPredictionPart>(exchange, { cases });
    if (parts === undefined) {
      await report({ finished: true });
      return;
    }
    const summary = mergeSegmentationParts(parts, {
      job: assignment.jobId,
      sourceJob: spec.source.jobId,
      step: checkpoint.state.step,
      dataset: manifest.name,
      datasetSha256: manifest.sha256,
      split,
      threshold: spec.threshold,
    });
    const summaryKey = segmentationSummaryKey(prefix);
    await ctx.objects.put(summaryKey, Buffer.from(`${JSON.stringify(summary, null, 2)}\n`, 'utf8'));
    await discardParts(exchange);
    const metrics = [{ split: 'predict', name: 'cases', value: summary.cases.length }];
    if (summary.meanDice !== null) metrics.push({ split: 'predict', name: 'dice', value: summary.meanDice });
    if (summary.meanIou !== null) metrics.push({ split: 'predict', name: 'iou', value: summary.meanIou });
    const segs = summary.cases.filter((c) => c.dicomSeg != null).length;
    await report({ info: `wrote ${summary.cases.length} masks and overlays${segs > 0 ? ` and ${segs} DICOM SEGs` : ''} (${split} split) under ${prefix}/; summary at ${summaryKey}` });
    await report({ step: samples.length, totalSteps: samples.length, metrics, finished: true });
    log.info('segmentation predictions written', { prefix, cases: summary.cases.length, meanDice: summary.meanDice });
  });
}

