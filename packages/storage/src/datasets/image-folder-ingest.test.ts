import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeImageShard } from '@tessera/core/data/image-shard-format';
import { MemoryObjectStore } from '../memory-object-store.ts';
import { readDatasetFile } from './dataset-objects.ts';
import { isImageFolderError } from './image-folder-errors.ts';
import { buildZip, syntheticImage, writeTree } from './image-folder-fixtures.ts';
import type { ImageIngestOptions, ImageIngestProgress } from './image-folder-ingest.ts';
import { ingestImageFolder } from './image-folder-ingest.ts';
import { readImageFolderManifest } from './image-folder-manifest.ts';
import { fetchRankImages } from './image-shard-fetch.ts';

const createdAt = new Date('2025-01-02T03:04:05.000Z');
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'tessera-image-ingest-test-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** train: 5 cats (seeds 0-4), 4 dogs (10-13); valid: 2 cats (20-21), 2 dogs (30-31). PNG, so colours survive. */
async function smallTree(): Promise<Map<string, Uint8Array | null>> {
  const files = new Map<string, Uint8Array | null>();
  const add = async (split: string, className: string, seeds: number[]): Promise<void> => {
    for (const seed of seeds) files.set(`${split}/${className}/${className}.${seed}.png`, await syntheticImage(seed));
  };
  await add('train', 'cats', [0, 1, 2, 3, 4]);
  await add('train', 'dogs', [10, 11, 12, 13]);
  await add('valid', 'cats', [20, 21]);
  await add('valid', 'dogs', [30, 31]);
  files.set('README.md', Buffer.from('not an image'));
  return files;
}

function options(source: string, extra: Partial<ImageIngestOptions> = {}): ImageIngestOptions {
  return { name: 'pets', source, height: 6, width: 8, imagesPerShard: 3, concurrency: 2, createdAt, ...extra };
}

function seedOf(id: string): number {
  return Number(/\.(\d+)\.png$/.exec(id)?.[1]);
}

async function ingestError(store: MemoryObjectStore, source: string): Promise<Error & { kind?: string; file?: string }> {
  const error: unknown = await ingestImageFolder(store, options(source)).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!isImageFolderError(error)) throw new Error(`expected an ImageFolderError, got ${String(error)}`);
  return error;
}

describe('ingestImageFolder', () => {
  it('packs a directory into shuffled shards with a manifest written last, and every image reads back', async () => {
    await writeTree(path.join(dir, 'src'), await smallTree());
    const store = new MemoryObjectStore();
    const order: string[] = [];
    const put = store.put.bind(store);
    store.put = (key, data) => {
      order.push(key);
      return put(key, data);
    };
    const progress: ImageIngestProgress[] = [];
    const result = await ingestImageFolder(store, options(path.join(dir, 'src'), { onProgress: (p) => progress.push(p) }));

    const { manifest, manifestKey } = result;
    expect(result.reused).toBe(false);
    expect(result.skipped).toEqual(['README.md']);
    expect(order.at(-1)).toBe(manifestKey);
    expect(order).toHaveLength(manifest.shards.length + 1);
    expect(manifest.kind).toBe('image-folder');
    expect(manifest.summary).toBe('13 images (9 train, 4 valid), 2 classes, 8x6 RGB');
    expect(manifest.images.classNames).toEqual(['cats', 'dogs']);
    expect(manifest.images.splits).toEqual({ train: { count: 9, perClass: [5, 4] }, valid: { count: 4, perClass: [2, 2] }, test: { count: 0, perClass: [0, 0] } });
    expect(manifest.images.shards.map((shard) => [shard.split, shard.count])).toEqual([
      ['train', 3], ['train', 3], ['train', 3], ['valid', 3], ['valid', 1],
    ]);
    expect(manifest.shards.map((shard) => shard.fileName)).toEqual([
      'train-00000.tsis', 'train-00001.tsis', 'train-00002.tsis', 'valid-00003.tsis', 'valid-00004.tsis',
    ]);
    expect(progress.filter((p) => p.phase === 'decode').map((p) => p.done)).toEqual(Array.from({ length: 13 }, (_, i) => i + 1));
    expect(progress.at(-1)).toEqual({ phase: 'upload', done: 5, total: 5 });
    expect(await readImageFolderManifest(store, manifestKey)).toEqual(manifest);

    const ids: string[] = [];
    for (const shard of manifest.shards) {
      const records = decodeImageShard(await readDatasetFile(store, manifest, shard.fileName), shard.key);
      expect([records.height, records.width, records.channels]).toEqual([6, 8, 3]);
      records.ids.forEach((id, index) => {
        ids.push(id);
        expect(records.labels[index]).toBe(id.includes('/dogs/') ? 1 : 0);
        // A solid PNG resized stays solid: its first pixel is the colour syntheticImage chose for its seed.
        const seed = seedOf(id);
        expect([...records.pixels.subarray(index * 144, index * 144 + 3)]).toEqual([(seed * 37) % 256, (seed * 91) % 256, (seed * 13) % 256]);
      });
    }
    expect(ids.filter((id) => id.startsWith('train/')).sort()).toEqual([...(await smallTree()).keys()].filter((id) => id.startsWith('train/')).sort());
    // Shuffled at ingest: the first shard is not simply the first three cats.
    expect(ids.slice(0, 9)).not.toEqual([...ids.slice(0, 9)].sort());
  });

  it('gives ranks disjoint shares of a split that together hold every image', async () => {
    await writeTree(path.join(dir, 'src'), await smallTree());
    const store = new MemoryObjectStore();
    const { manifest } = await ingestImageFolder(store, options(path.join(dir, 'src')));
    const gets: string[] = [];
    const get = store.get.bind(store);
    store.get = (key) => {
      gets.push(key);
      return get(key);
    };
    const rank0 = await fetchRankImages(store, manifest, { split: 'train', rank: 0, worldSize: 2 });
    expect(gets).toEqual([manifest.shards[0]?.key, manifest.shards[1]?.key]);
    const rank1 = await fetchRankImages(store, manifest, { split: 'train', rank: 1, worldSize: 2 });
    expect([rank0.count, rank1.count]).toEqual([4, 5]);
    expect(new Set([...rank0.ids, ...rank1.ids]).size).toBe(9);
    expect(rank1.pixels.byteLength).toBe(5 * 6 * 8 * 3);
    const valid = await fetchRankImages(store, manifest, { split: 'valid', rank: 0, worldSize: 1 });
    expect(valid.ids.every((id) => id.startsWith('valid/'))).toBe(true);
    expect(valid.count).toBe(4);
  });

  it('gives a zip (wrapped in a top-level folder) the same content hash as the directory, and re-ingesting is a no-op', async () => {
    const tree = await smallTree();
    await writeTree(path.join(dir, 'src'), tree);
    const zipped = new Map([...tree].map(([name, bytes]) => [`pets/${name}`, bytes] as const));
    await writeFile(path.join(dir, 'pets.zip'), buildZip(zipped));
    const fromDir = await ingestImageFolder(new MemoryObjectStore(), options(path.join(dir, 'src')));
    const store = new MemoryObjectStore();
    const fromZip = await ingestImageFolder(store, options(path.join(dir, 'pets.zip')));
    expect(fromZip.manifest.images.source).toBe('zip');
    expect(fromZip.manifest.sha256).toBe(fromDir.manifest.sha256);
    const again = await ingestImageFolder(store, options(path.join(dir, 'pets.zip')));
    expect(again.reused).toBe(true);
    const other = await ingestImageFolder(store, options(path.join(dir, 'pets.zip'), { seed: 7 }));
    expect(other.manifest.sha256).not.toBe(fromZip.manifest.sha256);
  });

  it('names a corrupt or truncated JPEG and writes nothing to the store', async () => {
    const tree = await smallTree();
    const jpeg = await syntheticImage(5, 'jpeg', { width: 64, height: 64 });
    for (const [name, bytes] of [
      ['train/dogs/dog.17.jpg', Buffer.from('this is not a jpeg at all')],
      ['train/dogs/dog.18.jpg', jpeg.subarray(0, jpeg.length >> 1)],
    ] as const) {
      const root = path.join(dir, name.replace(/\W/g, '_'));
      await writeTree(root, new Map([...tree, [name, bytes]]));
      const store = new MemoryObjectStore();
      const error = await ingestError(store, root);
      expect(error.kind).toBe('UndecodableImage');
      expect(error.message).toMatch(new RegExp(`^${name.replace(/\./g, '\\.')}: not a decodable image \\(.+\\)$`));
      expect(await store.list('')).toEqual([]);
    }
  });

  it.each([
    ['an empty class folder', [['train/birds/', null]], 'EmptyClassFolder', 'train/birds/: empty class folder (no images)'],
    ['a class folder holding no images', [['valid/birds/notes.txt', Buffer.from('x')]], 'EmptyClassFolder', 'valid/birds/: empty class folder'],
    ['a valid/ class that train/ lacks', [['valid/birds/b.1.png', 'image']], 'UnknownClass', "valid/birds/: class 'birds'"],
  ] as const)('names %s', async (_label, extra, kind, message) => {
    const tree = await smallTree();
    for (const [name, bytes] of extra) tree.set(name, bytes === 'image' ? await syntheticImage(1) : bytes);
    await writeTree(path.join(dir, 'src'), tree);
    const error = await ingestError(new MemoryObjectStore(), path.join(dir, 'src'));
    expect(error.kind).toBe(kind);
    expect(error.message.startsWith(message)).toBe(true);
  });

  it('names a single-class data set and a missing train/ folder', async () => {
    await writeTree(path.join(dir, 'one'), new Map([['train/cats/cat.1.png', await syntheticImage(1)]]));
    const single = await ingestError(new MemoryObjectStore(), path.join(dir, 'one'));
    expect(single.kind).toBe('SingleClass');
    expect(single.message).toBe("train/: only one class ('cats'); a classifier needs at least two class folders");
    await writeTree(path.join(dir, 'none'), new Map([['training/cats/cat.1.png', await syntheticImage(1)]]));
    const none = await ingestError(new MemoryObjectStore(), path.join(dir, 'none'));
    expect(none.kind).toBe('NoTrainFolder');
    expect(none.message).toMatch(/^\.: no train\/ folder \(found training\)/);
  });

  it.each([
    ['../evil.png', "contains a '..' segment"],
    ['train/cats/../../../etc/evil.png', "contains a '..' segment"],
    ['/etc/evil.png', 'absolute path'],
    ['C:\\Windows\\evil.png', 'absolute path with a drive letter'],
    ['train\\..\\..\\evil.png', "contains a '..' segment"],
  ])('refuses the zip entry %s as escaping its root', async (entry, reason) => {
    const tree = await smallTree();
    tree.set(entry, await syntheticImage(1));
    await writeFile(path.join(dir, 'slip.zip'), buildZip(tree));
    const store = new MemoryObjectStore();
    const error = await ingestError(store, path.join(dir, 'slip.zip'));
    expect(error.kind).toBe('UnsafeZipPath');
    expect(error.message).toBe(`${entry}: zip entry path escapes the archive root (${reason})`);
    expect(await store.list('')).toEqual([]);
  });

  it('rejects options naming the field', async () => {
    await expect(ingestImageFolder(new MemoryObjectStore(), options(dir, { height: 0 }))).rejects.toThrow(/^options\.height: 0 is not an integer/);
    await expect(ingestImageFolder(new MemoryObjectStore(), options(path.join(dir, 'missing')))).rejects.toThrow(/missing: cannot open/);
  });
});
