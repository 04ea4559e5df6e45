import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryObjectStore } from '../memory-object-store.ts';
import { buildZip, syntheticImage } from './image-folder-fixtures.ts';
import { ingestImageFolder } from './image-folder-ingest.ts';
import { imageThumbnailsFromShards } from './image-thumbnails.ts';

describe('imageThumbnailsFromShards', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'tessera-thumbs-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function ingest(perClassImages: Record<string, number>, size: { height: number; width: number }) {
    const files = new Map<string, Uint8Array | null>();
    let seed = 0;
    for (const [className, count] of Object.entries(perClassImages)) {
      for (let i = 0; i < count; i += 1) files.set(`train/${className}/${i}.png`, await syntheticImage((seed += 1), 'png'));
    }
    const source = path.join(dir, 'set.zip');
    await writeFile(source, buildZip(files));
    const store = new MemoryObjectStore();
    const { manifest } = await ingestImageFolder(store, { name: 'set', source, ...size, imagesPerShard: 2, concurrency: 1 });
    return { store, manifest };
  }

  it('takes perClass images of each class across shards, in class order, as PNGs scaled to at most 96 px', async () => {
    const { store, manifest } = await ingest({ a: 5, b: 1, c: 3 }, { height: 120, width: 200 });
    const thumbnails = await imageThumbnailsFromShards(store, manifest, 2);
    expect(thumbnails.map((t) => t.className)).toEqual(['a', 'a', 'b', 'c', 'c']);
    for (const t of thumbnails) {
      expect(t.id).toMatch(new RegExp(`^train/${t.className}/\\d\\.png$`));
      expect(await sharp(t.png).metadata()).toMatchObject({ format: 'png', width: 96, height: 58 });
    }
  });

  it('keeps small images at their stored size and the solid colour of the source', async () => {
    const { store, manifest } = await ingest({ a: 1, b: 1 }, { height: 12, width: 20 });
    const [first] = await imageThumbnailsFromShards(store, manifest, 1);
    const { data, info } = await sharp(first!.png).raw().toBuffer({ resolveWithObject: true });
    expect(info).toMatchObject({ width: 20, height: 12, channels: 3 });
    const { data: expected } = await sharp(await syntheticImage(1, 'png')).raw().toBuffer({ resolveWithObject: true });
    expect([...data.subarray(0, 3)]).toEqual([...expected.subarray(0, 3)]);
  });
});
