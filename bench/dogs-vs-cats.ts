/**
 * Dogs vs cats from scratch, Chollet's small-data setting (1,000 + 1,000 training and 250 + 250 validation photos,
 * ../shared/datasets/dogs-vs-cats), as a user runs it: an embedded cluster (coordinator + 2 worker processes, wasm),
 * the folder uploaded as a zip and ingested at 64x64, then
 *   1. a single-worker job for a few epochs (the throughput baseline, same cluster, same run), and
 *   2. the 2-worker data-parallel job to the end, with validation accuracy after every epoch.
 * Writes bench/results/dogs-vs-cats.json: final and best validation accuracy, wall time from the job's start to 80%
 * and to 85% validation accuracy (null if never reached), images/s per worker of both runs and their ratio, the
 * accuracy curve. Progress goes to stderr as one line per epoch.
 *
 *   pnpm bench:dogs-vs-cats        (tsx bench/dogs-vs-cats.ts; about 35 minutes on 2 cores)
 *   BENCH_EPOCHS=50  BENCH_SINGLE_EPOCHS=2  BENCH_SPEC=file.json (a whole job spec replacing the default)
 *   TESSERA_DATASET_MIRROR=dir (default ../shared/datasets)  BENCH_RESULTS=path
 *
 * Images/s per worker come from epoch wall times (the median epoch, so the first epoch's warm-up and the checkpoint
 * epochs do not count): train images per epoch / median epoch seconds / workers, validation included.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { JobSpecInput } from '@tessera/core/jobs/job-spec';
import { datasetMirrorDirsFromEnv } from '@tessera/storage/datasets/dataset-fetcher';
import { benchLog as log, benchSpecs, runBenchJob, secondsToReach, startBenchCluster, zipFolders, type BenchRun } from './support/bench-jobs.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const RESULTS = process.env.BENCH_RESULTS ?? path.join(HERE, 'results/dogs-vs-cats.json');
const EPOCHS = Number(process.env.BENCH_EPOCHS ?? 50);
const SINGLE_EPOCHS = Number(process.env.BENCH_SINGLE_EPOCHS ?? 2);
const IMAGE_SIZE = 64;
const WORKERS = 2;
const TARGETS = [0.8, 0.85] as const;

/**
 * The job the bench trains: the small VGG with a fourth block, Keras-style augmentation as in Chollet's
 * small-data recipe (flips, rotations, shifts, zoom), Adam with cosine annealing over the whole run.
 */
export function benchSpec(epochs: number, workers: number): JobSpecInput {
  return {
    name: `dogs-vs-cats-${workers}w`,
    workload: 'image-classification',
    dataset: 'dogs-vs-cats',
    model: { name: 'small-vgg', options: { inputShape: [IMAGE_SIZE, IMAGE_SIZE, 3], blocks: [32, 64, 128, 128], denseUnits: 256, dropout: 0.5 } },
    data: { augment: { horizontalFlip: true, rotationRange: 20, widthShiftRange: 0.15, heightShiftRange: 0.15, zoomRange: 0.15 } },
    training: { optimizer: 'adam', learningRate: 0.001, schedule: 'cosine', batchSize: 32, epochs, seed: 1 },
    resources: { minWorkers: workers, maxWorkers: workers },
    checkpoint: { everyEpochs: 10 },
  };
}

/** The committed results' per-epoch shape. */
function asAccuracyCurve(run: BenchRun) {
  return {
    ...run,
    imagesPerSecondPerWorker: run.samplesPerSecondPerWorker,
    epochs: run.epochs.map((p) => ({
      epoch: p.epoch,
      seconds: p.seconds,
      trainLoss: p.metrics['train/loss'] ?? null,
      validLoss: p.metrics['valid/loss'] ?? null,
      validAccuracy: p.metrics['valid/accuracy'] ?? null,
    })),
  };
}

async function main(): Promise<void> {
  const mirror = datasetMirrorDirsFromEnv(process.env)[0] ?? path.resolve(HERE, '../../shared/datasets');
  const source = path.join(mirror, 'dogs-vs-cats');
  const benchStart = performance.now();
  log({ msg: 'bench source', source });
  const { client, close } = await startBenchCluster('dvc', WORKERS);
  try {
    const zip = await zipFolders(source, ['train', 'valid'], /\.(jpe?g|png)$/i);
    const uploadStart = performance.now();
    const dataset = await client.uploadDataset({ name: 'dogs-vs-cats', kind: 'image-folder', fileName: 'dogs-vs-cats.zip', bytes: zip, imageHeight: IMAGE_SIZE, imageWidth: IMAGE_SIZE });
    const uploadSeconds = (performance.now() - uploadStart) / 1000;
    log({ msg: 'data set ingested', summary: dataset.summary, seconds: uploadSeconds });
    const trainImages = Number(/\(([\d,]+) train/.exec(dataset.summary)?.[1]?.replaceAll(',', '') ?? NaN);

    const specFor = await benchSpecs(benchSpec);
    const progress = { trainSamples: trainImages, progress: 'valid/accuracy' };
    const single = asAccuracyCurve(await runBenchJob(client, specFor(SINGLE_EPOCHS, 1), { ...progress, workers: 1 }));
    const parallelRun = await runBenchJob(client, specFor(EPOCHS, WORKERS), { ...progress, workers: WORKERS });
    const parallel = asAccuracyCurve(parallelRun);

    const accuracies = parallel.epochs.map((p) => p.validAccuracy ?? 0);
    const timeTo = (target: number) => secondsToReach(parallelRun, 'valid/accuracy', target);
    const result = {
      benchmark: 'dogs-vs-cats',
      measuredAt: new Date().toISOString(),
      host: { cpus: os.cpus().length, model: os.cpus()[0]?.model ?? 'unknown', loadAverage: os.loadavg() },
      backend: 'wasm',
      dataset: { summary: dataset.summary, imageSize: IMAGE_SIZE, ingestSeconds: uploadSeconds },
      spec: specFor(EPOCHS, WORKERS),
      finalValidAccuracy: accuracies.at(-1) ?? null,
      bestValidAccuracy: accuracies.length > 0 ? Math.max(...accuracies) : null,
      secondsTo80: timeTo(TARGETS[0]),
      secondsTo85: timeTo(TARGETS[1]),
      imagesPerSecondPerWorker: { workers2: parallel.imagesPerSecondPerWorker, workers1: single.imagesPerSecondPerWorker },
      perWorkerRatio:
        parallel.imagesPerSecondPerWorker && single.imagesPerSecondPerWorker ? parallel.imagesPerSecondPerWorker / single.imagesPerSecondPerWorker : null,
      runs: { single, parallel },
      totalSeconds: (performance.now() - benchStart) / 1000,
    };
    await mkdir(path.dirname(RESULTS), { recursive: true });
    await writeFile(RESULTS, JSON.stringify(result, null, 2) + '\n');
    log({
      msg: 'done',
      results: RESULTS,
      state: parallel.state,
      finalValidAccuracy: result.finalValidAccuracy,
      bestValidAccuracy: result.bestValidAccuracy,
      secondsTo80: result.secondsTo80,
      secondsTo85: result.secondsTo85,
      imagesPerSecondPerWorker: result.imagesPerSecondPerWorker,
      totalSeconds: result.totalSeconds,
    });
    if (parallel.state !== 'JOB_STATE_SUCCEEDED') process.exitCode = 1;
  } finally {
    await close();
  }
}

await main();
