import { describe, expect, it } from 'vitest';
import { affineFromRows, entry } from './nifti-affine.ts';
import type { Affine } from './nifti-affine.ts';
import { orientationCodes } from './nifti-orientation.ts';
import { decodeNiftiBytes, toCanonical } from './nifti-reader.ts';
import type { NiftiImage } from './nifti-reader.ts';
import { buildTestNifti } from './nifti-test-files.ts';

function world(affine: Affine, i: number, j: number, k: number): [number, number, number] {
  const at = (r: number): number => entry(affine, r, 0) * i + entry(affine, r, 1) * j + entry(affine, r, 2) * k + entry(affine, r, 3);
  return [at(0), at(1), at(2)];
}

/** Map world position -> value for every voxel of frame `t`: the reorientation must keep each value where it was. */
function valuesByPosition(image: NiftiImage, t: number): Map<string, number> {
  const [nx = 1, ny = 1, nz = 1] = image.shape;
  const map = new Map<string, number>();
  for (let k = 0; k < nz; k += 1)
    for (let j = 0; j < ny; j += 1)
      for (let i = 0; i < nx; i += 1) map.set(world(image.affine, i, j, k).map((v) => v.toFixed(3)).join(','), image.data[i + nx * (j + ny * (k + nz * t))] ?? Number.NaN);
  return map;
}

describe('orientationCodes', () => {
  it('names the direction each voxel axis runs', () => {
    expect(orientationCodes(affineFromRows([[-2, 0, 0, 0], [0, 2, 0, 0], [0, 0, 2, 0]]))).toBe('LAS');
    expect(orientationCodes(affineFromRows([[0, 0, 1, 0], [-1, 0, 0, 0], [0, -1, 0, 0]]))).toBe('PIR');
    // 20° oblique still reads as its closest axes.
    const c = Math.cos(0.35);
    const s = Math.sin(0.35);
    expect(orientationCodes(affineFromRows([[c, -s, 0, 0], [s, c, 0, 0], [0, 0, -1, 0]]))).toBe('RAI');
  });
});

describe('toCanonical', () => {
  const shape = [3, 4, 5, 2];
  const values = Array.from({ length: 120 }, (_, i) => i);
  const image = (srow: readonly (readonly [number, number, number, number])[]): NiftiImage =>
    decodeNiftiBytes(
      buildTestNifti({
        datatype: 4,
        bitpix: 16,
        shape,
        values,
        header: { sformCode: 1, srow: [srow[0] ?? [1, 0, 0, 0], srow[1] ?? [0, 1, 0, 0], srow[2] ?? [0, 0, 1, 0]] },
      }),
      'o.nii',
    );

  it('flips x of an LAS image and moves the origin to the other end', () => {
    const las = image([
      [-2, 0, 0, 90],
      [0, 2, 0, -126],
      [0, 0, 2, -72],
    ]);
    const ras = toCanonical(las);
    expect(ras.orientation).toBe('RAS');
    expect(ras.shape).toEqual(shape);
    expect(ras.affine.slice(0, 3)).toEqual([
      [2, 0, 0, 90 - 2 * 2],
      [0, 2, 0, -126],
      [0, 0, 2, -72],
    ]);
    expect(ras.data[0]).toBe(2);
    expect(ras.data[2]).toBe(0);
  });

  it('permutes and flips a PIR image so every value keeps its world position, in every frame', () => {
    const pir = image([
      [0, 0, 1.5, -10],
      [-1, 0, 0, 20],
      [0, -3, 0, 30],
    ]);
    expect(pir.orientation).toBe('PIR');
    const ras = toCanonical(pir);
    expect(ras.orientation).toBe('RAS');
    expect(ras.shape).toEqual([5, 3, 4, 2]);
    expect(ras.pixdim.slice(0, 3)).toEqual([1, 1, 1].map((_, i) => pir.pixdim[[2, 0, 1][i] ?? 0]));
    for (const t of [0, 1]) expect(valuesByPosition(ras, t)).toEqual(valuesByPosition(pir, t));
    // RAS+ voxel axes: every diagonal entry positive.
    expect([entry(ras.affine, 0, 0), entry(ras.affine, 1, 1), entry(ras.affine, 2, 2)]).toEqual([1.5, 1, 3]);
  });

  it('keeps rows whole where i stays i, flipped (LPI) or not (RPI)', () => {
    for (const sx of [-1, 1]) {
      const image1 = image([
        [sx * 2, 0, 0, 5],
        [0, -1, 0, 6],
        [0, 0, -4, 7],
      ]);
      const ras = toCanonical(image1);
      expect(ras.orientation).toBe('RAS');
      expect(ras.shape).toEqual(shape);
      for (const t of [0, 1]) expect(valuesByPosition(ras, t)).toEqual(valuesByPosition(image1, t));
    }
  });

  it('returns an RAS image unchanged', () => {
    const ras = image([
      [1, 0, 0, 0],
      [0, 1, 0, 0],
      [0, 0, 1, 0],
    ]);
    expect(toCanonical(ras)).toBe(ras);
  });
});
