import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import type * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addClassifierTop } from '@tessera/core/models/image-classifier';
import { loadPretrainedBase } from '@tessera/core/models/pretrained-base';
import { buildVgg16, vgg16Blocks } from '@tessera/core/models/vgg16';
import { FsObjectStore } from '@tessera/storage/fs-object-store';

// VGG16 without its top (random weights, 59 MB) saved as tfjs layers artifacts the way tensorflowjs_converter lays
// them out (model.json and 4 MiB shards beside it), in a real directory store and behind a real HTTP server.
const prefix = 'pretrained/vgg16-notop';
const shardBytes = 4 * 1024 * 1024;
const convLayers = vgg16Blocks.flatMap((block, b) => Array.from({ length: block.convs }, (_, c) => `block${b + 1}_conv${c + 1}`));

let root: string;
let store: FsObjectStore;
let source: tfl.LayersModel;
let shardCount: number;
const requested: string[] = [];
const server = createServer((req, res) => {
  const file = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
  requested.push(file);
  readFile(path.join(root, file)).then(
    (bytes) => res.end(bytes),
    () => {
      res.statusCode = 404;
      res.end();
    },
  );
});

beforeAll(async () => {
  await tf.setBackend('cpu');
  root = await mkdtemp(path.join(tmpdir(), 'tessera-tfjs-layers-'));
  store = new FsObjectStore(root);
  source = buildVgg16({ seed: 7, includeTop: false, inputShape: [32, 32, 3] });
  let saved: tf.io.ModelArtifacts | undefined;
  await source.save(
    tf.io.withSaveHandler((artifacts) => {
      saved = artifacts;
      return Promise.resolve({ modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } });
    }),
  );
  const data = new Uint8Array(tf.io.CompositeArrayBuffer.join(saved!.weightData));
  shardCount = Math.ceil(data.byteLength / shardBytes);
  const paths = Array.from({ length: shardCount }, (_, i) => `group1-shard${i + 1}of${shardCount}.bin`);
  for (const [i, name] of paths.entries()) await store.put(`${prefix}/${name}`, data.subarray(i * shardBytes, (i + 1) * shardBytes));
  const modelJson = { modelTopology: saved!.modelTopology, format: 'layers-model', generatedBy: saved!.generatedBy, convertedBy: null, weightsManifest: [{ paths, weights: saved!.weightSpecs }] };
  await store.put(`${prefix}/model.json`, new TextEncoder().encode(JSON.stringify(modelJson)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});

afterAll(async () => {
  source.dispose();
  server.closeAllConnections();
  await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
  await rm(root, { recursive: true, force: true });
});

function classifier(size: number, seed: number): tfl.LayersModel {
  return addClassifierTop(buildVgg16({ seed, includeTop: false, inputShape: [size, size, 3] }), { denseUnits: 8, dropout: 0 }, 2, seed);
}

function weightBytes(model: tfl.LayersModel, layer: string): Buffer[] {
  return model.getLayer(layer).getWeights().map((w) => {
    const values = w.dataSync() as Float32Array;
    return Buffer.from(values.buffer, values.byteOffset, values.byteLength);
  });
}

/** Whether every weight of the layer holds exactly the source's bytes. */
function sameAsSource(model: tfl.LayersModel, layer: string): boolean {
  const [ours, theirs] = [weightBytes(model, layer), weightBytes(source, layer)];
  return ours.length === theirs.length && ours.every((b, i) => b.equals(theirs[i]!));
}

describe('tfjs layers artifacts as model.weights', () => {
  it('load into a vgg16-notop base from a directory object store, the shards read beside model.json', async () => {
    const model = classifier(32, 8);
    expect(convLayers.filter((layer) => sameAsSource(model, layer))).toEqual([]);
    const report = await loadPretrainedBase(model, `${prefix}/model.json`, store);
    expect(report).toEqual({ source: `${store.location}:${prefix}/model.json`, loaded: convLayers });
    expect(convLayers.filter((layer) => !sameAsSource(model, layer))).toEqual([]);
    model.dispose();
  });

  it('load into a 64x64 base from a real HTTP server through fetch, and a missing shard names its URL', async () => {
    const model = classifier(64, 9);
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/${prefix}/model.json`;
    requested.length = 0;
    const report = await loadPretrainedBase(model, url, store);
    expect(report.loaded).toEqual(convLayers);
    expect(convLayers.filter((layer) => !sameAsSource(model, layer))).toEqual([]);
    expect(shardCount).toBeGreaterThan(10);
    expect(requested.sort()).toEqual([`/${prefix}/model.json`, ...Array.from({ length: shardCount }, (_, i) => `/${prefix}/group1-shard${i + 1}of${shardCount}.bin`)].sort());
    await store.delete(`${prefix}/group1-shard3of${shardCount}.bin`);
    await expect(loadPretrainedBase(model, url, store)).rejects.toThrow(
      `model.weights: could not read weights from ${url.replace('model.json', `group1-shard3of${shardCount}.bin`)}: HTTP 404 Not Found`,
    );
    model.dispose();
  });
});
