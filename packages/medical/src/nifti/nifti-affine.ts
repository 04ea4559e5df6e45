import type { NiftiHeader } from './nifti-header.ts';

export type Vec4 = readonly [number, number, number, number];
/** A 4x4 voxel (i, j, k, 1) -> world (x, y, z, 1) matrix, row-major; the last row is [0, 0, 0, 1]. */
export type Affine = readonly [Vec4, Vec4, Vec4, Vec4];

/** Which header fields the affine came from: NIfTI's methods 3 (sform), 2 (qform) and 1 (pixdim only). */
export type AffineSource = 'sform' | 'qform' | 'pixdim';

const LAST_ROW: Vec4 = [0, 0, 0, 1];

export function affineFromRows(rows: readonly (readonly number[])[]): Affine {
  const row = (i: number): Vec4 => {
    const r = rows[i] ?? LAST_ROW;
    return [r[0] ?? 0, r[1] ?? 0, r[2] ?? 0, r[3] ?? 0];
  };
  return [row(0), row(1), row(2), LAST_ROW];
}

export function entry(m: Affine, row: number, col: number): number {
  return m[row]?.[col] ?? 0;
}

export function multiplyAffines(a: Affine, b: Affine): Affine {
  const rows = [0, 1, 2, 3].map((r) => [0, 1, 2, 3].map((c) => [0, 1, 2, 3].reduce((sum, k) => sum + entry(a, r, k) * entry(b, k, c), 0)));
  return affineFromRows(rows);
}

/**
 * Method 2: the qform, a rotation from the quaternion (b, c, d; a derived) times the voxel sizes, with
 * qfac = pixdim[0] (negative, normally -1, flips k; anything else, 0 included, counts as 1), plus qoffset. Follows nifti1_io.c
 * `nifti_quatern_to_mat44`, including its renormalisation when 1 - (b² + c² + d²) < 1e-7 and its use of 1 for a
 * non-positive voxel size.
 */
export function qformAffine(header: Pick<NiftiHeader, 'quatern' | 'qoffset' | 'pixdim'>): Affine {
  let [b, c, d] = header.quatern;
  let a = 1 - (b * b + c * c + d * d);
  if (a < 1e-7) {
    a = 1 / Math.sqrt(b * b + c * c + d * d);
    b *= a;
    c *= a;
    d *= a;
    a = 0;
  } else {
    a = Math.sqrt(a);
  }
  const size = (i: number): number => {
    const value = header.pixdim[i] ?? 0;
    return value > 0 ? value : 1;
  };
  const qfac = (header.pixdim[0] ?? 0) < 0 ? -1 : 1;
  const [xd, yd, zd] = [size(1), size(2), size(3) * qfac];
  const [ox, oy, oz] = header.qoffset;
  return affineFromRows([
    [(a * a + b * b - c * c - d * d) * xd, 2 * (b * c - a * d) * yd, 2 * (b * d + a * c) * zd, ox],
    [2 * (b * c + a * d) * xd, (a * a + c * c - b * b - d * d) * yd, 2 * (c * d - a * b) * zd, oy],
    [2 * (b * d - a * c) * xd, 2 * (c * d + a * b) * yd, (a * a + d * d - c * c - b * b) * zd, oz],
  ]);
}

/** Method 3: the sform rows srow_x, srow_y, srow_z as stored. */
export function sformAffine(header: Pick<NiftiHeader, 'srow'>): Affine {
  return affineFromRows(header.srow);
}

/** Method 1 (ANALYZE 7.5 compatibility): voxel sizes on the diagonal, no rotation and no offset. */
export function pixdimAffine(header: Pick<NiftiHeader, 'pixdim'>): Affine {
  const size = (i: number): number => header.pixdim[i] ?? 1;
  return affineFromRows([
    [size(1), 0, 0, 0],
    [0, size(2), 0, 0],
    [0, 0, size(3), 0],
  ]);
}

/**
 * The voxel -> RAS+ (scanner or template mm) affine to use: the sform when sform_code > 0, else the qform when
 * qform_code > 0, else method 1. nifti1.h allows both to be set (qform for scanner space, sform for an aligned or
 * template space); preferring the sform is what nibabel (`get_best_affine`), FSL and ITK's NIfTI reader do.
 */
export function bestAffine(header: NiftiHeader): { readonly affine: Affine; readonly source: AffineSource } {
  if (header.sformCode > 0) return { affine: sformAffine(header), source: 'sform' };
  if (header.qformCode > 0) return { affine: qformAffine(header), source: 'qform' };
  return { affine: pixdimAffine(header), source: 'pixdim' };
}

/** Length of each of the first three columns: the voxel sizes the affine implies. */
export function voxelSizes(m: Affine): [number, number, number] {
  const norm = (c: number): number => Math.hypot(entry(m, 0, c), entry(m, 1, c), entry(m, 2, c));
  return [norm(0), norm(1), norm(2)];
}

/**
 * The qform fields for `m` (nifti1_io.c `nifti_mat44_to_quatern` without its polar decomposition: the rotation part
 * is assumed orthogonal, as for any affine this package writes; a sheared affine survives only in the sform).
 */
export function quaternionFromAffine(m: Affine): {
  readonly quatern: [number, number, number];
  readonly qoffset: [number, number, number];
  readonly pixdim: [number, number, number, number];
} {
  const sizes = voxelSizes(m).map((s) => (s > 0 ? s : 1)) as [number, number, number];
  const r = (row: number, col: number): number => entry(m, row, col) / sizes[col as 0 | 1 | 2];
  const [r11, r12, r21, r22, r31, r32] = [r(0, 0), r(0, 1), r(1, 0), r(1, 1), r(2, 0), r(2, 1)];
  const det = r11 * r22 * r(2, 2) - r11 * r32 * r(1, 2) - r21 * r12 * r(2, 2) + r21 * r32 * r(0, 2) + r31 * r12 * r(1, 2) - r31 * r22 * r(0, 2);
  // A left-handed affine is stored as a proper rotation with qfac -1, which flips the third column back.
  const qfac = det > 0 ? 1 : -1;
  const [r13, r23, r33] = [r(0, 2) * qfac, r(1, 2) * qfac, r(2, 2) * qfac];
  let a = r11 + r22 + r33 + 1;
  let b: number;
  let c: number;
  let d: number;
  if (a > 0.5) {
    a = 0.5 * Math.sqrt(a);
    b = (0.25 * (r32 - r23)) / a;
    c = (0.25 * (r13 - r31)) / a;
    d = (0.25 * (r21 - r12)) / a;
  } else {
    const xd = 1 + r11 - (r22 + r33);
    const yd = 1 + r22 - (r11 + r33);
    const zd = 1 + r33 - (r11 + r22);
    if (xd > 1) {
      b = 0.5 * Math.sqrt(xd);
      c = (0.25 * (r12 + r21)) / b;
      d = (0.25 * (r13 + r31)) / b;
      a = (0.25 * (r32 - r23)) / b;
    } else if (yd > 1) {
      c = 0.5 * Math.sqrt(yd);
      b = (0.25 * (r12 + r21)) / c;
      d = (0.25 * (r23 + r32)) / c;
      a = (0.25 * (r13 - r31)) / c;
    } else {
      d = 0.5 * Math.sqrt(zd);
      b = (0.25 * (r13 + r31)) / d;
      c = (0.25 * (r23 + r32)) / d;
      a = (0.25 * (r21 - r12)) / d;
    }
    if (a < 0) {
      b = -b;
      c = -c;
      d = -d;
    }
  }
  return { quatern: [b, c, d], qoffset: [entry(m, 0, 3), entry(m, 1, 3), entry(m, 2, 3)], pixdim: [qfac, ...sizes] };
}

/** Largest absolute difference between two affines' entries (mm for the offsets). */
export function maxAffineDifference(a: Affine, b: Affine): number {
  let max = 0;
  for (let r = 0; r < 4; r += 1) for (let c = 0; c < 4; c += 1) max = Math.max(max, Math.abs(entry(a, r, c) - entry(b, r, c)));
  return max;
}
