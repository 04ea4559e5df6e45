import { describe, expect, it } from 'vitest';
import { affineFromRows, maxAffineDifference, multiplyAffines, qformAffine, quaternionFromAffine } from './nifti-affine.ts';
import type { Affine } from './nifti-affine.ts';

const rows = (m: Affine): number[][] => m.slice(0, 3).map((row) => row.map((v) => Math.round(v * 1e6) / 1e6 + 0));

describe('qformAffine', () => {
  it('turns quaternion (0, 1, 0) with qfac -1 into diag(-2, 2, 2): 180° about y, then k flipped', () => {
    const header = { quatern: [0, 1, 0] as const, qoffset: [32, -40, -16] as const, pixdim: [-1, 2, 2, 2] };
    expect(rows(qformAffine(header))).toEqual([
      [-2, 0, 0, 32],
      [0, 2, 0, -40],
      [0, 0, 2, -16],
    ]);
    // The same quaternion with qfac 1 leaves k pointing inferior: only qfac separates the two.
    expect(rows(qformAffine({ ...header, pixdim: [1, 2, 2, 2] }))[2]).toEqual([0, 0, -2, -16]);
    // pixdim[0] = 0 is read as qfac 1, as nifti1_io does.
    expect(rows(qformAffine({ ...header, pixdim: [0, 2, 2, 2] }))[2]).toEqual([0, 0, -2, -16]);
  });

  it('rotates by 90° about z for quaternion (0, 0, sin 45°)', () => {
    const s = Math.SQRT1_2;
    expect(rows(qformAffine({ quatern: [0, 0, s], qoffset: [1, 2, 3], pixdim: [1, 1, 2, 3] }))).toEqual([
      [0, -2, 0, 1],
      [1, 0, 0, 2],
      [0, 0, 3, 3],
    ]);
  });
});

describe('quaternionFromAffine', () => {
  it('gives back the MNI152 header fields for the MNI152 affine', () => {
    const mni = affineFromRows([
      [-2, 0, 0, 90],
      [0, 2, 0, -126],
      [0, 0, 2, -72],
    ]);
    expect(quaternionFromAffine(mni)).toEqual({ quatern: [0, 1, 0], qoffset: [90, -126, -72], pixdim: [-1, 2, 2, 2] });
  });

  it('round-trips rotated affines of either handedness through qformAffine', () => {
    const angle = 0.3;
    const rotation = affineFromRows([
      [Math.cos(angle), -Math.sin(angle), 0, 0],
      [Math.sin(angle), Math.cos(angle), 0, 0],
      [0, 0, 1, 0],
    ]);
    const tilt = affineFromRows([
      [1, 0, 0, 0],
      [0, Math.cos(1.1), -Math.sin(1.1), 0],
      [0, Math.sin(1.1), Math.cos(1.1), 0],
    ]);
    for (const scale of [
      [1.5, 2, 2.5],
      [-1.5, 2, 2.5],
      [1.5, -2, -2.5],
    ]) {
      const zoom = affineFromRows([
        [scale[0] ?? 1, 0, 0, 0],
        [0, scale[1] ?? 1, 0, 0],
        [0, 0, scale[2] ?? 1, 0],
      ]);
      const affine = multiplyAffines(affineFromRows([[1, 0, 0, 5], [0, 1, 0, -6], [0, 0, 1, 7]]), multiplyAffines(multiplyAffines(tilt, rotation), zoom));
      const back = qformAffine(quaternionFromAffine(affine));
      expect(maxAffineDifference(back, affine)).toBeLessThan(1e-9);
    }
  });
});
