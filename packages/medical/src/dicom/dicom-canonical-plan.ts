import { affineFromRows } from '../nifti/nifti-affine.ts';
import { planCanonical } from '../nifti/nifti-orientation.ts';
import type { CanonicalPlan } from '../nifti/nifti-orientation.ts';
import type { DicomSeriesGrid } from './dicom-volume.ts';

/**
 * How a DICOM series' volume (voxel (column, row, slice), see DicomVolume) becomes a canonical RAS grid like a NIfTI
 * volume's: LPS patient space turned to RAS (x and y negated), then planCanonical. Segmentation ingest packs DICOM
 * cases with this plan (applyCanonical) and DICOM SEG output maps masks back with it (revertCanonical), so the two
 * directions cannot drift apart. Pure arithmetic on the 4x4 affine.
 */
export function dicomCanonicalPlan(grid: Pick<DicomSeriesGrid, 'affine' | 'dims'>): CanonicalPlan {
  const lps = grid.affine;
  const ras = affineFromRows([0, 1, 2, 3].map((row) => [0, 1, 2, 3].map((col) => (row < 2 ? -1 : 1) * (lps[row * 4 + col] ?? 0))));
  return planCanonical(ras, grid.dims);
}
