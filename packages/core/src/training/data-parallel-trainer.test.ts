import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TabularDataset } from '../data/tabular-dataset.ts';
import { parseJobSpec } from '../jobs/job-spec.ts';
import type { TabularClassificationSpec } from '../jobs/job-spec.ts';
import { createReplicas, flatWeights, runReplicas, stepReplicas } from '../testing/in-process-replicas.ts';
import { sonarDataset, useWasmBackend } from '../testing/sonar-fixture.ts';

function specWith(overrides: Record<string, unknown>): TabularClassificationSpec {
  const parsed = parseJobSpec({ name: 'test', workload: 'tabular-classification', dataset: 'sonar', ...overrides });
  if (!parsed.ok) throw new Error(`${parsed.field}: ${parsed.message}`);
  if (parsed.spec.workload !== 'tabular-classification') throw new Error('not a tabular spec');
  return parsed.spec;
}

function relativeDifference(a: Float32Array, b: Float32Array): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i += 1) {
    diff = Math.max(diff, Math.abs((a[i] ?? 0) - (b[i] ?? 0)));
    scale = Math.max(scale, Math.abs(a[i] ?? 0));
  }
  return diff / scale;
}

beforeAll(useWasmBackend);

describe('data-parallel equivalence', () => {
  // Batch 12 over 125 rows: the last batch of each epoch has 5 rows, so with 3 replicas ranks get 1/2/2 rows, and
  // batch 2 below gives rank 0 nothing on some steps. Dropout checks that masks follow rows, not ranks.
  const spec = specWith({
    model: { hidden: [{ units: 16, activation: 'relu', dropout: 0.25 }, { units: 8, activation: 'tanh' }] },
    training: { seed: 5, batchSize: 12, learningRate: 0.01, epochs: 10 },
  });
  let dataset: TabularDataset;
  beforeAll(() => {
    dataset = sonarDataset(spec);
  });

  it('gives the same weights after 50 steps on 1, 2 and 3 replicas', async () => {
    const weights: Float32Array[] = [];
    for (const worldSize of [1, 2, 3]) {
      const replicas = createReplicas(spec, dataset, worldSize);
      try {
        await stepReplicas(replicas, 50);
        const perRank = await Promise.all(replicas.map((r) => flatWeights(r.model)));
        // Replicas of one run agree exactly: they apply the same reduced buffer.
        for (const w of perRank) expect(w).toEqual(perRank[0]);
        weights.push(perRank[0] ?? new Float32Array());
      } finally {
        replicas[Symbol.dispose]();
      }
    }
    const [one, two, three] = weights as [Float32Array, Float32Array, Float32Array];
    const initial = createReplicas(spec, dataset, 1);
    const start = await flatWeights(initial[0]!.model);
    initial[Symbol.dispose]();
    expect(relativeDifference(one, start)).toBeGreaterThan(1e-2);
    expect(relativeDifference(one, two)).toBeLessThan(1e-5);
    expect(relativeDifference(one, three)).toBeLessThan(1e-5);
  });

  it('lets a rank with no rows take part in the all-reduce', async () => {
    const tiny = specWith({ ...spec, training: { ...spec.training, batchSize: 2 } });
    const weights: Float32Array[] = [];
    for (const worldSize of [1, 3]) {
      const replicas = createReplicas(tiny, dataset, worldSize);
      try {
        await stepReplicas(replicas, 5);
        weights.push(await flatWeights(replicas[0]!.model));
      } finally {
        replicas[Symbol.dispose]();
      }
    }
    expect(relativeDifference(weights[0]!, weights[1]!)).toBeLessThan(1e-5);
  });

  it('keeps the tensor count stable across steps and evaluations', async () => {
    const replicas = createReplicas(spec, dataset, 2);
    try {
      await stepReplicas(replicas, 2);
      await replicas[0]!.trainer.evaluate();
      const before = tf.memory().numTensors;
      await stepReplicas(replicas, 20);
      await replicas[0]!.trainer.evaluate();
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      replicas[Symbol.dispose]();
    }
  });
});

describe('run', () => {
  const spec = specWith({ training: { seed: 2, epochs: 3, batchSize: 32, metricsEveryEpochs: 2 } });

  it('reports every step and epoch, evaluating on the cadence and at the end', async () => {
    const dataset = sonarDataset(spec);
    const replicas = createReplicas(spec, dataset, 2);
    const steps: number[] = [];
    const epochs: Array<{ epoch: number; metrics: number }> = [];
    try {
      const result = await runReplicas(replicas, {
        onStep: (p) => {
          steps.push(p.step);
          expect(p.totalSteps).toBe(12);
          expect(Number.isFinite(p.loss)).toBe(true);
        },
        onEpoch: (p) => {
          epochs.push({ epoch: p.epoch, metrics: p.metrics.length });
        },
      });
      expect(result.status).toBe('completed');
      expect(steps).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
      expect(epochs).toEqual([
        { epoch: 1, metrics: 0 },
        { epoch: 2, metrics: 4 },
        { epoch: 3, metrics: 4 },
      ]);
      expect(result.metrics.map((m) => `${m.split}/${m.name}`)).toEqual([
        'train/loss',
        'train/accuracy',
        'test/loss',
        'test/accuracy',
      ]);
    } finally {
      replicas[Symbol.dispose]();
    }
  });

  it('stops when asked and when the signal aborts', async () => {
    const dataset = sonarDataset(spec);
    const replicas = createReplicas(spec, dataset, 1);
    try {
      const trainer = replicas[0]!.trainer;
      const stopped = await trainer.run({ shouldStop: () => trainer.step >= 5 });
      expect(stopped).toMatchObject({ status: 'stopped', step: 5 });
      const controller = new AbortController();
      controller.abort();
      expect(await trainer.run({ signal: controller.signal })).toMatchObject({ status: 'stopped', step: 5 });
    } finally {
      replicas[Symbol.dispose]();
    }
  });
});
