import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../random/seeded-random.ts';
import type { ImageAugmentOptions } from './image-augment.ts';
import { applyAugmentation, augmentImage, CAFFE_MEAN_BGR, drawAugmentation, normalizeImages } from './image-augment.ts';

const shape = { height: 4, width: 5, channels: 3 };
/** Pixel (y, x) channel c holds 10*y + x + 100*c, so positions are readable from values. */
const image = Uint8Array.from({ length: 60 }, (_, i) => {
  const c = i % 3;
  const x = Math.floor(i / 3) % 5;
  const y = Math.floor(i / 15);
  return 10 * y + x + 100 * c;
});
const none = { flip: false, rotationDegrees: 0, zoom: 1, shiftX: 0, shiftY: 0, brightness: 1 };
const everything: ImageAugmentOptions = {
  horizontalFlip: true,
  rotationRange: 20,
  zoomRange: 0.2,
  widthShiftRange: 0.1,
  heightShiftRange: 0.1,
  brightnessRange: [0.8, 1.2],
};

describe('image augmentation', () => {
  it('is an exact float copy with no augmentation, and an exact mirror with a flip', () => {
    expect([...applyAugmentation(image, shape, none)]).toEqual([...image]);
    const flipped = applyAugmentation(image, shape, { ...none, flip: true });
    expect([...flipped.subarray(0, 3)]).toEqual([4, 104, 204]);
    expect([...flipped.subarray(12, 15)]).toEqual([0, 100, 200]);
  });

  it('shifts content by whole pixels, filling from the nearest edge', () => {
    const shifted = applyAugmentation(image, shape, { ...none, shiftX: 1 });
    // Output x=1 shows source x=0; output x=0 falls outside and takes the nearest source pixel (x=0).
    expect(shifted[3]).toBe(0);
    expect(shifted[6]).toBe(1);
    expect(applyAugmentation(image, shape, { ...none, shiftX: 1 }, { fillMode: 'constant', cval: 7 })[0]).toBe(7);
  });

  it('rotates 180 degrees about the centre exactly', () => {
    const rotated = applyAugmentation(image, shape, { ...none, rotationDegrees: 180 });
    expect(rotated[0]).toBeCloseTo(34, 4);
    expect(rotated[59 - 2]).toBeCloseTo(0, 4);
  });

  it('scales intensities by brightness and clamps to 255', () => {
    const bright = applyAugmentation(image, shape, { ...none, brightness: 2 });
    expect(bright[1]).toBe(200);
    expect(bright[2]).toBe(255);
  });

  it('gives the same output for the same seed, another for another seed, and keeps the shape', () => {
    const run = (seed: number): Float32Array[] => {
      const random = SeededRandom.fromSeed(seed, 'augment', 0);
      return [0, 1, 2].map(() => augmentImage(image, shape, everything, random));
    };
    const a = run(1);
    expect(a.map((out) => [...out])).toEqual(run(1).map((out) => [...out]));
    expect(a.map((out) => [...out])).not.toEqual(run(2).map((out) => [...out]));
    expect(a.every((out) => out.length === 60 && out.every((v) => v >= 0 && v <= 255))).toBe(true);
  });

  it('draws six numbers per image whatever is enabled, so options do not shift later draws', () => {
    const a = SeededRandom.fromSeed(3);
    const b = SeededRandom.fromSeed(3);
    drawAugmentation({}, shape, a);
    drawAugmentation(everything, shape, b);
    expect(a.nextUint32()).toBe(b.nextUint32());
    const params = drawAugmentation({ rotationRange: 10 }, shape, SeededRandom.fromSeed(4));
    expect(Math.abs(params.rotationDegrees)).toBeLessThanOrEqual(10);
    expect(params).toMatchObject({ flip: false, zoom: 1, shiftX: 0, shiftY: 0, brightness: 1 });
  });
});

describe('normalizeImages', () => {
  it('caffe: swaps RGB to BGR and subtracts the ImageNet means', () => {
    const out = normalizeImages(Float32Array.from([10, 20, 30, 0, 0, 255]), 3, 'caffe');
    expect([...out].map((v) => Number(v.toFixed(3)))).toEqual([
      30 - CAFFE_MEAN_BGR[0], 20 - CAFFE_MEAN_BGR[1], 10 - CAFFE_MEAN_BGR[2],
      255 - CAFFE_MEAN_BGR[0], 0 - CAFFE_MEAN_BGR[1], 0 - CAFFE_MEAN_BGR[2],
    ].map((v) => Number(Math.fround(v).toFixed(3))));
  });

  it('scale and tf map 0..255 to [0, 1] and [-1, 1]', () => {
    expect([...normalizeImages(Float32Array.from([0, 255]), 1, 'scale')]).toEqual([0, 1]);
    expect([...normalizeImages(Float32Array.from([0, 255]), 1, 'tf')]).toEqual([-1, 1]);
  });
});
