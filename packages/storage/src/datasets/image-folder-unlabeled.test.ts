import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryObjectStore } from '../memory-object-store.ts';
import { putDatasetManifest } from './dataset-objects.ts';
import { buildZip, syntheticImage } from './image-folder-fixtures.ts';
import { ingestImageFolder } from './image-folder-ingest.ts';
import { readImageFolderManifest } from './image-folder-manifest.ts';
import { fetchRankImages } from './image-shard-fetch.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'tessera-unlabeled-test-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('ingesting unlabeled images to predict', () => {
  it("packs a zip of Kaggle's test1/ as the test split with no classes, labels -1, ids as paths", async () => {
    const files = new Map<string, Uint8Array | null>([['test1/', null]]);
    for (let i = 1; i <= 5; i += 1) files.set(`test1/${i}.jpg`, await syntheticImage(i, 'jpeg'));
    await writeFile(path.join(dir, 'test1.zip'), buildZip(files));
    const store = new MemoryObjectStore();
    const { manifest, manifestKey } = await ingestImageFolder(store, { name: 'kaggle-test1', source: path.join(dir, 'test1.zip'), height: 6, width: 8, imagesPerShard: 2 });
    expect(manifest.summary).toBe('5 images (5 test, unlabeled), 8x6 RGB');
    expect(manifest.images.classNames).toEqual([]);
    expect(manifest.images.splits).toEqual({ train: { count: 0, perClass: [] }, valid: { count: 0, perClass: [] }, test: { count: 5, perClass: [] } });
    expect(manifest.images.shards.map((s) => [s.split, s.count])).toEqual([['test', 2], ['test', 2], ['test', 1]]);

    const reread = await readImageFolderManifest(store, manifestKey);
    const halves = await Promise.all([0, 1].map((rank) => fetchRankImages(store, reread, { split: 'test', rank, worldSize: 2 })));
    expect(halves.map((h) => h.count)).toEqual([2, 3]);
    expect(halves.flatMap((h) => [...h.labels])).toEqual([-1, -1, -1, -1, -1]);
    expect(halves.flatMap((h) => h.ids).sort()).toEqual(['test1/1.jpg', 'test1/2.jpg', 'test1/3.jpg', 'test1/4.jpg', 'test1/5.jpg']);
  });

  it('reads a manifest written before the test split existed as having no test images', async () => {
    const store = new MemoryObjectStore();
    const files = new Map<string, Uint8Array | null>();
    for (const [i, name] of ['train/a/1.png', 'train/a/2.png', 'train/b/1.png', 'train/b/2.png'].entries()) files.set(name, await syntheticImage(i));
    await writeFile(path.join(dir, 'ab.zip'), buildZip(files));
    const { manifest, manifestKey } = await ingestImageFolder(store, { name: 'ab', source: path.join(dir, 'ab.zip'), height: 4, width: 4 });
    const { test: _test, ...oldSplits } = manifest.images.splits;
    await putDatasetManifest(store, { ...manifest, images: { ...manifest.images, splits: oldSplits } } as typeof manifest);
    const reread = await readImageFolderManifest(store, manifestKey);
    expect(reread.images.splits.test).toEqual({ count: 0, perClass: [0, 0] });
    expect(reread.images.splits.train.count).toBe(4);
  });
});
