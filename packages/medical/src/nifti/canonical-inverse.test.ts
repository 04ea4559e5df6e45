import { describe, expect, it } from 'vitest';
import { dicomCanonicalPlan } from '../dicom/dicom-canonical-plan.ts';
import { readDicomFile } from '../dicom/dicom-file.ts';
import { groupDicomSeries } from '../dicom/dicom-series.ts';
import { mirrorFile } from '../dicom/dicom-test-files.ts';
import { buildDicomVolume, dicomSeriesGrid } from '../dicom/dicom-volume.ts';
import { revertCanonical, originalShape } from './canonical-inverse.ts';
import { affineFromRows } from './nifti-affine.ts';
import { applyCanonical, planCanonical } from './nifti-orientation.ts';

function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  for (let index = 0; index < Math.min(a.length, b.length); index += 1) if (a[index] !== b[index]) return index;
  return a.length === b.length ? -1 : Math.min(a.length, b.length);
}

/** Every signed permutation of the axes (48), as voxel->world direction matrices, with a small oblique tilt on top. */
function orientations(): number[][][] {
  const perms = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]];
  const out: number[][][] = [];
  for (const perm of perms) {
    for (let signs = 0; signs < 8; signs += 1) {
      const rows = [0, 1, 2].map(() => [0, 0, 0, 0]);
      perm.forEach((worldAxis, voxelAxis) => {
        const row = rows[worldAxis] as number[];
        row[voxelAxis] = (signs >> voxelAxis) & 1 ? -1.5 : 1.5;
        // A 10° shear off the axis, as a gantry tilt would give.
        const next = rows[(worldAxis + 1) % 3] as number[];
        next[voxelAxis] = (next[voxelAxis] ?? 0) + 0.26;
      });
      out.push(rows);
    }
  }
  return out;
}

describe('revertCanonical', () => {
  it('undoes applyCanonical for every signed axis permutation, float32 and uint8', () => {
    const shape = [3, 4, 5];
    const values = Float32Array.from({ length: 60 }, (_, index) => index * 1.5 - 7);
    let nonTrivial = 0;
    for (const rows of orientations()) {
      const plan = planCanonical(affineFromRows(rows), shape);
      if (!plan.identity) nonTrivial += 1;
      expect(originalShape(plan)).toEqual(shape);
      const canonical = applyCanonical(values, shape, plan);
      expect(firstDifference(revertCanonical(canonical, plan), values), rows.join(';')).toBe(-1);
      // And the other way round: a mask made on the canonical grid survives the trip to the source grid and back.
      const mask = Uint8Array.from(canonical, (v) => Math.round(Math.abs(v)) % 3);
      const back = revertCanonical(mask, plan);
      expect(back).toBeInstanceOf(Uint8Array);
      expect(firstDifference(applyCanonical(Float32Array.from(back), shape, plan), mask)).toBe(-1);
    }
    expect(nonTrivial).toBe(47);
  });

  it('takes the gantry-tilted GE head CT from its canonical grid back to slice order, and the header-only grid plans as the volume does', async () => {
    const files = await Promise.all(Array.from({ length: 10 }, (_, index) => readDicomFile(mirrorFile('ct-series-ge-head', `${String(index + 1).padStart(2, '0')}.dcm`))));
    const [series] = groupDicomSeries(files);
    if (series === undefined) throw new Error('no series');
    const volume = await buildDicomVolume(series);
    const grid = dicomSeriesGrid(series);
    expect(grid.dims).toEqual(volume.dims);
    expect([...grid.affine]).toEqual([...volume.affine]);
    const plan = dicomCanonicalPlan(grid);
    expect(plan.identity).toBe(false);
    const canonical = applyCanonical(volume.data, volume.dims, plan);
    expect(firstDifference(canonical, volume.data)).not.toBe(-1);
    expect(firstDifference(revertCanonical(canonical, plan), volume.data)).toBe(-1);
  });

  it('refuses data that is not whole frames of the grid', () => {
    const plan = planCanonical(affineFromRows([[-1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]]), [2, 2, 2]);
    expect(() => revertCanonical(new Uint8Array(7), plan)).toThrow(/7 values are not whole frames of 2x2x2/);
  });
});
