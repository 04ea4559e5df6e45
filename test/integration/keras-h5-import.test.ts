import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { importKerasModel, importKerasWeights } from '@tessera/core/models/keras-h5-import';
import { readH5FloatDatasets } from '@tessera/core/models/keras-h5-file';
import { datasetMirror } from './support/datasets.ts';
import { readNpy } from './support/npy.ts';

// The four real Keras models of the mirror's keras-h5 folder (Keras 2.1.3 and 2.3.1, saved whole with model.save),
// with the inputs Keras was given and the predictions Keras computed, stored beside them by the same source.
interface Fixture {
  readonly folder: string;
  readonly model: string;
  readonly layers: readonly string[];
  readonly reference: () => Promise<{ input: tf.Tensor; expected: tf.Tensor }>;
}

const root = () => path.join(datasetMirror(), 'keras-h5');

function fromInputsAndOutputs(folder: string, file: string, inputName: string, outputName: string) {
  return async () => {
    const arrays = await readH5FloatDatasets(await readFile(path.join(root(), folder, file)), file);
    const input = arrays.get(`inputs/${inputName}`);
    const expected = arrays.get(`predictions/${outputName}`);
    if (!input || !expected) throw new Error(`${file} lacks inputs/${inputName} or predictions/${outputName}`);
    return { input: tf.tensor(input.values, [...input.shape]), expected: tf.tensor(expected.values, [...expected.shape]) };
  };
}

const fixtures: readonly Fixture[] = [
  {
    folder: 'cnn-batchnorm',
    model: 'cnn_batch_norm.h5',
    layers: ['conv2d_1', 'batch_normalization_1', 'activation_1', 'conv2d_2', 'flatten_1', 'dense_1'],
    reference: async () => {
      const read = async (name: string) => readNpy(await readFile(path.join(root(), 'cnn-batchnorm', name)), name);
      const [input, expected] = await Promise.all([read('input.npy'), read('predictions.npy')]);
      return { input: tf.tensor(input.values, [...input.shape]), expected: tf.tensor(expected.values, [...expected.shape]) };
    },
  },
  {
    folder: 'mlp-softmax',
    model: 'simple_sparse_xent_mlp_keras_2_model.h5',
    layers: ['dense_1', 'activation_1'],
    reference: fromInputsAndOutputs('mlp-softmax', 'simple_sparse_xent_mlp_keras_2_inputs_and_outputs.h5', 'dense_1_input', 'activation_1'),
  },
  {
    folder: 'conv1d',
    model: 'conv1d_k2_s1_d1_cl_valid_model.h5',
    layers: ['conv0'],
    reference: fromInputsAndOutputs('conv1d', 'conv1d_k2_s1_d1_cl_valid_inputs_and_outputs.h5', 'conv0_input', 'conv0'),
  },
  {
    folder: 'dense-relu',
    model: 'ReLU_0_model.h5',
    layers: ['dense', 're_lu_1'],
    reference: fromInputsAndOutputs('dense-relu', 'ReLU_0_inputs_and_outputs.h5', 'dense_input', 're_lu_1'),
  },
];

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe("Keras .h5 import reproduces Keras's own predictions", () => {
  for (const fixture of fixtures) {
    it(`${fixture.folder}/${fixture.model} to 1e-5`, async () => {
      const bytes = await readFile(path.join(root(), fixture.folder, fixture.model));
      const model = await importKerasModel(bytes, fixture.model);
      const { input, expected } = await fixture.reference();
      try {
        expect(model.layers.map((l) => l.name).filter((n) => !n.endsWith('_input'))).toEqual(fixture.layers);
        const predicted = model.predict(input) as tf.Tensor;
        expect(predicted.shape).toEqual(expected.shape);
        const worst = tf.max(tf.abs(tf.sub(predicted, expected))).dataSync()[0]!;
        // The outputs are not all near zero, so an unloaded (random) model cannot pass by accident.
        expect(tf.max(tf.abs(expected)).dataSync()[0]!).toBeGreaterThan(0.04);
        expect(worst).toBeLessThanOrEqual(1e-5);
        predicted.dispose();
      } finally {
        tf.dispose([input, expected]);
        model.dispose();
      }
    });
  }

  it('refuses weights for a layer of another size, naming the layer and both shapes, and leaves the model as it was', async () => {
    const bytes = await readFile(path.join(root(), 'dense-relu', 'ReLU_0_model.h5'));
    const model = tfl.sequential({
      layers: [tfl.layers.dense({ name: 'dense', units: 24, inputShape: [16], kernelInitializer: 'ones' }), tfl.layers.reLU({ name: 're_lu_1' })],
    });
    await expect(importKerasWeights(model, bytes, 'ReLU_0_model.h5')).rejects.toMatchObject({
      name: 'KerasImportError',
      kind: 'WeightShapeMismatch',
      layer: 'dense',
      weight: 'kernel',
      modelShape: [16, 24],
      fileShape: [16, 32],
      message: "layer 'dense': weight 'kernel' has shape [16, 24] in the model but [16, 32] in ReLU_0_model.h5",
    });
    expect(Array.from(model.getLayer('dense').getWeights()[0]!.dataSync()).every((v) => v === 1)).toBe(true);
    model.dispose();
  });

  it('loads a whole-model file into a model built separately, by layer name, and checks layer names', async () => {
    const bytes = await readFile(path.join(root(), 'mlp-softmax', 'simple_sparse_xent_mlp_keras_2_model.h5'));
    const renamed = tfl.sequential({ layers: [tfl.layers.dense({ name: 'dense_9', units: 3, inputShape: [4] })] });
    await expect(importKerasWeights(renamed, bytes, 'mlp.h5')).rejects.toMatchObject({ kind: 'LayerMissingFromFile', layer: 'dense_9', fileLayers: ['dense_1'] });
    const report = await importKerasWeights(renamed, bytes, 'mlp.h5', { missingInFile: 'skip', extraInFile: 'ignore' });
    expect(report).toEqual({ loaded: [], skipped: ['dense_9'], ignored: ['dense_1'] });
    renamed.dispose();
  });
});
