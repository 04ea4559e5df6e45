import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import h5wasm from 'h5wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { importKerasModel, importKerasWeights } from './keras-h5-import.ts';
import { buildKerasModel } from './keras-model-config.ts';
import { buildVgg16 } from './vgg16.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

type Layout = Array<{ layer: string; weights: Array<{ name: string; shape: number[]; values: Float32Array }> }>;

/** Writes an HDF5 file laid out as Keras's weights-only files are (root `layer_names`, per-layer `weight_names`). */
async function writeWeightsFile(layout: Layout, rootAttributes: Record<string, string> = {}): Promise<Uint8Array> {
  const module = await h5wasm.ready;
  const fs = module.FS as unknown as { readFile(path: string): Uint8Array; unlink(path: string): void };
  const path = `/fixture-${Math.random().toString(36).slice(2)}.h5`;
  const file = new h5wasm.File(path, 'w');
  file.create_attribute('layer_names', layout.map((l) => l.layer));
  for (const [name, value] of Object.entries(rootAttributes)) file.create_attribute(name, value);
  for (const { layer, weights } of layout) {
    const group = file.create_group(layer);
    if (weights.length > 0) group.create_attribute('weight_names', weights.map((w) => w.name));
    for (const w of weights) {
      // Keras 2 stores `conv/kernel:0` in a nested group, as h5py creates it from the slash.
      const parts = w.name.split('/');
      let parent = group;
      for (const part of parts.slice(0, -1)) parent = (parent.get(part) as typeof group | null) ?? parent.create_group(part);
      parent.create_dataset({ name: parts.at(-1)!, data: w.values, shape: w.shape, dtype: '<f' });
    }
  }
  file.close();
  const bytes = fs.readFile(path);
  fs.unlink(path);
  return bytes;
}

describe('Keras weights-only files', () => {
  it('load into VGG16 without the top by layer name, with Keras 1 era weight names (the _notop.h5 layout)', async () => {
    const source = buildVgg16({ seed: 11, includeTop: false, inputShape: [32, 32, 3] });
    const layout: Layout = source.layers.map((layer) => ({
      layer: layer.name,
      weights: layer.getWeights().map((t, i) => ({
        name: `${layer.name}_${i === 0 ? 'W' : 'b'}_1:0`,
        shape: t.shape,
        values: t.dataSync() as Float32Array,
      })),
    }));
    const bytes = await writeWeightsFile(layout);
    // A different seed, a different input size and a new top: the base's weights do not depend on either.
    const target = buildVgg16({ seed: 12, includeTop: false, inputShape: [64, 64, 3], pooling: 'avg' });
    const report = await importKerasWeights(target, bytes, 'vgg16_notop.h5');
    expect(report.loaded).toHaveLength(13);
    expect(report.skipped).toEqual([]);
    for (const name of ['block1_conv1', 'block5_conv3']) {
      const [expected, actual] = [source, target].map((m) => m.getLayer(name).getWeights().map((t) => Array.from(t.dataSync())));
      expect(actual).toEqual(expected);
    }
    source.dispose();
    target.dispose();
  });

  it('refuses a file whose kernel does not fit, before changing any layer', async () => {
    const model = buildVgg16({ seed: 1, includeTop: false, inputShape: [32, 32, 3] });
    const before = Array.from(model.getLayer('block1_conv1').getWeights()[0]!.dataSync());
    const layout: Layout = model.layers.map((layer) => ({
      layer: layer.name,
      weights: layer.getWeights().map((t, i) => {
        const shape = layer.name === 'block2_conv1' && i === 0 ? [3, 3, 64, 64] : t.shape;
        return { name: `${layer.name}/${i === 0 ? 'kernel' : 'bias'}:0`, shape, values: new Float32Array(shape.reduce((a, b) => a * b, 1)) };
      }),
    }));
    await expect(importKerasWeights(model, await writeWeightsFile(layout), 'bad.h5')).rejects.toMatchObject({
      kind: 'WeightShapeMismatch',
      layer: 'block2_conv1',
      message: "layer 'block2_conv1': weight 'kernel' has shape [3, 3, 64, 128] in the model but [3, 3, 64, 64] in bad.h5",
    });
    expect(Array.from(model.getLayer('block1_conv1').getWeights()[0]!.dataSync())).toEqual(before);
    model.dispose();
  });

  it('names a swapped weight, an extra file layer and a Theano file', async () => {
    const model = buildKerasModel(
      { class_name: 'Sequential', config: [{ class_name: 'Dense', config: { name: 'd', units: 2, batch_input_shape: [null, 2] } }] },
      'cfg',
    );
    const square = (name: string) => ({ name, shape: [2], values: new Float32Array(2) });
    const swapped = await writeWeightsFile([{ layer: 'd', weights: [{ ...square('d/bias:0') }, { name: 'd/kernel:0', shape: [2, 2], values: new Float32Array(4) }] }]);
    await expect(importKerasWeights(model, swapped, 'swapped.h5')).rejects.toMatchObject({ kind: 'WeightNameMismatch', layer: 'd', modelWeight: 'd/kernel', fileWeight: 'd/bias:0' });
    const kernel = { name: 'd/kernel:0', shape: [2, 2], values: new Float32Array(4) };
    const extra = await writeWeightsFile([{ layer: 'd', weights: [kernel, square('d/bias:0')] }, { layer: 'e', weights: [square('e/bias:0')] }]);
    await expect(importKerasWeights(model, extra, 'extra.h5')).rejects.toMatchObject({ kind: 'LayerMissingFromModel', layer: 'e' });
    const theano = await writeWeightsFile([{ layer: 'd', weights: [kernel, square('d/bias:0')] }], { backend: 'theano' });
    await expect(importKerasWeights(model, theano, 'theano.h5')).rejects.toMatchObject({ kind: 'NotKerasH5', message: /theano backend/ });
    await expect(importKerasModel(extra, 'extra.h5')).rejects.toMatchObject({ kind: 'NotKerasH5', message: /weights only/ });
    model.dispose();
  });

  it('says which bytes are not HDF5', async () => {
    await expect(importKerasModel(new TextEncoder().encode('not an hdf5 file'), 'store://weights/x.h5')).rejects.toMatchObject({
      kind: 'NotKerasH5',
      source: 'store://weights/x.h5',
    });
  });
});

describe('Keras model_config', () => {
  const dense = (name: string, inbound: string) => ({
    class_name: 'Dense',
    name,
    config: { name, units: 3, activation: 'relu' },
    inbound_nodes: [[[inbound, 0, 0, {}]]],
  });

  it('builds a functional model (Keras 2 "Model") with layer names kept', () => {
    const model = buildKerasModel(
      {
        class_name: 'Model',
        config: {
          name: 'm',
          layers: [
            { class_name: 'InputLayer', name: 'in', config: { name: 'in', batch_input_shape: [null, 8, 8, 1] }, inbound_nodes: [] },
            { class_name: 'Conv2D', name: 'c', config: { name: 'c', filters: 2, kernel_size: [3, 3], strides: [1, 1], padding: 'same', activation: 'linear' }, inbound_nodes: [[['in', 0, 0, {}]]] },
            { class_name: 'MaxPooling2D', name: 'p', config: { name: 'p', pool_size: [2, 2], strides: null, padding: 'valid' }, inbound_nodes: [[['c', 0, 0, {}]]] },
            { class_name: 'GlobalAveragePooling2D', name: 'g', config: { name: 'g' }, inbound_nodes: [[['p', 0, 0, {}]]] },
            dense('out', 'g'),
          ],
          input_layers: [['in', 0, 0]],
          output_layers: [['out', 0, 0]],
        },
      },
      'functional.h5',
    );
    expect(model.layers.map((l) => [l.name, l.outputShape])).toEqual([
      ['in', [null, 8, 8, 1]],
      ['c', [null, 8, 8, 2]],
      ['p', [null, 4, 4, 2]],
      ['g', [null, 2]],
      ['out', [null, 3]],
    ]);
    model.dispose();
  });

  it('refuses unsupported layers and settings tfjs would drop, naming the layer', () => {
    const sequential = (layer: object) => ({ class_name: 'Sequential', config: { name: 's', layers: [layer] } });
    const thrown = (config: object, source: string): unknown => {
      try {
        buildKerasModel(config, source).dispose();
      } catch (error) {
        return error;
      }
      throw new Error(`${source} was accepted`);
    };
    expect(thrown(sequential({ class_name: 'LSTM', config: { name: 'lstm_1', units: 4, batch_input_shape: [null, 3, 2] } }), 'rnn.h5')).toMatchObject({
      kind: 'UnsupportedLayer',
      layer: 'lstm_1',
      className: 'LSTM',
      message: expect.stringMatching(/^layer 'lstm_1' in rnn\.h5 is a LSTM, which the importer does not support/) as unknown,
    });
    expect(thrown(sequential({ class_name: 'ReLU', config: { name: 'r', threshold: 0.5, batch_input_shape: [null, 3] } }), 'r.h5')).toMatchObject({
      kind: 'UnsupportedConfig',
      layer: 'r',
      reason: 'ReLU threshold 0.5 (only 0)',
    });
    const channelsFirst = { name: 'c', filters: 1, kernel_size: [3, 3], data_format: 'channels_first', batch_input_shape: [null, 3, 8, 8] };
    expect(thrown(sequential({ class_name: 'Conv2D', config: channelsFirst }), 'c.h5')).toMatchObject({ kind: 'UnsupportedConfig', layer: 'c' });
    expect(thrown(sequential({ class_name: 'Dense', config: { name: 'd', units: 2, activation: 'swish', batch_input_shape: [null, 3] } }), 'd.h5')).toMatchObject({
      kind: 'UnsupportedConfig',
      reason: 'activation "swish" is not supported',
    });
  });
});
