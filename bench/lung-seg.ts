/**
 * 2D lung segmentation on the 138 Montgomery County chest X-rays with their manual lung masks
 * (../shared/datasets/lung-ct/montgomery-cxr), as a user runs it: an embedded cluster (coordinator + 2 worker
 * processes, wasm), the folder uploaded as a zip and ingested as a `segmentation` data set at 128x128 (the fixed
 * 20% held-out split: 28 cases chosen by a seeded hash of their names), then
 *   1. a single-worker job for a few epochs (the throughput baseline, same cluster, same run), and
 *   2. the 2-worker data-parallel job to the end, with held-out Dice and IoU after every epoch.
 * Writes bench/results/lung-seg.json: final and best held-out Dice and IoU, wall time from the job's start to Dice
 * 0.90 and 0.95 (null if never reached), images/s per worker of both runs and their ratio, the curves. Progress goes
 * to stderr as one line per epoch.
 *
 *   pnpm bench:lung-seg        (tsx bench/lung-seg.ts; about 20 minutes on 2 cores)
 *   BENCH_EPOCHS=30  BENCH_SINGLE_EPOCHS=2  BENCH_SPEC=file.json (a whole job spec replacing the default)
 *   TESSERA_DATASET_MIRROR=dir (default ../shared/datasets)  BENCH_RESULTS=path
 *
 * Images/s per worker come from epoch wall times (the median epoch, so the first epoch's warm-up and checkpoint
 * epochs do not count): train images per epoch / median epoch seconds / workers, validation included.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { JobSpecInput } from '@tessera/core/jobs/job-spec';
import { datasetMirrorDirsFromEnv } from '@tessera/storage/datasets/dataset-fetcher';
import { benchLog as log, benchSpecs, runBenchJob, secondsToReach, startBenchCluster, zipFolders } from './support/bench-jobs.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const RESULTS = process.env.BENCH_RESULTS ?? path.join(HERE, 'results/lung-seg.json');
const EPOCHS = Number(process.env.BENCH_EPOCHS ?? 30);
const SINGLE_EPOCHS = Number(process.env.BENCH_SINGLE_EPOCHS ?? 2);
const IMAGE_SIZE = 128;
const WORKERS = 2;
const TARGETS = [0.9, 0.95] as const;

/**
 * The job the bench trains: a 4-level 2D U-Net (16 filters at full resolution, 1.9 M parameters) on the grey levels
 * mapped to [0, 1], light geometric augmentation applied to image and mask alike, BCE (weight 0.1) + Dice, Adam with
 * cosine annealing, global batch 8.
 */
export function benchSpec(epochs: number, workers: number): JobSpecInput {
  return {
    name: `lung-seg-${workers}w`,
    workload: 'segmentation',
    dataset: 'montgomery-cxr',
    model: { name: 'unet2d', options: { inputShape: [IMAGE_SIZE, IMAGE_SIZE, 1], depth: 4, baseFilters: 16 } },
    data: {
      intensity: { kind: 'range', min: 0, max: 255 },
      augment: { rotationRange: 5, widthShiftRange: 0.05, heightShiftRange: 0.05, zoomRange: 0.05 },
    },
    loss: { kind: 'bce-dice', crossEntropyWeight: 0.1 },
    training: { optimizer: 'adam', learningRate: 0.001, schedule: 'cosine', batchSize: 8, epochs, seed: 1 },
    resources: { minWorkers: workers, maxWorkers: workers },
    checkpoint: { everyEpochs: 10 },
  };
}

async function main(): Promise<void> {
  const mirror = datasetMirrorDirsFromEnv(process.env)[0] ?? path.resolve(HERE, '../../shared/datasets');
  const source = path.join(mirror, 'lung-ct/montgomery-cxr');
  const benchStart = performance.now();
  log({ msg: 'bench source', source });
  const { client, close } = await startBenchCluster('lung', WORKERS);
  try {
    const zip = await zipFolders(source, ['images', 'masks'], /\.png$/i);
    const uploadStart = performance.now();
    const dataset = await client.uploadDataset({
      name: 'montgomery-cxr',
      kind: 'segmentation',
      fileName: 'montgomery-cxr.zip',
      bytes: zip,
      imageHeight: IMAGE_SIZE,
      imageWidth: IMAGE_SIZE,
      className: 'lung',
      modality: 'CR',
    });
    const uploadSeconds = (performance.now() - uploadStart) / 1000;
    log({ msg: 'data set ingested', summary: dataset.summary, seconds: uploadSeconds });
    const trainImages = Number(/([\d,]+) train/.exec(dataset.summary)?.[1]?.replaceAll(',', '') ?? NaN);

    const specFor = await benchSpecs(benchSpec);
    const progress = { trainSamples: trainImages, progress: 'valid/dice' };
    const single = await runBenchJob(client, specFor(SINGLE_EPOCHS, 1), { ...progress, workers: 1 });
    const parallel = await runBenchJob(client, specFor(EPOCHS, WORKERS), { ...progress, workers: WORKERS });

    const curve = (name: string) => parallel.epochs.map((p) => p.metrics[name] ?? null);
    const dice = curve('valid/dice').filter((v): v is number => v !== null);
    const iou = curve('valid/iou').filter((v): v is number => v !== null);
    const perWorker = { workers2: parallel.samplesPerSecondPerWorker, workers1: single.samplesPerSecondPerWorker };
    const result = {
      benchmark: 'lung-seg',
      measuredAt: new Date().toISOString(),
      host: { cpus: os.cpus().length, model: os.cpus()[0]?.model ?? 'unknown', loadAverage: os.loadavg() },
      backend: 'wasm',
      dataset: { summary: dataset.summary, imageSize: IMAGE_SIZE, ingestSeconds: uploadSeconds, heldOut: 'valid split: 20% of cases by a seeded hash of the case name' },
      spec: specFor(EPOCHS, WORKERS),
      finalValidDice: dice.at(-1) ?? null,
      finalValidIou: iou.at(-1) ?? null,
      bestValidDice: dice.length > 0 ? Math.max(...dice) : null,
      bestValidIou: iou.length > 0 ? Math.max(...iou) : null,
      secondsToDice90: secondsToReach(parallel, 'valid/dice', TARGETS[0]),
      secondsToDice95: secondsToReach(parallel, 'valid/dice', TARGETS[1]),
      imagesPerSecondPerWorker: perWorker,
      perWorkerRatio: perWorker.workers2 && perWorker.workers1 ? perWorker.workers2 / perWorker.workers1 : null,
      runs: { single, parallel },
      totalSeconds: (performance.now() - benchStart) / 1000,
    };
    await mkdir(path.dirname(RESULTS), { recursive: true });
    await writeFile(RESULTS, JSON.stringify(result, null, 2) + '\n');
    log({
      msg: 'done',
      results: RESULTS,
      state: parallel.state,
      finalValidDice: result.finalValidDice,
      finalValidIou: result.finalValidIou,
      secondsToDice90: result.secondsToDice90,
      secondsToDice95: result.secondsToDice95,
      imagesPerSecondPerWorker: perWorker,
      totalSeconds: result.totalSeconds,
    });
    if (parallel.state !== 'JOB_STATE_SUCCEEDED') process.exitCode = 1;
  } finally {
    await close();
  }
}

await main();
