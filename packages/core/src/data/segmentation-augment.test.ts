import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../random/seeded-random.ts';
import type { SegmentationAugmentOptions, SliceAugmentParams } from './segmentation-augment.ts';
import { applySliceAugmentation, augmentSlice, drawPatchFlips, drawSliceAugmentation, flipPatch } from './segmentation-augment.ts';

const shape = { height: 16, width: 20 };
const none: SliceAugmentParams = {
  geometry: { flip: false, rotationDegrees: 0, zoom: 1, shiftX: 0, shiftY: 0, brightness: 1 },
  verticalFlip: false,
  brightness: 1,
  contrast: 1,
};

/** A grey ramp with a bright square (rows y0..y0+size-1, cols x0..), and the square as the mask. */
function marked(y0: number, x0: number, size: number): { image: Float32Array; mask: Uint8Array } {
  const image = new Float32Array(shape.height * shape.width);
  const mask = new Uint8Array(image.length);
  for (let y = 0; y < shape.height; y++) {
    for (let x = 0; x < shape.width; x++) {
      const inside = y >= y0 && y < y0 + size && x >= x0 && x < x0 + size;
      image[y * shape.width + x] = inside ? 100 : x / 10;
      mask[y * shape.width + x] = inside ? 1 : 0;
    }
  }
  return { image, mask };
}

/** Centroid (y, x) of `weights` above `threshold`, weighted by value. */
function centroid(weights: ArrayLike<number>, threshold: number): [number, number] {
  let total = 0;
  let cy = 0;
  let cx = 0;
  for (let i = 0; i < weights.length; i++) {
    const w = weights[i] as number;
    if (w <= threshold) continue;
    total += w;
    cy += w * Math.floor(i / shape.width);
    cx += w * (i % shape.width);
  }
  return [cy / total, cx / total];
}

const everything: SegmentationAugmentOptions = {
  horizontalFlip: true,
  verticalFlip: true,
  rotationRange: 30,
  zoomRange: 0.2,
  widthShiftRange: 0.1,
  heightShiftRange: 0.1,
  brightnessRange: [0.8, 1.2],
  contrastRange: [0.8, 1.2],
};

describe('segmentation augmentation', () => {
  it('copies image and mask exactly when every option is off', () => {
    const { image, mask } = marked(3, 4, 3);
    const random = SeededRandom.fromSeed(1);
    const out = augmentSlice(image, mask, shape, {}, random);
    expect([...out.image]).toEqual([...image]);
    expect([...out.mask]).toEqual([...mask]);
  });

  it('moves a marked square to the same place in image and mask under an exact transform (shifts and both flips)', () => {
    const { image, mask } = marked(2, 3, 1);
    const params: SliceAugmentParams = { ...none, geometry: { ...none.geometry, shiftX: 2, shiftY: 1, flip: true, rotationDegrees: 0 }, verticalFlip: true };
    const out = applySliceAugmentation(image, mask, shape, params);
    const at = out.mask.findIndex((v) => v === 1);
    // Shifted by (1, 2) to (3, 5), flipped left-right to x 14, then upside down to y 12.
    expect(at).toBe(12 * shape.width + 14);
    expect(out.mask.reduce((s, v) => s + v, 0)).toBe(1);
    expect(out.image[at]).toBe(100);
  });

  it('keeps image and mask aligned under random rotation, zoom and shifts (centroids within half a pixel)', () => {
    const { image, mask } = marked(5, 6, 5);
    for (let seed = 0; seed < 10; seed++) {
      const params = drawSliceAugmentation(everything, shape, SeededRandom.fromSeed(seed));
      const out = applySliceAugmentation(image, mask, shape, { ...params, brightness: 1, contrast: 1 });
      // Nearest sampling invents no label.
      expect(out.mask.every((v) => v === 0 || v === 1)).toBe(true);
      const [iy, ix] = centroid(out.image, 50);
      const [my, mx] = centroid(out.mask, 0.5);
      expect(Math.abs(iy - my), `seed ${seed}`).toBeLessThan(0.5);
      expect(Math.abs(ix - mx), `seed ${seed}`).toBeLessThan(0.5);
    }
  });

  it('changes brightness and contrast of the image only', () => {
    const { image, mask } = marked(3, 4, 3);
    const out = applySliceAugmentation(image, mask, shape, { ...none, brightness: 2, contrast: 0.5 });
    expect([...out.mask]).toEqual([...mask]);
    const mean = image.reduce((s, v) => s + v, 0) / image.length;
    // 2v, then halfway to the new mean 2m: v + m.
    expect(out.image[0]).toBeCloseTo(image[0]! + mean, 4);
    expect(out.image[3 * shape.width + 4]).toBeCloseTo(100 + mean, 4);
  });

  it('draws eight numbers per slice whatever the options, so later draws do not depend on them', () => {
    const a = SeededRandom.fromSeed(5);
    const b = SeededRandom.fromSeed(5);
    drawSliceAugmentation({}, shape, a);
    drawSliceAugmentation(everything, shape, b);
    expect(a.next()).toBe(b.next());
  });

  it('flips 3D patches along width and height in image and mask alike', () => {
    const dims = [2, 2, 3] as const;
    const image = Float32Array.from({ length: 12 }, (_, i) => i);
    const mask = Uint8Array.from({ length: 12 }, (_, i) => i);
    flipPatch(image, mask, dims, { horizontal: true, vertical: false });
    expect([...image.subarray(0, 3)]).toEqual([2, 1, 0]);
    flipPatch(image, mask, dims, { horizontal: true, vertical: true });
    expect([...image]).toEqual([3, 4, 5, 0, 1, 2, 9, 10, 11, 6, 7, 8]);
    expect([...mask]).toEqual([...image]);
    expect(drawPatchFlips({}, SeededRandom.fromSeed(1))).toEqual({ horizontal: false, vertical: false });
  });
});
