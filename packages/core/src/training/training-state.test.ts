import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseJobSpec } from '../jobs/job-spec.ts';
import type { OptimizerName, TabularClassificationSpec } from '../jobs/job-spec.ts';
import { createReplicas, flatWeights, stepReplicas } from '../testing/in-process-replicas.ts';
import { sonarDataset, useWasmBackend } from '../testing/sonar-fixture.ts';
import { fromCheckpointFiles, layersModelHandler, toCheckpointFiles } from './training-state.ts';

function specFor(optimizer: OptimizerName): TabularClassificationSpec {
  const parsed = parseJobSpec({
    name: 'resume',
    workload: 'tabular-classification',
    dataset: 'sonar',
    model: { hidden: [{ units: 24, activation: 'relu', dropout: 0.2 }, { units: 12, activation: 'relu' }] },
    training: { optimizer, seed: 11, batchSize: 16, learningRate: 0.005, epochs: 5 },
  });
  if (!parsed.ok) throw new Error(`${parsed.field}: ${parsed.message}`);
  if (parsed.spec.workload !== 'tabular-classification') throw new Error('not a tabular spec');
  return parsed.spec;
}

beforeAll(useWasmBackend);

describe('save and restore', () => {
  // k = 12 crosses the epoch boundary at step 8 (125 rows / 16), so the restored run continues a fresh epoch.
  const k = 12;

  it.each(['adam', 'sgd', 'rmsprop'] as const)(
    '%s: 2k steps straight equal k steps, checkpoint files, restore into new replicas, k steps',
    async (optimizer) => {
      const spec = specFor(optimizer);
      const dataset = sonarDataset(spec);

      const straight = createReplicas(spec, dataset, 2);
      let expected: Float32Array;
      try {
        await stepReplicas(straight, 2 * k);
        expected = await flatWeights(straight[0]!.model);
      } finally {
        straight[Symbol.dispose]();
      }

      const first = createReplicas(spec, dataset, 2);
      let files: ReturnType<typeof toCheckpointFiles>;
      try {
        await stepReplicas(first, k);
        files = toCheckpointFiles(await first[0]!.trainer.saveTrainingState());
      } finally {
        first[Symbol.dispose]();
      }

      const resumed = createReplicas(spec, dataset, 2);
      try {
        const state = fromCheckpointFiles(files);
        expect(state.state).toMatchObject({ step: k, epoch: 1, labelMapping: ['M', 'R'] });
        for (const replica of resumed) await replica.trainer.restoreTrainingState(state);
        await stepReplicas(resumed, k);
        expect(resumed[0]!.trainer.step).toBe(2 * k);
        expect(await flatWeights(resumed[0]!.model)).toEqual(expected);
        expect(await flatWeights(resumed[1]!.model)).toEqual(expected);
      } finally {
        resumed[Symbol.dispose]();
      }
    },
  );

  it('does not leak tensors across save and restore', async () => {
    const spec = specFor('adam');
    const replicas = createReplicas(spec, sonarDataset(spec), 1);
    try {
      const trainer = replicas[0]!.trainer;
      await stepReplicas(replicas, 3);
      await trainer.restoreTrainingState(await trainer.saveTrainingState());
      const before = tf.memory().numTensors;
      await trainer.restoreTrainingState(await trainer.saveTrainingState());
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      replicas[Symbol.dispose]();
    }
  });

  it('writes a model.json + weights.bin that tf.loadLayersModel reads and predicts with', async () => {
    const spec = specFor('adam');
    const dataset = sonarDataset(spec);
    const replicas = createReplicas(spec, dataset, 1);
    try {
      await stepReplicas(replicas, 5);
      const files = toCheckpointFiles(await replicas[0]!.trainer.saveTrainingState());
      const modelJson = JSON.parse(new TextDecoder().decode(files['model.json'])) as tf.io.ModelJSON;
      expect(modelJson.weightsManifest[0]?.paths).toEqual(['weights.bin']);
      expect(modelJson.userDefinedMetadata?.['labelMapping']).toEqual(['M', 'R']);

      const loaded = await tfl.loadLayersModel(layersModelHandler(files['model.json'], files['weights.bin']));
      const x = tf.tensor2d(dataset.test.features.subarray(0, 10 * dataset.featureCount), [10, dataset.featureCount]);
      const expected = replicas[0]!.model.predict(x) as tf.Tensor;
      const actual = loaded.predict(x) as tf.Tensor;
      expect(await actual.data()).toEqual(await expected.data());
      tf.dispose([x, expected, actual]);
      loaded.dispose();
    } finally {
      replicas[Symbol.dispose]();
    }
  });

  it('names the file at fault in a broken checkpoint', async () => {
    const spec = specFor('sgd');
    const replicas = createReplicas(spec, sonarDataset(spec), 1);
    try {
      const files = toCheckpointFiles(await replicas[0]!.trainer.saveTrainingState());
      const broken = { ...files, 'state.json': new TextEncoder().encode('{"format":"tessera-training-state-v1"}') };
      expect(() => fromCheckpointFiles(broken)).toThrow(/state\.json: step/);
      const wrongOptimizer = specFor('adam');
      const other = createReplicas(wrongOptimizer, sonarDataset(wrongOptimizer), 1);
      await expect(other[0]!.trainer.restoreTrainingState(fromCheckpointFiles(files))).rejects.toThrow(/sgd/);
      other[Symbol.dispose]();
    } finally {
      replicas[Symbol.dispose]();
    }
  });
});
