import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadKerasWeights } from './keras-h5-import.ts';
import { readTfjsLayersArtifacts } from './tfjs-layers-artifacts.ts';
import type { WeightsStore } from './weights-source.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Conv, batch norm (two non-trainable weights) and dense, named as a Keras model names its layers. */
function net(denseUnits = 3): tfl.LayersModel {
  const input = tfl.input({ shape: [4, 4, 2] });
  let h = tfl.layers.conv2d({ name: 'conv', filters: 3, kernelSize: 3, padding: 'same' }).apply(input) as tfl.SymbolicTensor;
  h = tfl.layers.batchNormalization({ name: 'bn' }).apply(h) as tfl.SymbolicTensor;
  h = tfl.layers.flatten({ name: 'flat' }).apply(h) as tfl.SymbolicTensor;
  h = tfl.layers.dense({ name: 'out', units: denseUnits }).apply(h) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: h });
}

/** A net whose every weight (BN statistics included) is seeded noise, so no default initialiser can equal it. */
function trainedNet(): tfl.LayersModel {
  const model = net();
  model.setWeights(model.getWeights().map((w, i) => tf.randomUniform(w.shape, 0.1, 1, 'float32', 100 + i)));
  return model;
}

async function artifactsOf(model: tfl.LayersModel): Promise<tf.io.ModelArtifacts> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler((artifacts) => {
      saved = artifacts;
      return Promise.resolve({ modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } });
    }),
  );
  if (saved?.weightSpecs === undefined || saved.weightData === undefined) throw new Error('model.save gave no weights');
  return saved;
}

/**
 * The files of a layers model as tfjs and its converter lay them out, relative to model.json: two manifest groups,
 * the second split into two shards at a byte that cuts a weight in half, and one shard in a subfolder.
 */
async function layersFiles(model: tfl.LayersModel): Promise<Map<string, Uint8Array>> {
  const artifacts = await artifactsOf(model);
  const specs = artifacts.weightSpecs!;
  const data = new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData));
  const firstGroup = specs.slice(0, 2);
  const firstBytes = firstGroup.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1) * 4, 0);
  const cut = firstBytes + 6;
  const json: tf.io.ModelJSON = {
    modelTopology: artifacts.modelTopology!,
    format: artifacts.format,
    generatedBy: artifacts.generatedBy,
    convertedBy: null,
    weightsManifest: [
      { paths: ['./group1-shard1of1.bin'], weights: firstGroup },
      { paths: ['group2-shard1of2.bin', 'more/group2-shard2of2.bin'], weights: specs.slice(2) },
    ],
  };
  return new Map([
    ['model.json', new TextEncoder().encode(JSON.stringify(json))],
    ['group1-shard1of1.bin', data.slice(0, firstBytes)],
    ['group2-shard1of2.bin', data.slice(firstBytes, cut)],
    ['more/group2-shard2of2.bin', data.slice(cut)],
  ]);
}

function memoryStore(prefix: string, files: Map<string, Uint8Array>, reads: string[] = []): WeightsStore {
  return {
    location: 'mem:',
    get: (key) => {
      reads.push(key);
      const bytes = key.startsWith(prefix) ? files.get(key.slice(prefix.length)) : undefined;
      return bytes ? Promise.resolve(bytes) : Promise.reject(new Error(`no object ${key}`));
    },
  };
}

const values = (model: tfl.LayersModel) => model.getWeights().map((w) => Array.from(w.dataSync()));

describe('tfjs layers artifacts', () => {
  it('load from an object store by layer and weight name into a model built with other initial weights', async () => {
    const source = trainedNet();
    const reads: string[] = [];
    const store = memoryStore('pretrained/net/', await layersFiles(source), reads);
    const target = net();
    expect(values(target)).not.toEqual(values(source));
    const artifacts = await readTfjsLayersArtifacts({ store, key: 'pretrained/net/model.json' });
    expect(artifacts).toMatchObject({ source: 'mem::pretrained/net/model.json', format: 'layers-model' });
    expect(artifacts.layers.map((l) => [l.name, l.weights.map((w) => w.name)])).toEqual([
      ['conv', ['conv/kernel', 'conv/bias']],
      ['bn', ['bn/gamma', 'bn/beta', 'bn/moving_mean', 'bn/moving_variance']],
      ['out', ['out/kernel', 'out/bias']],
    ]);
    expect(loadKerasWeights(target, artifacts)).toEqual({ loaded: ['conv', 'bn', 'out'], skipped: [], ignored: [] });
    expect(values(target)).toEqual(values(source));
    expect(reads.sort()).toEqual(['pretrained/net/group1-shard1of1.bin', 'pretrained/net/group2-shard1of2.bin', 'pretrained/net/model.json', 'pretrained/net/more/group2-shard2of2.bin']);
    source.dispose();
    target.dispose();
  });

  it("fetch from a URL through the given fetch, shard URLs keeping the model.json's query, as tfjs' own loader reads them", async () => {
    const source = trainedNet();
    const files = await layersFiles(source);
    const fetched: string[] = [];
    const fakeFetch = ((input: string | URL | Request) => {
      const url = new URL(input instanceof Request ? input.url : input);
      fetched.push(url.href);
      const bytes = url.pathname.startsWith('/models/net/') ? files.get(url.pathname.slice('/models/net/'.length)) : undefined;
      return Promise.resolve(bytes ? new Response(bytes) : new Response('not found', { status: 404, statusText: 'Not Found' }));
    }) as typeof fetch;
    const url = 'https://example.test/models/net/model.json?token=t1';
    const target = net();
    loadKerasWeights(target, await readTfjsLayersArtifacts({ url }, fakeFetch));
    expect(values(target)).toEqual(values(source));
    expect(fetched.sort()).toEqual([
      'https://example.test/models/net/group1-shard1of1.bin?token=t1',
      'https://example.test/models/net/group2-shard1of2.bin?token=t1',
      'https://example.test/models/net/model.json?token=t1',
      'https://example.test/models/net/more/group2-shard2of2.bin?token=t1',
    ]);
    // The fixture is what tfjs itself reads: its http loader builds the same model from the same files.
    const byTfjs = await tfl.loadLayersModel(tf.io.http(url, { fetchFunc: fakeFetch }));
    expect(values(byTfjs)).toEqual(values(source));
    await expect(readTfjsLayersArtifacts({ url: 'https://example.test/models/other/model.json' }, fakeFetch)).rejects.toMatchObject({
      kind: 'WeightsUnavailable',
      message: 'could not read weights from https://example.test/models/other/model.json: HTTP 404 Not Found',
    });
    for (const model of [source, target, byTfjs]) model.dispose();
  });

  it('refuse a shape that does not fit, a layer the file lacks and one the model lacks, naming them, before changing any weight', async () => {
    const store = memoryStore('', await layersFiles(trainedNet()));
    const artifacts = await readTfjsLayersArtifacts({ store, key: 'model.json' });
    const wider = net(5);
    const before = values(wider);
    expect(thrown(() => loadKerasWeights(wider, artifacts))).toMatchObject({
      kind: 'WeightShapeMismatch',
      layer: 'out',
      weight: 'kernel',
      modelShape: [48, 5],
      fileShape: [48, 3],
      message: "layer 'out': weight 'kernel' has shape [48, 5] in the model but [48, 3] in mem::model.json",
    });
    expect(values(wider)).toEqual(before);
    const input = tfl.input({ shape: [4, 4, 2] });
    const conv = tfl.layers.conv2d({ name: 'conv', filters: 3, kernelSize: 3, padding: 'same' }).apply(input) as tfl.SymbolicTensor;
    const extra = tfl.layers.dense({ name: 'extra', units: 2 }).apply(conv) as tfl.SymbolicTensor;
    const other = tfl.model({ inputs: input, outputs: extra });
    expect(thrown(() => loadKerasWeights(other, artifacts))).toMatchObject({ kind: 'LayerMissingFromFile', layer: 'extra', fileLayers: ['conv', 'bn', 'out'] });
    expect(thrown(() => loadKerasWeights(other, artifacts, { missingInFile: 'skip' }))).toMatchObject({
      kind: 'LayerMissingFromModel',
      layer: 'bn',
      message: "mem::model.json holds weights for layer 'bn', which the model does not have",
    });
    wider.dispose();
    other.dispose();
  });

  it.each<[string, (files: Map<string, Uint8Array>) => void, RegExp]>([
    ['not JSON', (files) => files.set('model.json', new TextEncoder().encode('<html>')), /is not a usable tfjs layers model\.json: it is not JSON/],
    ['no manifest', (files) => files.set('model.json', new TextEncoder().encode('{"modelTopology":{}}')), /: weightsManifest: Required$/],
    ['a graph model', patchJson((json) => (json.format = 'graph-model')), /its format is 'graph-model'; only a 'layers-model'/],
    ['an int32 weight', patchJson((json) => (json.weightsManifest[0]!.weights[0]!.dtype = 'int32')), /weight 'conv\/kernel' is int32; only float32/],
    ['a shard too short', (files) => files.set('group1-shard1of1.bin', new Uint8Array(8)), /needs 864 bytes but its shard files \(.*\) hold 644$/],
    ['a missing shard', (files) => files.delete('more/group2-shard2of2.bin'), /^could not read weights from mem::m\/more\/group2-shard2of2\.bin: the object store read failed/],
    ['a path out of the store', patchJson((json) => (json.weightsManifest[0]!.paths = ['../../x.bin'])), /shard path '\.\.\/\.\.\/x\.bin' leads outside the object store/],
    ['a weight of no layer', patchJson((json) => (json.weightsManifest[0]!.weights[0]!.name = 'kernel')), /weight 'kernel' is not named <layer>\/<weight>/],
  ])('name the file and the fault: %s', async (_, spoil, message) => {
    const files = await layersFiles(net());
    spoil(files);
    await expect(readTfjsLayersArtifacts({ store: memoryStore('m/', files), key: 'm/model.json' })).rejects.toThrow(message);
  });

  it('dequantize uint8, uint16 and float16 weights as tfjs does', async () => {
    const specs: tf.io.WeightsManifestEntry[] = [
      { name: 'q/a', shape: [3], dtype: 'float32', quantization: { dtype: 'uint8', scale: 0.5, min: -1 } },
      { name: 'q/b', shape: [2], dtype: 'float32', quantization: { dtype: 'uint16', scale: 0.25, min: 2 } },
      { name: 'q/c', shape: [6], dtype: 'float32', quantization: { dtype: 'float16' } },
    ];
    const data = new Uint8Array([0, 7, 255, ...new Uint8Array(Uint16Array.of(0, 40000).buffer), ...new Uint8Array(Uint16Array.of(0x3c00, 0xc000, 0x0001, 0x7bff, 0x7c00, 0x3555).buffer)]);
    const files = new Map([
      ['model.json', new TextEncoder().encode(JSON.stringify({ modelTopology: {}, weightsManifest: [{ paths: ['w.bin'], weights: specs }] }))],
      ['w.bin', data],
    ]);
    const artifacts = await readTfjsLayersArtifacts({ store: memoryStore('', files), key: 'model.json' });
    const byTfjs = tf.io.decodeWeights(data.slice().buffer, specs);
    const ours = artifacts.layers[0]!.weights.map((w) => Array.from(w.values));
    expect(ours).toEqual(['q/a', 'q/b', 'q/c'].map((name) => Array.from(byTfjs[name]!.dataSync())));
    expect(ours[0]).toEqual([-1, 2.5, 126.5]);
    tf.dispose(Object.values(byTfjs));
  });
});

function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('nothing was thrown');
}

function patchJson(patch: (json: tf.io.ModelJSON) => void): (files: Map<string, Uint8Array>) => void {
  return (files) => {
    const json = JSON.parse(new TextDecoder().decode(files.get('model.json'))) as tf.io.ModelJSON;
    patch(json);
    files.set('model.json', new TextEncoder().encode(JSON.stringify(json)));
  };
}
