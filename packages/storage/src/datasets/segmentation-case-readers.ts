import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import type { VolumeShape, VoxelSpacing } from '@tessera/core/data/segmentation-shard-format';
import type { Affine } from '@tessera/medical/nifti/nifti-affine';
import { voxelSizes } from '@tessera/medical/nifti/nifti-affine';
import { niftiError } from '@tessera/medical/nifti/nifti-errors';
import { checkMaskMatchesImage } from '@tessera/medical/nifti/nifti-mask-check';
import { decodeNifti, isGzip, toCanonical } from '@tessera/medical/nifti/nifti-reader';
import type { NiftiImage } from '@tessera/medical/nifti/nifti-reader';
import { toBinaryMask } from '@tessera/medical/tiff/gray-slice';
import type { GraySlice } from '@tessera/medical/tiff/gray-slice';
import { decodePngSlice } from '@tessera/medical/tiff/png-slice';
import { decodeTiffSlice } from '@tessera/medical/tiff/tiff-slice';
import { asSegmentationIngestError, segmentationIngestError } from './segmentation-errors.ts';
import type { SegmentationCasePlan } from './segmentation-layout.ts';
import { resizeMask, resizeSlice } from './segmentation-resize.ts';

const gunzipAsync = promisify(gunzip);

/** Reads one file of the source (directory or zip) by its `/`-separated path. */
export type ReadSourceFile = (path: string) => Promise<Uint8Array>;

/** One case read, resized or reoriented, ready to pack: voxels row-major, width fastest. */
export interface LoadedCase {
  readonly id: string;
  readonly shape: VolumeShape;
  readonly spacing: VoxelSpacing;
  /** Voxel (width index, height index, depth index, 1) -> RAS mm, row-major 4x4, of the stored grid. */
  readonly affine: readonly number[];
  readonly image: Float32Array;
  readonly mask: Uint8Array | undefined;
  /** DICOM Modality of the case's series; undefined for PNG, TIFF and NIfTI. */
  readonly modality?: string | undefined;
}

/** Reads `path`, turning a failure into `UnreadableSource` naming it. */
export async function readCaseFile(read: ReadSourceFile, path: string): Promise<Uint8Array> {
  try {
    return await read(path);
  } catch (error) {
    throw segmentationIngestError({ kind: 'UnreadableSource', file: path, reason: `cannot read (${error instanceof Error ? error.message : String(error)})` }, error);
  }
}

/** Runs `work`, turning a medical reader's error into the ingest's, naming `file` when the reader does not. */
export async function naming<T>(file: string, work: () => T | Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw asSegmentationIngestError(error, file);
  }
}

function decodeSlice(bytes: Uint8Array, file: string): Promise<GraySlice> | GraySlice {
  return /\.tiff?$/i.test(file) ? decodeTiffSlice(bytes, file) : decodePngSlice(bytes, file);
}

/** The affine of the stored grid of a 2D slice resized from `from` to `to` (source pixels as 1 mm, centres aligned). */
export function resizedSliceAffine(from: { height: number; width: number }, to: { height: number; width: number }): number[] {
  const sx = from.width / to.width;
  const sy = from.height / to.height;
  // prettier-ignore
  return [
    sx, 0, 0, (sx - 1) / 2,
    0, sy, 0, (sy - 1) / 2,
    0, 0, 1, 0,
    0, 0, 0, 1,
  ];
}

/**
 * A 2D case: image and mask slices decoded (grey values as stored, 16-bit kept; masks to 0/1 as
 * `@tessera/medical`'s toBinaryMask), checked to have one size, then resized to `size` (resizeSlice, resizeMask).
 * Spacing and affine are in source pixels (PNG and TIFF carry no reliable physical spacing).
 */
export async function readSliceCase(read: ReadSourceFile, plan: SegmentationCasePlan, size: { height: number; width: number }): Promise<LoadedCase> {
  const imageFile = plan.images[0] ?? '';
  const maskFile = plan.masks[0];
  const image = await naming(imageFile, async () => decodeSlice(await readCaseFile(read, imageFile), imageFile));
  let mask: Uint8Array | undefined;
  if (maskFile !== undefined) {
    const slice = await naming(maskFile, async () => decodeSlice(await readCaseFile(read, maskFile), maskFile));
    if (slice.width !== image.width || slice.height !== image.height) {
      throw segmentationIngestError({ kind: 'MaskShapeMismatch', file: maskFile, imageFile, maskFile, imageShape: [image.width, image.height], maskShape: [slice.width, slice.height] });
    }
    mask = resizeMask(toBinaryMask(slice), image, size);
  }
  return {
    id: plan.id,
    shape: [1, size.height, size.width],
    spacing: [1, image.height / size.height, image.width / size.width],
    affine: resizedSliceAffine(image, size),
    image: resizeSlice(image.data, image, size),
    mask,
  };
}

async function readVolume(read: ReadSourceFile, file: string): Promise<NiftiImage> {
  let bytes = await readCaseFile(read, file);
  if (isGzip(bytes)) {
    try {
      bytes = await gunzipAsync(bytes);
    } catch (error) {
      throw asSegmentationIngestError(niftiError({ kind: 'GunzipFailed', file, reason: error instanceof Error ? error.message : String(error) }, error), file);
    }
  }
  const raw = bytes;
  const image = await naming(file, () => toCanonical(decodeNifti(raw, file)));
  const frames = image.shape.slice(3).reduce((product, side) => product * side, 1);
  if (frames > 1) {
    throw segmentationIngestError({ kind: 'InvalidFile', file, readerKind: 'UnsupportedShape', field: 'dim', reason: `a ${image.shape.length}-D image [${image.shape.join(', ')}]; segmentation volumes are 3-D` });
  }
  return image;
}

/** The flattened row-major form of an affine, as the manifest stores it. */
export function flattenAffine(affine: Affine): number[] {
  return affine.flatMap((row) => [...row]);
}

/**
 * Label volumes checked against the image's canonical grid (shape and affine: checkMaskMatchesImage) and unioned:
 * 1 wherever any of them is nonzero. `read` returns each mask reoriented to canonical RAS.
 */
export async function unionMasks(masks: readonly string[], image: Pick<NiftiImage, 'file' | 'shape' | 'affine'>, read: (file: string) => Promise<NiftiImage>): Promise<Uint8Array> {
  const voxels = (image.shape[0] ?? 1) * (image.shape[1] ?? 1) * (image.shape[2] ?? 1);
  const union = new Uint8Array(voxels);
  for (const file of masks) {
    const mask = await read(file);
    await naming(file, () => checkMaskMatchesImage(image, mask));
    for (let at = 0; at < voxels; at += 1) if ((mask.data[at] ?? 0) !== 0) union[at] = 1;
  }
  return union;
}

/**
 * A NIfTI case: the image and its masks reoriented to canonical RAS (toCanonical), each mask checked against the
 * image's grid and their nonzero voxels unioned. NIfTI data are x fastest, so the stored shape is [nz, ny, nx] with
 * no transpose; spacing comes from the canonical affine.
 */
export async function readNiftiCase(read: ReadSourceFile, plan: SegmentationCasePlan): Promise<LoadedCase> {
  const imageFile = plan.images[0] ?? '';
  const image = await readVolume(read, imageFile);
  const [nx = 1, ny = 1, nz = 1] = image.shape;
  const mask = plan.masks.length === 0 ? undefined : await unionMasks(plan.masks, image, (file) => readVolume(read, file));
  const [sx, sy, sz] = voxelSizes(image.affine);
  return {
    id: plan.id,
    shape: [nz, ny, nx],
    spacing: [sz, sy, sx],
    affine: flattenAffine(image.affine),
    image: image.data.length === nx * ny * nz ? image.data : image.data.slice(0, nx * ny * nz),
    mask,
  };
}

/** For the DICOM reader: NIfTI masks of a DICOM case, read and reoriented as readNiftiCase reads them. */
export function readCanonicalNifti(read: ReadSourceFile): (file: string) => Promise<NiftiImage> {
  return (file) => readVolume(read, file);
}
