import { describe, expect, it } from 'vitest';
import { isSegmentationIngestError } from './segmentation-errors.ts';
import { planSegmentationLayout } from './segmentation-layout.ts';

function layoutError(listing: string[], pairs?: Parameters<typeof planSegmentationLayout>[1]): Error & { kind?: string; file?: string } {
  try {
    planSegmentationLayout(listing, pairs);
  } catch (error) {
    if (isSegmentationIngestError(error)) return error;
    throw error;
  }
  throw new Error('expected a SegmentationIngestError');
}

describe('planSegmentationLayout', () => {
  it('pairs 2D slices by name, with _mask suffixes and another extension, and leaves an image without mask unlabeled', () => {
    const layout = planSegmentationLayout(['set/', 'set/2d_images/', 'set/2d_images/b.tif', 'set/2d_images/a.tif', 'set/2d_images/c.png', 'set/2d_masks/a_mask.png', 'set/2d_masks/b.tif', 'set/README.md', 'set/.DS_Store']);
    expect(layout.source).toBe('tiff');
    expect(layout.dims).toBe(2);
    expect(layout.cases).toEqual([
      { id: 'a', images: ['set/2d_images/a.tif'], masks: ['set/2d_masks/a_mask.png'] },
      { id: 'b', images: ['set/2d_images/b.tif'], masks: ['set/2d_masks/b.tif'] },
      { id: 'c', images: ['set/2d_images/c.png'], masks: [] },
    ]);
    expect(layout.skipped).toEqual(['set/README.md']);
  });

  it('reads NIfTI volumes with a mask file or a folder of label files, and DICOM case folders', () => {
    const nifti = planSegmentationLayout(['images/ct1.nii.gz', 'images/ct2.nii', 'masks/ct1.nii.gz', 'masks/ct2/lobe_b.nii.gz', 'masks/ct2/lobe_a.nii.gz', 'masks/notes.txt']);
    expect(nifti).toMatchObject({ source: 'nifti', dims: 3, skipped: ['masks/notes.txt'] });
    expect(nifti.cases).toEqual([
      { id: 'ct1', images: ['images/ct1.nii.gz'], masks: ['masks/ct1.nii.gz'] },
      { id: 'ct2', images: ['images/ct2.nii'], masks: ['masks/ct2/lobe_a.nii.gz', 'masks/ct2/lobe_b.nii.gz'] },
    ]);
    const dicom = planSegmentationLayout(['images/p1/IM2', 'images/p1/IM1', 'images/p1/DICOMDIR', 'images/p2/sub/1.dcm', 'masks/p2.nii.gz']);
    expect(dicom.source).toBe('dicom');
    expect(dicom.cases).toEqual([
      { id: 'p1', images: ['images/p1/IM1', 'images/p1/IM2'], masks: [] },
      { id: 'p2', images: ['images/p2/sub/1.dcm'], masks: ['masks/p2.nii.gz'] },
    ]);
    expect(dicom.skipped).toEqual(['images/p1/DICOMDIR']);
  });

  it('takes explicit pairs for folders without images/ and masks/', () => {
    const layout = planSegmentationLayout(['ct.nii.gz', 'lung_masks/a.nii.gz', 'lung_masks/b.nii.gz', 'other.txt'], [{ id: 'ct', image: 'ct.nii.gz', masks: ['lung_masks/a.nii.gz', './lung_masks/b.nii.gz'] }]);
    expect(layout).toEqual({ source: 'nifti', dims: 3, cases: [{ id: 'ct', images: ['ct.nii.gz'], masks: ['lung_masks/a.nii.gz', 'lung_masks/b.nii.gz'] }], skipped: ['other.txt'] });
    expect(layoutError(['ct.nii.gz'], [{ id: 'ct', image: 'ct.nii.gz', masks: ['missing.nii.gz'] }])).toMatchObject({ kind: 'InvalidIngestOptions', file: 'options.pairs[0].masks[0]' });
  });

  it('names the folder or file at fault for a missing images folder, masks without images and mixed kinds', () => {
    expect(layoutError(['train/a.png', 'valid/b.png'])).toMatchObject({ kind: 'NoCases', found: ['train', 'valid'] });
    expect(layoutError(['images/a.png', 'masks/a.png', 'masks/z_mask.png'])).toMatchObject({ kind: 'UnmatchedMasks', masks: ['masks/z_mask.png'] });
    expect(layoutError(['images/a.png', 'images/b.nii.gz'])).toMatchObject({ kind: 'MixedLayout', file: 'images/' });
    expect(layoutError(['images/a.png', 'images/a.tif'])).toMatchObject({ kind: 'DuplicateCase', id: 'a' });
  });
});
