import { gunzipSync } from 'node:zlib';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { affineFromRows, maxAffineDifference, qformAffine } from './nifti-affine.ts';
import { checkMaskMatchesImage } from './nifti-mask-check.ts';
import { isNiftiError } from './nifti-errors.ts';
import { readNifti } from './nifti-reader.ts';
import { writeNiftiGz } from './nifti-writer.ts';

const dir = await mkdtemp(path.join(os.tmpdir(), 'tessera-nifti-writer-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

const affine = affineFromRows([
  [0, 0, -2.5, 90],
  [1.5, 0, 0, -126],
  [0, 2, 0, -72.25],
]);

describe('writeNiftiGz', () => {
  it('round-trips a float32 volume: same data, shape and affine (sform and qform)', async () => {
    const data = Float32Array.from({ length: 4 * 3 * 2 }, (_, i) => (i - 7) * 0.37);
    const file = path.join(dir, 'prob.nii.gz');
    await writeNiftiGz(file, { data, shape: [4, 3, 2], affine, sformCode: 4, qformCode: 4 });
    const back = await readNifti(file);
    expect(back.datatype).toBe('float32');
    expect(back.shape).toEqual([4, 3, 2]);
    expect(back.data).toEqual(data);
    expect(back.affineSource).toBe('sform');
    expect(back.affine).toEqual(affine);
    expect([back.header.qformCode, back.header.sformCode]).toEqual([4, 4]);
    expect(maxAffineDifference(qformAffine(back.header), affine)).toBeLessThan(1e-5);
    expect(gunzipSync(await readFile(file)).length).toBe(352 + data.byteLength);
  });

  it('round-trips a uint8 mask as datatype uint8 with values 0/1', async () => {
    const data = Uint8Array.from({ length: 24 }, (_, i) => i % 3 === 0 ? 1 : 0);
    const file = path.join(dir, 'mask.nii.gz');
    await writeNiftiGz(file, { data, shape: [4, 3, 2], affine });
    const back = await readNifti(file);
    expect([back.datatype, back.header.bitpix]).toEqual(['uint8', 8]);
    expect(Array.from(back.data)).toEqual(Array.from(data));
    checkMaskMatchesImage({ file: 'image.nii.gz', shape: [4, 3, 2], affine }, back);
  });

  it('refuses data that does not fill the shape', async () => {
    await expect(writeNiftiGz(path.join(dir, 'bad.nii.gz'), { data: new Float32Array(5), shape: [2, 2], affine })).rejects.toThrow(/holds 4 voxels, data has 5/);
  });
});

describe('checkMaskMatchesImage', () => {
  it('names both files and both shapes when the grids differ', () => {
    let caught: unknown;
    try {
      checkMaskMatchesImage({ file: 'ct.nii.gz', shape: [4, 3, 2], affine }, { file: 'lung.nii.gz', shape: [4, 3, 3], affine });
    } catch (error) {
      caught = error;
    }
    expect(isNiftiError(caught) && caught.kind).toBe('MaskShapeMismatch');
    expect((caught as Error).message).toBe('lung.nii.gz: mask shape [4, 3, 3] (header field dim) differs from image ct.nii.gz shape [4, 3, 2]');
  });

  it('accepts a 3-D mask for a 4-D image but not a shifted grid', () => {
    expect(() => checkMaskMatchesImage({ file: 'a', shape: [4, 3, 2, 5], affine }, { file: 'm', shape: [4, 3, 2], affine })).not.toThrow();
    const shifted = affineFromRows([affine[0], affine[1], [0, 2, 0, -70]]);
    expect(() => checkMaskMatchesImage({ file: 'a', shape: [4, 3, 2], affine }, { file: 'm', shape: [4, 3, 2], affine: shifted })).toThrow(/m: mask affine differs from image a affine by up to 2\.25 mm/);
  });
});
