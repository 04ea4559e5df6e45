import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../random/seeded-random.ts';
import { drawPatchOrigins, extractPatch, foregroundIndices } from './patch-sampler.ts';

/** A [4, 6, 8] volume whose voxel value is its index, and a mask with one foreground voxel at (3, 5, 7). */
const shape = [4, 6, 8] as const;
const volume = Float32Array.from({ length: 4 * 6 * 8 }, (_, i) => i);
const mask = new Uint8Array(volume.length);
mask[(3 * 6 + 5) * 8 + 7] = 1;

describe('patch sampler', () => {
  it('extracts a patch inside the volume exactly', () => {
    const patch = extractPatch(volume, shape, [1, 2, 3], [2, 2, 2], -1, new Float32Array(8));
    const at = (z: number, y: number, x: number) => (z * 6 + y) * 8 + x;
    expect([...patch]).toEqual([at(1, 2, 3), at(1, 2, 4), at(1, 3, 3), at(1, 3, 4), at(2, 2, 3), at(2, 2, 4), at(2, 3, 3), at(2, 3, 4)]);
  });

  it('pads with the fill value where the patch leaves the volume', () => {
    const patch = extractPatch(volume, shape, [-1, 5, 7], [2, 2, 2], -1, new Float32Array(8));
    // Only patch voxel (1, 0, 0), volume voxel (0, 5, 7), lies inside.
    expect([...patch]).toEqual([-1, -1, -1, -1, (0 * 6 + 5) * 8 + 7, -1, -1, -1]);
  });

  it('centres foreground patches on a foreground voxel, kept inside the volume', () => {
    const foreground = foregroundIndices(mask);
    expect([...foreground]).toEqual([(3 * 6 + 5) * 8 + 7]);
    const origins = drawPatchOrigins(shape, [2, 4, 4], 20, 1, foreground, SeededRandom.fromSeed(1));
    // Clamped: the patch must end at the volume's far corner to hold (3, 5, 7).
    expect(new Set(origins.map((o) => o.join(',')))).toEqual(new Set(['2,2,4']));
    for (const origin of origins) {
      const patchMask = extractPatch(mask, shape, origin, [2, 4, 4], 0, new Uint8Array(32));
      expect(patchMask.reduce((s, v) => s + v, 0)).toBe(1);
    }
  });

  it('places uniform patches anywhere inside the volume, and centres them where the volume is smaller', () => {
    const origins = drawPatchOrigins(shape, [2, 2, 2], 400, 0, foregroundIndices(mask), SeededRandom.fromSeed(2));
    for (const [axis, size] of shape.entries()) {
      const seen = new Set(origins.map((o) => o[axis]));
      expect(seen).toEqual(new Set(Array.from({ length: size - 1 }, (_, i) => i)));
    }
    // Depth 4 in a patch of 8: padded 2 voxels each side.
    expect(drawPatchOrigins(shape, [8, 2, 2], 3, 0.5, new Int32Array(0), SeededRandom.fromSeed(3)).map((o) => o[0])).toEqual([-2, -2, -2]);
  });

  it('draws the same origins for the same seed', () => {
    const foreground = foregroundIndices(mask);
    const a = drawPatchOrigins(shape, [2, 2, 2], 10, 0.5, foreground, SeededRandom.fromSeed(9));
    const b = drawPatchOrigins(shape, [2, 2, 2], 10, 0.5, foreground, SeededRandom.fromSeed(9));
    expect(a).toEqual(b);
  });
});
