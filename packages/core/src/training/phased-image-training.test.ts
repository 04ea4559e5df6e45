import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ImageRecords } from '../data/image-shard-format.ts';
import { rankRange, sliceImageRecords } from '../data/image-shard-reader.ts';
import { parseJobSpec } from '../jobs/job-spec.ts';
import type { ImageClassificationSpec } from '../jobs/job-spec.ts';
import { addClassifierTop } from '../models/image-classifier.ts';
import { darkAndBrightImages } from '../testing/dark-bright-images.ts';
import type { BottleneckFeatureCache } from './bottleneck-features.ts';
import { ImageDataParallelTrainer } from './image-data-parallel-trainer.ts';
import type { ImageRunHooks } from './image-data-parallel-trainer.ts';
import { createInProcessAllReduce } from './in-process-all-reduce.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const darkAndBright = (count: number, seed: number): ImageRecords => darkAndBrightImages(count, seed, { dark: 40, bright: 150, noise: 60 });

const topThenFineTune = [
  { kind: 'top', epochs: 2, cachedFeatures: true },
  { kind: 'fine-tune', unfreezeFrom: 'block5_conv2', epochs: 2 },
];

/** A vgg16-notop spec (validation needs a real base); the tests train {@link tinyClassifier} in its place. */
function spec(phases: unknown[], augment: object = { horizontalFlip: true, widthShiftRange: 0.2 }): ImageClassificationSpec {
  const parsed = parseJobSpec({
    name: 'transfer',
    workload: 'image-classification',
    dataset: 'tiny',
    model: { name: 'vgg16-notop', options: { inputShape: [32, 32, 3] } },
    top: { denseUnits: 8, dropout: 0.25 },
    data: { augment, normalization: 'scale' },
    training: { batchSize: 8, learningRate: 0.02, seed: 5 },
    phases,
  });
  if (!parsed.ok || parsed.spec.workload !== 'image-classification') throw new Error(parsed.ok ? 'not an image spec' : `${parsed.field}: ${parsed.message}`);
  return parsed.spec;
}

/** VGG16's block 5 in miniature (same layer names, 2 filters) under the real new top; seeded like the real one. */
function tinyClassifier(s: ImageClassificationSpec): tfl.LayersModel {
  const conv = (name: string, seed: number) =>
    tfl.layers.conv2d({ name, filters: 2, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: tfl.initializers.glorotUniform({ seed }) });
  const input = tfl.input({ shape: [8, 8, 3] });
  let x = conv('block5_conv1', 11).apply(input) as tfl.SymbolicTensor;
  x = conv('block5_conv2', 12).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.maxPooling2d({ name: 'block5_pool', poolSize: 2 }).apply(x) as tfl.SymbolicTensor;
  return addClassifierTop(tfl.model({ inputs: input, outputs: x }), s.top, 2, s.training.seed);
}

function layerWeights(model: tfl.LayersModel, name: string): Float32Array {
  return Float32Array.from(model.getLayer(name).getWeights().flatMap((w) => [...w.dataSync()]));
}

/** A feature cache that remembers what it was asked for and keeps what was computed. */
function recordingCache(): { cache: BottleneckFeatureCache; calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    cache: async (split, compute) => {
      calls.push(split);
      return compute();
    },
  };
}

function trainer(s: ImageClassificationSpec, model: tfl.LayersModel, featureCache?: BottleneckFeatureCache) {
  return new ImageDataParallelTrainer({
    spec: s,
    model,
    classNames: ['dark', 'bright'],
    train: darkAndBright(16, 1),
    valid: darkAndBright(6, 2),
    trainCounts: [16],
    rank: 0,
    worldSize: 1,
    allReduceSum: createInProcessAllReduce(1)[0]!,
    featureCache,
  });
}

describe('ImageDataParallelTrainer with transfer-learning phases', () => {
  it('trains the top on cached features with the base frozen, then fine-tunes from the named layer, on 2 replicas', async () => {
    const s = spec(topThenFineTune);
    const train = darkAndBright(24, 3);
    const valid = darkAndBright(8, 4);
    const reduce = createInProcessAllReduce(2);
    const replicas = [0, 1].map((rank) => {
      const model = tinyClassifier(s);
      const share = rankRange(train.count, rank, 2);
      const validShare = rankRange(valid.count, rank, 2);
      const { cache, calls } = recordingCache();
      const t = new ImageDataParallelTrainer({
        spec: s,
        model,
        classNames: ['dark', 'bright'],
        train: sliceImageRecords(train, share.start, share.end),
        valid: sliceImageRecords(valid, validShare.start, validShare.end),
        trainCounts: [12, 12],
        rank,
        worldSize: 2,
        allReduceSum: reduce[rank]!,
        featureCache: cache,
        onFirstForward: (forward) => {
          calls.push('first base pass');
          tf.dispose(forward());
          return Promise.resolve();
        },
      });
      return { model, trainer: t, calls, initial: { conv1: layerWeights(model, 'block5_conv1'), conv2: layerWeights(model, 'block5_conv2'), fc: layerWeights(model, 'top_fc') } };
    });
    const first = replicas[0]!;
    // 12 images per rank, 4 per rank per step: 3 steps an epoch; 2 epochs per phase.
    expect(first.trainer.totalSteps).toBe(12);
    const phaseLines: string[] = [];
    const phaseEnds: number[] = [];
    const validLoss: number[] = [];
    let atPhaseEnd: { conv2: Float32Array; fc: Float32Array } | undefined;
    const hooks: ImageRunHooks = {
      onPhase: ({ message }) => {
        phaseLines.push(message);
      },
      onEpoch: ({ step, phaseEnd, metrics }) => {
        validLoss.push(metrics.find((m) => m.split === 'valid' && m.name === 'loss')?.value ?? Number.NaN);
        if (!phaseEnd) return;
        phaseEnds.push(step);
        atPhaseEnd ??= { conv2: layerWeights(first.model, 'block5_conv2'), fc: layerWeights(first.model, 'top_fc') };
      },
    };
    const results = await Promise.all(replicas.map((r, rank) => r.trainer.run(rank === 0 ? hooks : {})));
    expect(results.map((r) => r.status)).toEqual(['completed', 'completed']);
    expect(phaseLines).toEqual([
      'phase 1/2 top on the frozen base, cached bottleneck features, no augmentation, lr 0.02, 2 epochs (steps 0-6)',
      'phase 2/2 fine-tune from block5_conv2, lr 0.002, 2 epochs (steps 6-12)',
    ]);
    expect(phaseEnds).toEqual([6, 12]);
    // Features once per split and rank, for the first phase only, each pass over the base handed over first.
    expect(replicas.map((r) => r.calls)).toEqual([
      ['train', 'first base pass', 'valid', 'first base pass'],
      ['train', 'first base pass', 'valid', 'first base pass'],
    ]);
    // Phase 1 moved the top only; phase 2 moved block5_conv2 and left block5_conv1 frozen.
    expect(atPhaseEnd?.conv2).toEqual(first.initial.conv2);
    expect(atPhaseEnd?.fc).not.toEqual(first.initial.fc);
    expect(layerWeights(first.model, 'block5_conv1')).toEqual(first.initial.conv1);
    expect(layerWeights(first.model, 'block5_conv2')).not.toEqual(first.initial.conv2);
    const weights = await Promise.all(replicas.map(async (r) => (await r.trainer.saveTrainingState()).weights));
    expect(Buffer.from(weights[0]!).equals(Buffer.from(weights[1]!))).toBe(true);
    expect(results[1]!.metrics).toEqual(results[0]!.metrics);
    // Learning, in both phases: valid loss below chance from the first epoch on and falling epoch by epoch.
    expect(validLoss).toHaveLength(4);
    expect(validLoss[0]).toBeLessThan(Math.log(2));
    validLoss.slice(1).forEach((loss, i) => expect(loss).toBeLessThan(validLoss[i]!));
    replicas.forEach((r) => {
      r.trainer.dispose();
      r.model.dispose();
    });
  });

  it('gives the top the same weights on cached features as through the frozen base without augmentation', async () => {
    const run = async (cachedFeatures: boolean) => {
      const s = spec([{ kind: 'top', epochs: 2, cachedFeatures }], {});
      const model = tinyClassifier(s);
      const t = trainer(s, model);
      await t.run();
      const out = layerWeights(model, 'top_fc');
      t.dispose();
      model.dispose();
      return out;
    };
    const cached = await run(true);
    const direct = await run(false);
    const maxDiff = cached.reduce((m, v, i) => Math.max(m, Math.abs(v - (direct[i] ?? Number.NaN))), 0);
    expect(maxDiff).toBeLessThan(1e-5);
  });

  it('resumes mid fine-tune to the uninterrupted weights without touching the features', async () => {
    const s = spec(topThenFineTune);
    const straightModel = tinyClassifier(s);
    const straight = trainer(s, straightModel);
    await straight.run();
    const expected = (await straight.saveTrainingState()).weights;
    straight.dispose();
    straightModel.dispose();

    for (const stopAt of [5, 4]) {
      // Step 5 is inside phase 2 (its slots are restored); step 4 ends phase 1 (phase 2 starts a fresh optimizer).
      const firstModel = tinyClassifier(s);
      const first = trainer(s, firstModel);
      for (let i = 0; i < stopAt; i += 1) await first.trainStep();
      const saved = await first.saveTrainingState();
      expect(saved.state.phase).toBe(stopAt > 4 ? 1 : 0);
      first.dispose();
      firstModel.dispose();

      const model = tinyClassifier(s);
      const { cache, calls } = recordingCache();
      const resumed = trainer(s, model, cache);
      await resumed.restoreTrainingState(saved);
      const lines: string[] = [];
      await resumed.run({ onPhase: ({ message }) => void lines.push(message) });
      expect(calls).toEqual([]);
      expect(lines).toEqual([`phase 2/2 fine-tune from block5_conv2, lr 0.002, 2 epochs (steps 4-8)${stopAt > 4 ? `: resumed at step ${stopAt}` : ''}`]);
      expect(Buffer.from((await resumed.saveTrainingState()).weights).equals(Buffer.from(expected))).toBe(true);
      resumed.dispose();
      model.dispose();
    }
  });

  it('refuses a checkpoint whose phase does not cover its step', async () => {
    const s = spec(topThenFineTune);
    const model = tinyClassifier(s);
    const t = trainer(s, model);
    await t.trainStep();
    const saved = await t.saveTrainingState();
    await expect(t.restoreTrainingState({ ...saved, state: { ...saved.state, phase: 1 } })).rejects.toThrow(
      "checkpoint at step 1 is in phase 2, but that phase covers steps 4-8: were the spec's phases changed?",
    );
    t.dispose();
    model.dispose();
  });
});
