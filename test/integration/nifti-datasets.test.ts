import { readdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { entry, maxAffineDifference } from '@tessera/medical/nifti/nifti-affine';
import type { Affine } from '@tessera/medical/nifti/nifti-affine';
import { isNiftiError } from '@tessera/medical/nifti/nifti-errors';
import { checkMaskMatchesImage } from '@tessera/medical/nifti/nifti-mask-check';
import { headerAffines, readNifti, toCanonical } from '@tessera/medical/nifti/nifti-reader';
import type { NiftiImage } from '@tessera/medical/nifti/nifti-reader';
import { datasetMirror } from './support/datasets.ts';

// Expected values below were computed outside this code: header fields and voxel statistics with Python's struct and
// numpy straight from the bytes, the qform with the nifti1_io quaternion formula in float64, and checked against the
// figures in nifti/PROVENANCE.md and lung-ct/PROVENANCE.md (which were read with nibabel).
const root = path.join(datasetMirror(), 'nifti');
const variants = path.join(root, 'format-variants');
const mni = path.join(root, 'brain-mri-mni152');
const scratch = await mkdtemp(path.join(os.tmpdir(), 'tessera-nifti-datasets-'));
afterAll(() => rm(scratch, { recursive: true, force: true }));

function stats(data: Float32Array): { min: number; max: number; nonZero: number; mean: number } {
  let min = Infinity;
  let max = -Infinity;
  let nonZero = 0;
  let sum = 0;
  for (const v of data) {
    min = Math.min(min, v);
    max = Math.max(max, v);
    if (v !== 0) nonZero += 1;
    sum += v;
  }
  return { min, max, nonZero, mean: sum / data.length };
}

function rows(affine: Affine): number[][] {
  return affine.slice(0, 3).map((row) => [...row]);
}

function at(image: NiftiImage, i: number, j: number, k: number, t = 0): number {
  const [nx = 1, ny = 1, nz = 1] = image.shape;
  return image.data[i + nx * (j + ny * (k + nz * t))] ?? Number.NaN;
}

async function niftiFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile() && /\.nii(\.gz)?$/.test(e.name)).map((e) => path.join(e.parentPath, e.name)).sort();
}

describe('every NIfTI file of the data-set mirror', () => {
  it('loads all five nifti/ files and reorients each to RAS', async () => {
    const files = await niftiFiles(root);
    expect(files.map((f) => path.relative(root, f))).toEqual([
      'brain-mri-mni152/MNI152_T1_2mm.nii.gz',
      'brain-mri-mni152/MNI152_T1_2mm_Brain.nii.gz',
      'brain-mri-mni152/MNI152_T1_2mm_Brain_Mask.nii.gz',
      'format-variants/anatomical.nii',
      'format-variants/example4d.nii.gz',
    ]);
    for (const file of files) {
      const image = await readNifti(file);
      expect(image.data.length).toBe(image.shape.reduce((a, b) => a * b, 1));
      expect(toCanonical(image).orientation).toBe('RAS');
    }
  });
});

describe('format-variants/anatomical.nii (big-endian, uncompressed)', () => {
  it('reads dims, datatype, affine and values', async () => {
    const image = await readNifti(path.join(variants, 'anatomical.nii'));
    expect(image.header).toMatchObject({ version: 1, littleEndian: false, voxOffset: 352, qformCode: 2, sformCode: 2, datatype: 4, bitpix: 16 });
    expect(image.header.description).toBe('spm - 3D normalized');
    expect([image.datatype, image.shape, image.pixdim]).toEqual(['int16', [33, 41, 25], [2, 2, 2]]);
    expect(image.header.pixdim[0]).toBe(-1);
    const expected = [
      [-2, 0, 0, 32],
      [0, 2, 0, -40],
      [0, 0, 2, -16],
    ];
    expect([image.affineSource, rows(image.affine)]).toEqual(['sform', expected]);
    // quaternion (0, 1, 0) is 180° about y; only qfac -1 brings k back to +z.
    expect(rows(headerAffines(image.header).qform.affine).map((r) => r.map((v) => v + 0))).toEqual(expected);
    expect(stats(image.data)).toMatchObject({ min: -610, max: 30393, nonZero: 33825 });
    expect(stats(image.data).mean).toBeCloseTo(8401.0667, 3);
    expect([at(image, 0, 0, 0), at(image, 4, 0, 0), at(image, 16, 20, 12)]).toEqual([10712, 9911, 11881]);
    expect(image.orientation).toBe('LAS');
  });
});

describe('format-variants/example4d.nii.gz (4-D, extensions, qfac -1)', () => {
  it('reads dims, extensions, both affines and values', async () => {
    const image = await readNifti(path.join(variants, 'example4d.nii.gz'));
    expect(image.header).toMatchObject({ littleEndian: true, voxOffset: 416, qformCode: 1, sformCode: 1, hasExtensions: true });
    expect(image.header.pixdim.slice(0, 5)).toEqual([-1, 2, 2, 2.1999990940093994, 2000]);
    expect([image.datatype, image.shape]).toEqual(['int16', [128, 96, 24, 2]]);
    expect(image.extensions.map((e) => [e.code, e.data.length, new TextDecoder().decode(e.data).replace(/\0+$/, '')])).toEqual([
      [6, 24, 'extcomment1'],
      [6, 24, 'extlongcomment2'],
    ]);
    const sform = [
      [-2, 6.714715653593746e-19, 9.081024511081715e-18, 117.8551025390625],
      [-6.714715653593746e-19, 1.9737114906311035, -0.35552823543548584, -35.72294235229492],
      [8.25548088896093e-18, 0.3232076168060303, 2.171081781387329, -7.248798370361328],
    ];
    expect([image.affineSource, rows(image.affine)]).toEqual(['sform', sform]);
    const qform = headerAffines(image.header).qform.affine;
    const expectedQform = [
      [-2, 0, 0, 117.85510254],
      [0, 1.97371144, -0.35552822, -35.72294235],
      [0, 0.32320761, 2.17108168, -7.24879837],
    ];
    rows(qform).forEach((row, r) => row.forEach((v, c) => expect(v).toBeCloseTo(expectedQform[r]?.[c] ?? Number.NaN, 3)));
    // With qfac read as +1 the third column would point the other way: (0, 0.355, -2.17).
    expect(entry(qform, 2, 2)).toBeGreaterThan(2);
    expect(stats(image.data)).toMatchObject({ min: 0, max: 1162 });
    expect(stats(image.data).mean).toBeCloseTo(172.908115, 4);
    expect(at(image, 60, 50, 10, 1)).toBe(444);
    const ras = toCanonical(image);
    expect(ras.shape).toEqual([128, 96, 24, 2]);
    expect(entry(ras.affine, 0, 3)).toBeCloseTo(117.8551025390625 - 2 * 127, 6);
    expect(at(ras, 127 - 60, 50, 10, 1)).toBe(444);
  });
});

describe('brain-mri-mni152 (T1, brain, brain mask)', () => {
  it('reads the three volumes on one MNI152 grid, the mask binary and covering the brain', async () => {
    const [t1, brain, mask] = await Promise.all(['MNI152_T1_2mm', 'MNI152_T1_2mm_Brain', 'MNI152_T1_2mm_Brain_Mask'].map((name) => readNifti(path.join(mni, `${name}.nii.gz`))));
    if (!t1 || !brain || !mask) throw new Error('missing volume');
    const mniAffine = [
      [-2, 0, 0, 90],
      [0, 2, 0, -126],
      [0, 0, 2, -72],
    ];
    for (const image of [t1, brain, mask]) {
      expect(image.shape).toEqual([91, 109, 91]);
      expect(image.header).toMatchObject({ qformCode: 4, sformCode: 4 });
      expect(rows(image.affine)).toEqual(mniAffine);
      expect(maxAffineDifference(headerAffines(image.header).qform.affine, image.affine)).toBe(0);
      expect(image.orientation).toBe('LAS');
    }
    expect([t1.datatype, brain.datatype, mask.datatype]).toEqual(['int16', 'float32', 'float32']);
    expect(stats(t1.data)).toMatchObject({ min: 0, max: 9968 });
    expect(stats(t1.data).mean).toBeCloseTo(2752.588565, 4);
    expect(at(t1, 45, 54, 45)).toBe(5391);
    expect(stats(brain.data)).toMatchObject({ min: 0, max: 8339, nonZero: 262245 });
    expect(stats(mask.data)).toMatchObject({ min: 0, max: 1, nonZero: 262245 });
    expect(mask.data.every((v) => v === 0 || v === 1)).toBe(true);
    checkMaskMatchesImage(t1, mask);
    let outside = 0;
    let mismatched = 0;
    for (let i = 0; i < mask.data.length; i += 1) {
      const m = mask.data[i] ?? 0;
      if (m === 0 && brain.data[i] !== 0) outside += 1;
      if (brain.data[i] !== (t1.data[i] ?? 0) * m) mismatched += 1;
    }
    expect([outside, mismatched]).toEqual([0, 0]);
    // MNI origin (anterior commissure) is voxel (45, 63, 36) in the file; after flipping x it stays at i = 45.
    const ras = toCanonical(mask);
    expect(rows(ras.affine)).toEqual([
      [2, 0, 0, -90],
      [0, 2, 0, -126],
      [0, 0, 2, -72],
    ]);
    expect(at(ras, 90 - 30, 63, 36)).toBe(at(mask, 30, 63, 36));
  });
});

describe('lung-ct/fallback-totalsegmentator-example (CT and lobe masks)', () => {
  it('reads the CT in HU and five uint8 masks on its grid with the stated voxel counts', async () => {
    const dir = path.join(datasetMirror(), 'lung-ct', 'fallback-totalsegmentator-example');
    const ct = await readNifti(path.join(dir, 'example_ct_sm.nii.gz'));
    expect([ct.datatype, ct.shape, ct.affineSource, ct.orientation]).toEqual(['int16', [122, 101, 30], 'sform', 'RAS']);
    expect(stats(ct.data)).toMatchObject({ min: -1100, max: 1207 });
    const counts: Record<string, number> = {};
    for (const file of await niftiFiles(path.join(dir, 'lung_masks'))) {
      const mask = await readNifti(file);
      checkMaskMatchesImage(ct, mask);
      expect(mask.datatype).toBe('uint8');
      counts[path.basename(file, '.nii.gz')] = stats(mask.data).nonZero;
    }
    expect(counts).toEqual({ lung_lower_lobe_left: 1254, lung_lower_lobe_right: 2579, lung_upper_lobe_left: 265, lung_middle_lobe_right: 0, lung_upper_lobe_right: 0 });
  });
});

describe('errors on real files', () => {
  it('names a truncated .nii.gz', async () => {
    const bytes = await readFile(path.join(mni, 'MNI152_T1_2mm_Brain_Mask.nii.gz'));
    const file = path.join(scratch, 'cut.nii.gz');
    await writeFile(file, bytes.subarray(0, bytes.length >> 1));
    const error: unknown = await readNifti(file).catch((e: unknown) => e);
    expect(isNiftiError(error) && error.kind).toBe('GunzipFailed');
    expect((error as Error).message).toContain(`${file}: gzip stream is corrupt or truncated`);
  });

  it('names a mask whose shape differs from its image', async () => {
    const [image, mask] = await Promise.all([readNifti(path.join(variants, 'anatomical.nii')), readNifti(path.join(mni, 'MNI152_T1_2mm_Brain_Mask.nii.gz'))]);
    expect(() => checkMaskMatchesImage(image, mask)).toThrow(`${mask.file}: mask shape [91, 109, 91] (header field dim) differs from image ${image.file} shape [33, 41, 25]`);
  });
});
