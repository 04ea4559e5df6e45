import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import h5wasm from 'h5wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { addClassifierTop } from './image-classifier.ts';
import { loadPretrainedBase } from './pretrained-base.ts';
import type { WeightsStore } from './weights-source.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A weights-only Keras file holding `block1_conv1` (3x3x1x2 kernel of 0.5, bias [1, 2]) and optionally another layer. */
async function notopFile(extraLayer?: string): Promise<Uint8Array> {
  const module = await h5wasm.ready;
  const fs = module.FS as unknown as { readFile(path: string): Uint8Array; unlink(path: string): void };
  const path = `/notop-${Math.random().toString(36).slice(2)}.h5`;
  const file = new h5wasm.File(path, 'w');
  const layers = ['block1_conv1', ...(extraLayer ? [extraLayer] : [])];
  file.create_attribute('layer_names', layers);
  for (const layer of layers) {
    const group = file.create_group(layer);
    group.create_attribute('weight_names', [`${layer}/kernel:0`, `${layer}/bias:0`]);
    const inner = group.create_group(layer);
    inner.create_dataset({ name: 'kernel:0', data: new Float32Array(18).fill(0.5), shape: [3, 3, 1, 2], dtype: '<f' });
    inner.create_dataset({ name: 'bias:0', data: Float32Array.of(1, 2), shape: [2], dtype: '<f' });
  }
  file.close();
  const bytes = fs.readFile(path);
  fs.unlink(path);
  return bytes;
}

function classifier(): tfl.LayersModel {
  const input = tfl.input({ shape: [4, 4, 1] });
  const conv = tfl.layers.conv2d({ name: 'block1_conv1', filters: 2, kernelSize: 3, padding: 'same' }).apply(input) as tfl.SymbolicTensor;
  return addClassifierTop(tfl.model({ inputs: input, outputs: conv }), { denseUnits: 2, dropout: 0 }, 2, 1);
}

/** tfjs layers artifacts of a base holding `block1_conv1` with a kernel of 0.25 and bias [3, 4], as model.save writes them. */
async function notopArtifacts(): Promise<Record<string, Uint8Array>> {
  const input = tfl.input({ shape: [4, 4, 1] });
  const conv = tfl.layers.conv2d({ name: 'block1_conv1', filters: 2, kernelSize: 3, padding: 'same' }).apply(input) as tfl.SymbolicTensor;
  const base = tfl.model({ inputs: input, outputs: conv });
  base.getLayer('block1_conv1').setWeights([tf.fill([3, 3, 1, 2], 0.25), tf.tensor1d([3, 4])]);
  let saved: tf.io.ModelArtifacts | undefined;
  await base.save(tf.io.withSaveHandler((artifacts) => {
    saved = artifacts;
    return Promise.resolve({ modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } });
  }));
  base.dispose();
  const modelJson = { modelTopology: saved!.modelTopology, format: 'layers-model', weightsManifest: [{ paths: ['weights.bin'], weights: saved!.weightSpecs }] };
  return {
    'tfjs/notop/model.json': new TextEncoder().encode(JSON.stringify(modelJson)),
    'tfjs/notop/weights.bin': new Uint8Array(tf.io.CompositeArrayBuffer.join(saved!.weightData)),
  };
}

function store(objects: Record<string, Uint8Array>): WeightsStore {
  return {
    location: 'mem:',
    get: (key) => (objects[key] ? Promise.resolve(objects[key]) : Promise.reject(new Error(`no object ${key}`))),
  };
}

describe('loadPretrainedBase', () => {
  it('loads the base from a store key by layer name and leaves the new top as initialised', async () => {
    const model = classifier();
    const top = model.getLayer('top_fc').getWeights()[0]!.dataSync().slice();
    const report = await loadPretrainedBase(model, 'weights/notop.h5', store({ 'weights/notop.h5': await notopFile() }));
    expect(report).toEqual({ source: 'mem::weights/notop.h5', loaded: ['block1_conv1'] });
    const [kernel, bias] = model.getLayer('block1_conv1').getWeights();
    expect([...kernel!.dataSync()]).toEqual(new Array(18).fill(0.5));
    expect([...bias!.dataSync()]).toEqual([1, 2]);
    expect(model.getLayer('top_fc').getWeights()[0]!.dataSync()).toEqual(top);
    model.dispose();
  });

  it('fetches a URL', async () => {
    const model = classifier();
    const bytes = await notopFile();
    const fetched: string[] = [];
    const fakeFetch = ((url: string) => {
      fetched.push(url);
      return Promise.resolve(new Response(bytes));
    }) as typeof fetch;
    const report = await loadPretrainedBase(model, 'https://example.test/notop.h5', store({}), fakeFetch);
    expect(fetched).toEqual(['https://example.test/notop.h5']);
    expect(report.loaded).toEqual(['block1_conv1']);
    model.dispose();
  });

  it('loads tfjs layers artifacts when the key ends in model.json, the shards read from beside it', async () => {
    const model = classifier();
    const top = model.getLayer('top_fc').getWeights()[0]!.dataSync().slice();
    const report = await loadPretrainedBase(model, 'tfjs/notop/model.json', store(await notopArtifacts()));
    expect(report).toEqual({ source: 'mem::tfjs/notop/model.json', loaded: ['block1_conv1'] });
    const [kernel, bias] = model.getLayer('block1_conv1').getWeights();
    expect([...kernel!.dataSync()]).toEqual(new Array(18).fill(0.25));
    expect([...bias!.dataSync()]).toEqual([3, 4]);
    expect(model.getLayer('top_fc').getWeights()[0]!.dataSync()).toEqual(top);
    const { 'tfjs/notop/model.json': json } = await notopArtifacts();
    await expect(loadPretrainedBase(model, 'tfjs/notop/model.json', store({ 'tfjs/notop/model.json': json! }))).rejects.toThrow(
      /^model\.weights: could not read weights from mem::tfjs\/notop\/weights\.bin/,
    );
    model.dispose();
  });

  it('refuses a reference that is neither a Keras .h5 nor a model.json, before reading anything', async () => {
    const model = classifier();
    const nothing: WeightsStore = { location: 'mem:', get: (key) => Promise.reject(new Error(`read ${key}`)) };
    await expect(loadPretrainedBase(model, 'weights/notop.bin', nothing)).rejects.toThrow(
      "model.weights: 'weights/notop.bin' must end in .h5 or .hdf5 (a Keras HDF5 file) or model.json (tfjs layers artifacts)",
    );
    model.dispose();
  });

  it('names model.weights and what is wrong: a missing object, a base layer the file lacks, a layer the model lacks', async () => {
    const model = classifier();
    await expect(loadPretrainedBase(model, 'weights/absent.h5', store({}))).rejects.toThrow(/^model\.weights: .*mem::weights\/absent\.h5/);
    const wider = tfl.input({ shape: [4, 4, 1] });
    const two = tfl.layers.conv2d({ name: 'block1_conv2', filters: 2, kernelSize: 3, padding: 'same' }).apply(
      tfl.layers.conv2d({ name: 'block1_conv1', filters: 2, kernelSize: 3, padding: 'same' }).apply(wider),
    ) as tfl.SymbolicTensor;
    const deeper = addClassifierTop(tfl.model({ inputs: wider, outputs: two }), { denseUnits: 2, dropout: 0 }, 2, 1);
    await expect(loadPretrainedBase(deeper, 'w.h5', store({ 'w.h5': await notopFile() }))).rejects.toThrow(
      'model.weights: mem::w.h5 has no weights for base layer(s) block1_conv2',
    );
    await expect(loadPretrainedBase(model, 'w.h5', store({ 'w.h5': await notopFile('block9_conv1') }))).rejects.toThrow(/^model\.weights: .*block9_conv1/);
    model.dispose();
    deeper.dispose();
  });
});
