import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imageBatches } from '@tessera/core/data/image-shard-reader';
import { decodeImageEntry } from '@tessera/storage/datasets/image-decode';
import { FsObjectStore } from '@tessera/storage/fs-object-store';
import { ingestImageFolder } from '@tessera/storage/datasets/image-folder-ingest';
import type { ImageIngestResult } from '@tessera/storage/datasets/image-folder-ingest';
import { readImageFolderManifest } from '@tessera/storage/datasets/image-folder-manifest';
import { fetchRankImages } from '@tessera/storage/datasets/image-shard-fetch';
import { datasetMirror } from './support/datasets.ts';

// The whole of ../shared/datasets/dogs-vs-cats (2,500 JPEGs) at 64x64 into a directory store: about 10 s on 2 cores.
const source = path.join(datasetMirror(), 'dogs-vs-cats');
let root = '';
let store: FsObjectStore;
let result: ImageIngestResult;
let decoded = 0;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'tessera-image-ingest-'));
  store = new FsObjectStore(path.join(root, 'objects'));
  result = await ingestImageFolder(store, {
    name: 'dogs-vs-cats',
    source,
    height: 64,
    width: 64,
    stagingDir: root,
    onProgress: (progress) => {
      if (progress.phase === 'decode') decoded = progress.done;
    },
  });
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('image-folder ingestion of dogs-vs-cats', () => {
  it('packs 1,000/1,000 training and 250/250 validation images into shards named by a checked manifest', async () => {
    const { manifest, manifestKey } = result;
    expect(decoded).toBe(2_500);
    expect(manifest.images.classNames).toEqual(['cats', 'dogs']);
    expect(manifest.images.splits).toEqual({ train: { count: 2_000, perClass: [1_000, 1_000] }, valid: { count: 500, perClass: [250, 250] }, test: { count: 0, perClass: [0, 0] } });
    expect(manifest.shards).toHaveLength(10);
    expect(manifest.sizeBytes).toBeGreaterThan(2_500 * 64 * 64 * 3);
    expect(result.skipped).toEqual(['PROVENANCE.md', 'SHA256SUMS']);
    expect(await readImageFolderManifest(store, manifestKey)).toEqual(manifest);
    expect((await store.list('datasets/dogs-vs-cats/')).sort()).toEqual([...manifest.shards.map((shard) => shard.key), manifestKey].sort());
  });

  it('gives 2 ranks 1,000 training images each, mixed classes, pixels equal to decoding that JPEG alone', async () => {
    const ranks = await Promise.all([0, 1].map((rank) => fetchRankImages(store, result.manifest, { split: 'train', rank, worldSize: 2 })));
    expect(ranks.map((records) => records.count)).toEqual([1_000, 1_000]);
    expect(new Set(ranks.flatMap((records) => records.ids)).size).toBe(2_000);
    for (const records of ranks) {
      const dogs = records.labels.reduce((sum, label) => sum + label, 0);
      expect(dogs).toBeGreaterThan(400);
      expect(dogs).toBeLessThan(600);
    }
    const [first] = ranks;
    const id = first?.ids[7] ?? '';
    const expected = await decodeImageEntry(await readFile(path.join(source, id)), id, { height: 64, width: 64, fit: 'fill' });
    expect(Buffer.from(first?.pixels.subarray(7 * 12_288, 8 * 12_288) ?? []).equals(expected)).toBe(true);
    expect(first?.labels[7]).toBe(id.includes('/dogs/') ? 1 : 0);

    const valid = await fetchRankImages(store, result.manifest, { split: 'valid', rank: 0, worldSize: 1 });
    const batches = [...imageBatches(valid, { batchSize: 32, normalization: 'caffe' })];
    expect(batches).toHaveLength(16);
    expect(batches[0]?.shape).toEqual([32, 64, 64, 3]);
    expect(batches.at(-1)?.shape).toEqual([500 - 15 * 32, 64, 64, 3]);
  });
});
