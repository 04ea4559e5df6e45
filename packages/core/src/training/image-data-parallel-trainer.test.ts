import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ImageRecords } from '../data/image-shard-format.ts';
import { rankRange, sliceImageRecords } from '../data/image-shard-reader.ts';
import { parseJobSpec } from '../jobs/job-spec.ts';
import type { ImageClassificationSpec } from '../jobs/job-spec.ts';
import { buildImageClassifier } from '../models/image-classifier.ts';
import { darkAndBrightImages } from '../testing/dark-bright-images.ts';
import { ImageDataParallelTrainer } from './image-data-parallel-trainer.ts';
import { createInProcessAllReduce } from './in-process-all-reduce.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const darkAndBright = (count: number, seed: number): ImageRecords => darkAndBrightImages(count, seed, { dark: 20, bright: 160, noise: 80 });

function spec(overrides: Record<string, unknown> = {}): ImageClassificationSpec {
  const parsed = parseJobSpec({
    name: 'tiny',
    workload: 'image-classification',
    dataset: 'tiny',
    model: { name: 'small-vgg', options: { inputShape: [8, 8, 3], blocks: [8], denseUnits: 16, dropout: 0.25 } },
    training: { batchSize: 8, epochs: 10, learningRate: 0.003, seed: 3 },
    ...overrides,
  });
  if (!parsed.ok || parsed.spec.workload !== 'image-classification') throw new Error(parsed.ok ? 'not an image spec' : `${parsed.field}: ${parsed.message}`);
  return parsed.spec;
}

async function trainReplicas(s: ImageClassificationSpec, worldSize: number, train: ImageRecords, valid: ImageRecords) {
  const reduce = createInProcessAllReduce(worldSize);
  const trainCounts = Array.from({ length: worldSize }, (_, r) => {
    const { start, end } = rankRange(train.count, r, worldSize);
    return end - start;
  });
  const replicas = Array.from({ length: worldSize }, (_, rank) => {
    const model = buildImageClassifier(s, 2);
    const share = rankRange(train.count, rank, worldSize);
    const validShare = rankRange(valid.count, rank, worldSize);
    const trainer = new ImageDataParallelTrainer({
      spec: s,
      model,
      classNames: ['dark', 'bright'],
      train: sliceImageRecords(train, share.start, share.end),
      valid: sliceImageRecords(valid, validShare.start, validShare.end),
      trainCounts,
      rank,
      worldSize,
      allReduceSum: reduce[rank]!,
    });
    return { model, trainer };
  });
  const results = await Promise.all(replicas.map((r) => r.trainer.run()));
  const weights = await Promise.all(replicas.map(async (r) => (await r.trainer.saveTrainingState()).weights));
  return { replicas, results, weights };
}

/** One rank trains `steps` steps, saves, and a new trainer restores that state and runs to the end: its weights. */
async function resumedWeightsAfter(steps: number, s: ImageClassificationSpec, train: ImageRecords, valid: ImageRecords): Promise<Uint8Array> {
  const model = buildImageClassifier(s, 2);
  const make = () =>
    new ImageDataParallelTrainer({ spec: s, model, classNames: ['dark', 'bright'], train, valid, trainCounts: [train.count], rank: 0, worldSize: 1, allReduceSum: createInProcessAllReduce(1)[0]! });
  const first = make();
  for (let i = 0; i < steps; i++) await first.trainStep();
  const saved = await first.saveTrainingState();
  first.dispose();
  const resumed = make();
  await resumed.restoreTrainingState(saved);
  await resumed.run();
  const { weights } = await resumed.saveTrainingState();
  resumed.dispose();
  model.dispose();
  return weights;
}

describe('ImageDataParallelTrainer', () => {
  it('trains 2 replicas on rank-local shards to identical weights that tell dark from bright', async () => {
    const s = spec();
    const { replicas, results, weights } = await trainReplicas(s, 2, darkAndBright(40, 1), darkAndBright(10, 2));
    // 20 images per rank, 4 per rank per step: 5 steps an epoch.
    expect(replicas[0]!.trainer.stepsPerEpoch).toBe(5);
    expect(results.map((r) => r.status)).toEqual(['completed', 'completed']);
    expect(Buffer.from(weights[0]!).equals(Buffer.from(weights[1]!))).toBe(true);
    const accuracy = results[0]!.metrics.find((m) => m.split === 'valid' && m.name === 'accuracy');
    expect(accuracy?.value).toBe(1);
    expect(results[1]!.metrics).toEqual(results[0]!.metrics);
    replicas.forEach((r) => {
      r.trainer.dispose();
      r.model.dispose();
    });
  });

  it('keeps 2 replicas with batch normalisation identical: moving statistics averaged at every epoch end', async () => {
    const s = spec({
      model: { name: 'small-vgg', options: { inputShape: [8, 8, 3], blocks: [8], denseUnits: 16, dropout: 0.25, batchNorm: true } },
      training: { batchSize: 8, epochs: 3, learningRate: 0.003, seed: 3 },
    });
    const { replicas, results, weights } = await trainReplicas(s, 2, darkAndBright(40, 1), darkAndBright(10, 2));
    expect(results.map((r) => r.status)).toEqual(['completed', 'completed']);
    // Each rank saw other images, so without the averaging their moving statistics (part of the weights) differ.
    expect(Buffer.from(weights[0]!).equals(Buffer.from(weights[1]!))).toBe(true);
    const movingMean = replicas[0]!.model.getLayer('block1_bn1').weights.find((w) => w.originalName.includes('moving_mean'))!;
    // Trained in training mode: the moving mean left its initial zeros (the inputs are 0.08-0.94 after scaling).
    expect(Math.max(...Array.from(await movingMean.read().data(), Math.abs))).toBeGreaterThan(0.01);
    expect(results[1]!.metrics).toEqual(results[0]!.metrics);
    replicas.forEach((r) => {
      r.trainer.dispose();
      r.model.dispose();
    });
  });

  it('resumes from a saved state to the same weights as the uninterrupted run', async () => {
    const s = spec({ training: { batchSize: 8, epochs: 2, learningRate: 0.01, seed: 4 } });
    const train = darkAndBright(16, 5);
    const valid = darkAndBright(4, 6);
    const straight = await trainReplicas(s, 1, train, valid);
    expect(Buffer.from(await resumedWeightsAfter(3, s, train, valid)).equals(Buffer.from(straight.weights[0]!))).toBe(true);
  });

  it('follows a cosine schedule (another result than constant) and resumes on the same curve', async () => {
    const training = { batchSize: 8, epochs: 2, learningRate: 0.01, seed: 4 };
    const train = darkAndBright(16, 5);
    const valid = darkAndBright(4, 6);
    const constant = await trainReplicas(spec({ training }), 1, train, valid);
    const s = spec({ training: { ...training, schedule: 'cosine' } });
    const straight = await trainReplicas(s, 1, train, valid);
    expect(Buffer.from(straight.weights[0]!).equals(Buffer.from(constant.weights[0]!))).toBe(false);
    expect(Buffer.from(await resumedWeightsAfter(3, s, train, valid)).equals(Buffer.from(straight.weights[0]!))).toBe(true);
    for (const run of [constant, straight]) {
      run.replicas.forEach((r) => {
        r.trainer.dispose();
        r.model.dispose();
      });
    }
  });

  it('refuses a global batch smaller than the world', () => {
    const s = spec({ training: { batchSize: 1 } });
    const model = buildImageClassifier(s, 2);
    const records = darkAndBright(4, 1);
    expect(
      () => new ImageDataParallelTrainer({ spec: s, model, classNames: ['a', 'b'], train: records, valid: records, trainCounts: [4, 4], rank: 0, worldSize: 2, allReduceSum: (f) => Promise.resolve(f) }),
    ).toThrow(/batchSize 1 is smaller than the 2 workers/);
    model.dispose();
  });

  it('puts a new top on the VGG16 base and evaluates through it (functional chain, caffe normalisation)', async () => {
    const s = spec({ model: { name: 'vgg16-notop', options: { inputShape: [32, 32, 3] } }, top: { denseUnits: 4, dropout: 0.5 }, training: { batchSize: 1, epochs: 1 } });
    expect(s.data.normalization).toBe('caffe');
    const model = buildImageClassifier(s, 3);
    expect(model.layers.slice(-4).map((l) => l.name)).toEqual(['top_flatten', 'top_fc', 'top_dropout', 'top_predictions']);
    expect(model.outputs[0]!.shape).toEqual([null, 3]);
    // A training step through VGG16 takes over a minute on the cpu backend, so this checks the forward chain only.
    const records = { ...darkAndBright(1, 1), height: 32, width: 32, pixels: new Uint8Array(32 * 32 * 3).fill(90) };
    const trainer = new ImageDataParallelTrainer({ spec: s, model, classNames: ['a', 'b', 'c'], train: records, valid: records, trainCounts: [1], rank: 0, worldSize: 1, allReduceSum: (f) => Promise.resolve(f) });
    const metrics = await trainer.evaluate();
    expect(metrics.map((m) => m.name)).toEqual(['loss', 'accuracy']);
    expect(metrics[0]!.value).toBeGreaterThan(0);
    trainer.dispose();
    model.dispose();
  });
});
