import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { listSegmentationPairs, loadSegmentationPair, readGraySlice, requireAllPaired } from '@tessera/medical/tiff/segmentation-pairs';
import { datasetMirror } from './support/datasets.ts';

// Expected figures come from lung-ct/PROVENANCE.md (checked there with Pillow and ImageMagick).
const lungCt = path.join(datasetMirror(), 'lung-ct');

function fraction(mask: Uint8Array): number {
  let sum = 0;
  for (const v of mask) sum += v;
  return sum / mask.length;
}

describe('lung-ct/kaggle-2d-reencoded (8-bit RGB LZW TIFF pairs)', () => {
  it('loads all 10 pairs: 512x512, R = G = B so luma is the stored byte, exact 0/255 masks with 14-35 % lung', async () => {
    const listing = await listSegmentationPairs(path.join(lungCt, 'kaggle-2d-reencoded'));
    const pairs = requireAllPaired(listing);
    expect(pairs.map((p) => p.id)).toEqual([
      'ID_0013_Z_0047',
      'ID_0017_Z_0061',
      'ID_0028_Z_0125',
      'ID_0038_Z_0148',
      'ID_0073_Z_0076',
      'ID_0088_Z_0100',
      'ID_0118_Z_0206',
      'ID_0168_Z_0130',
      'ID_0177_Z_0163',
      'ID_0188_Z_0137',
    ]);
    for (const pair of pairs) {
      const loaded = await loadSegmentationPair(pair);
      expect([loaded.width, loaded.height, loaded.imageSlice.bitsPerSample, loaded.imageSlice.samplesPerPixel, loaded.imageSlice.conversion]).toEqual([512, 512, 8, 3, 'luma']);
      expect(loaded.image.every((v) => Number.isInteger(v) && v >= 0 && v <= 255)).toBe(true);
      const rawMask = await readGraySlice(pair.mask);
      expect(rawMask.data.every((v) => v === 0 || v === 255)).toBe(true);
      const lung = fraction(loaded.mask);
      expect(lung).toBeGreaterThanOrEqual(0.14);
      expect(lung).toBeLessThanOrEqual(0.35);
      // The re-encoding kept the high byte of int16 HU: lung air (-1024..-513 HU) reads 252 or 253.
      let air = 0;
      let inside = 0;
      loaded.mask.forEach((m, i) => {
        if (m === 1) {
          inside += 1;
          if (loaded.image[i] === 252 || loaded.image[i] === 253) air += 1;
        }
      });
      expect(air / inside).toBeGreaterThan(0.6);
    }
  });
});

describe('lung-ct/montgomery-cxr (8-bit grey PNG pairs)', () => {
  it('loads all 138 pairs: grey images, masks thresholded at 128 to 9.9-39.8 % lung', async () => {
    const listing = await listSegmentationPairs(path.join(lungCt, 'montgomery-cxr'));
    const pairs = requireAllPaired(listing);
    expect(pairs).toHaveLength(138);
    expect(pairs.filter((p) => p.id.endsWith('_1'))).toHaveLength(58);
    const lungPercent: number[] = [];
    for (const pair of pairs) {
      const loaded = await loadSegmentationPair(pair);
      expect([loaded.width, loaded.height, loaded.imageSlice.samplesPerPixel, loaded.imageSlice.conversion]).toEqual([512, 512, 1, 'gray']);
      let max = 0;
      for (const v of loaded.image) max = Math.max(max, v);
      expect(max).toBeGreaterThanOrEqual(252);
      lungPercent.push(Math.round(fraction(loaded.mask) * 1000) / 10);
    }
    lungPercent.sort((a, b) => a - b);
    expect([lungPercent[0], lungPercent[137], (lungPercent[68] ?? 0) <= 25.7 && (lungPercent[69] ?? 0) >= 25.7]).toEqual([9.9, 39.8, true]);
  });

  it('leaves at most 0.14 % of mask pixels between 0 and 255 before thresholding', async () => {
    const [pair] = (await listSegmentationPairs(path.join(lungCt, 'montgomery-cxr'))).pairs;
    if (!pair) throw new Error('no pair');
    const mask = await readGraySlice(pair.mask);
    const between = mask.data.filter((v) => v !== 0 && v !== 255).length;
    expect(between).toBeGreaterThan(0);
    expect(between / mask.data.length).toBeLessThanOrEqual(0.0014);
  });
});
