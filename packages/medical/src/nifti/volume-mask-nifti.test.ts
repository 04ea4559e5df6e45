import { describe, expect, it } from 'vitest';
import { decodeNiftiBytes } from './nifti-reader.ts';
import { encodeVolumeMaskNiftiGz } from './volume-mask-nifti.ts';

// An oblique LPS-ish grid: width along -x, height along -y at 0.5 mm, depth along z at 3 mm, shifted.
const affine = [-0.75, 0, 0, 120.5, 0, -0.5, 0, 88.25, 0, 0, 3, -40, 0, 0, 0, 1];

describe('encodeVolumeMaskNiftiGz', () => {
  it('round-trips a [depth, height, width] mask through the reader with dims [width, height, depth] and the affine', async () => {
    const shape = [2, 3, 4] as const;
    const mask = Uint8Array.from({ length: 24 }, (_, i) => (i % 5 === 0 ? 1 : 0));
    const back = decodeNiftiBytes(await encodeVolumeMaskNiftiGz(mask, shape, affine), 'mask.nii.gz');
    expect(back.shape).toEqual([4, 3, 2]);
    expect(back.datatype).toBe('uint8');
    expect(back.affineSource).toBe('sform');
    expect(back.affine.flat()).toEqual(affine);
    // Voxel (x=3, y=1, z=1) of the file is the mask's [1][1][3].
    expect(back.data[3 + 4 * (1 + 3 * 1)]).toBe(mask[1 * 12 + 1 * 4 + 3]);
    expect(Array.from(back.data)).toEqual(Array.from(mask));
  });

  it('writes a 2D case as one slice', async () => {
    const back = decodeNiftiBytes(await encodeVolumeMaskNiftiGz(Uint8Array.of(0, 1, 1, 0, 1, 0), [1, 2, 3], affine), 'slice.nii.gz');
    expect(back.shape).toEqual([3, 2, 1]);
    expect(Array.from(back.data)).toEqual([0, 1, 1, 0, 1, 0]);
  });

  it('refuses an affine that is not 4x4', async () => {
    await expect(encodeVolumeMaskNiftiGz(new Uint8Array(1), [1, 1, 1], [1, 0, 0])).rejects.toThrow('a voxel-to-RAS affine is 16 numbers, got 3');
  });
});
