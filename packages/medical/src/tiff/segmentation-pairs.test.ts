import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { decodePngSlice } from './png-slice.ts';
import { isSliceError } from './slice-errors.ts';
import { listSegmentationPairs, loadSegmentationPair, requireAllPaired } from './segmentation-pairs.ts';

const root = await mkdtemp(path.join(os.tmpdir(), 'tessera-seg-pairs-'));
afterAll(() => rm(root, { recursive: true, force: true }));

async function png(width: number, height: number, channels: 1 | 3, values: readonly number[]): Promise<Buffer> {
  const raw = sharp(Buffer.from(values), { raw: { width, height, channels } });
  return (channels === 1 ? raw.toColourspace('b-w') : raw).png().toBuffer();
}

describe('decodePngSlice', () => {
  it('keeps grey values exactly and turns RGB into luma', async () => {
    const bytes = await png(2, 2, 1, [0, 127, 128, 255]);
    // PNG colour type 0 (grey): the file itself is grey, not RGB.
    expect(bytes[25]).toBe(0);
    const grey = await decodePngSlice(bytes, 'g.png');
    expect([grey.samplesPerPixel, grey.conversion, Array.from(grey.data)]).toEqual([1, 'gray', [0, 127, 128, 255]]);
    const rgb = await decodePngSlice(await png(1, 1, 3, [0, 0, 255]), 'c.png');
    expect([rgb.conversion, Array.from(rgb.data)]).toEqual(['luma', [Math.fround(0.114 * 255)]]);
  });

  it('keeps 16-bit grey values', async () => {
    const values = Uint16Array.from([0, 300, 40000, 65535]);
    const bytes = await sharp(values, { raw: { width: 4, height: 1, channels: 1 } }).toColourspace('grey16').png().toBuffer();
    const slice = await decodePngSlice(bytes, 'g16.png');
    expect([slice.bitsPerSample, Array.from(slice.data)]).toEqual([16, [0, 300, 40000, 65535]]);
  });

  it('names a truncated PNG', async () => {
    const bytes = await png(8, 8, 1, Array.from({ length: 64 }, (_, i) => i * 3));
    const error: unknown = await decodePngSlice(bytes.subarray(0, 40), 'cut.png').catch((e: unknown) => e);
    expect(isSliceError(error) && error.kind).toBe('UndecodableImage');
    expect((error as Error).message).toMatch(/^cut\.png: not a decodable image/);
  });
});

describe('listSegmentationPairs', () => {
  it('pairs by name, lists unmatched files on both sides and names them on demand', async () => {
    const dir = path.join(root, 'set');
    await mkdir(path.join(dir, 'images'), { recursive: true });
    await mkdir(path.join(dir, 'masks'), { recursive: true });
    const image = await png(2, 2, 1, [10, 20, 30, 40]);
    const mask = await png(2, 2, 1, [0, 255, 130, 127]);
    await Promise.all([
      writeFile(path.join(dir, 'images', 'a.png'), image),
      writeFile(path.join(dir, 'masks', 'a.png'), mask),
      writeFile(path.join(dir, 'images', 'b.png'), image),
      writeFile(path.join(dir, 'masks', 'b_mask.png'), mask),
      writeFile(path.join(dir, 'images', 'lonely.png'), image),
      writeFile(path.join(dir, 'masks', 'orphan.png'), mask),
      writeFile(path.join(dir, 'images', 'notes.txt'), 'not an image'),
    ]);
    const listing = await listSegmentationPairs(dir);
    expect(listing.pairs.map((p) => [p.id, path.basename(p.image), path.basename(p.mask)])).toEqual([
      ['a', 'a.png', 'a.png'],
      ['b', 'b.png', 'b_mask.png'],
    ]);
    expect([listing.unmatchedImages, listing.unmatchedMasks]).toEqual([[path.join('images', 'lonely.png')], [path.join('masks', 'orphan.png')]]);
    expect(() => requireAllPaired(listing)).toThrow(`${dir}: 1 image(s) without a mask: images/lonely.png; 1 mask(s) without an image: masks/orphan.png`);
    const [first] = listing.pairs;
    if (!first) throw new Error('no pair');
    const loaded = await loadSegmentationPair(first);
    expect([Array.from(loaded.image), Array.from(loaded.mask)]).toEqual([
      [10, 20, 30, 40],
      [0, 1, 1, 0],
    ]);
  });

  it('names both files and sizes when a mask does not fit its image', async () => {
    const dir = path.join(root, 'sizes');
    await mkdir(path.join(dir, '2d_images'), { recursive: true });
    await mkdir(path.join(dir, '2d_masks'), { recursive: true });
    await writeFile(path.join(dir, '2d_images', 'x.png'), await png(2, 2, 1, [1, 2, 3, 4]));
    await writeFile(path.join(dir, '2d_masks', 'x.png'), await png(3, 1, 1, [0, 0, 0]));
    const [pair] = requireAllPaired(await listSegmentationPairs(dir));
    if (!pair) throw new Error('no pair');
    await expect(loadSegmentationPair(pair)).rejects.toThrow(`${pair.mask}: mask is 3x1 (width x height) but its image ${pair.image} is 2x2`);
  });

  it('names the folders it found when there is no image/mask pair of folders', async () => {
    const dir = path.join(root, 'flat');
    await mkdir(path.join(dir, 'scans'), { recursive: true });
    await expect(listSegmentationPairs(dir)).rejects.toThrow(`${dir}: no image and mask folders (expected images/ + masks/ or 2d_images/ + 2d_masks/; found scans)`);
  });
});
