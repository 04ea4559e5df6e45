import { maxAffineDifference } from './nifti-affine.ts';
import { niftiError } from './nifti-errors.ts';
import type { NiftiImage } from './nifti-reader.ts';

// Header floats carry about 7 significant digits; a mask written on the image's grid agrees far closer than this.
const AFFINE_TOLERANCE_MM = 1e-3;

/**
 * Throws `MaskShapeMismatch` when the mask's spatial grid (first three dimensions) differs from the image's, and
 * `MaskAffineMismatch` when both grids have the same shape but sit differently in world space: a mask used against
 * the wrong grid would train on the wrong voxels without any other error.
 */
export function checkMaskMatchesImage(image: Pick<NiftiImage, 'file' | 'shape' | 'affine'>, mask: Pick<NiftiImage, 'file' | 'shape' | 'affine'>): void {
  const spatial = (shape: readonly number[]): number[] => [0, 1, 2].map((i) => shape[i] ?? 1);
  const imageShape = spatial(image.shape);
  const maskShape = spatial(mask.shape);
  if (imageShape.some((size, i) => size !== maskShape[i])) {
    throw niftiError({ kind: 'MaskShapeMismatch', file: mask.file, field: 'dim', imageFile: image.file, maskFile: mask.file, imageShape: image.shape, maskShape: mask.shape });
  }
  const difference = maxAffineDifference(image.affine, mask.affine);
  if (difference > AFFINE_TOLERANCE_MM) {
    throw niftiError({ kind: 'MaskAffineMismatch', file: mask.file, field: 'affine', imageFile: image.file, maskFile: mask.file, maxDifferenceMm: difference });
  }
}
