import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { toBinaryMask } from './gray-slice.ts';
import type { GraySlice } from './gray-slice.ts';
import { decodePngSlice } from './png-slice.ts';
import { sliceError } from './slice-errors.ts';
import { decodeTiffSlice } from './tiff-slice.ts';

/** Folder names recognised for 2-D segmentation sets, in order of preference. */
const IMAGE_FOLDERS = ['images', '2d_images', 'image', 'imgs'] as const;
const MASK_FOLDERS = ['masks', '2d_masks', 'mask', 'labels'] as const;
const SLICE_EXTENSIONS = new Set(['.tif', '.tiff', '.png', '.jpg', '.jpeg']);

export interface SegmentationPair {
  /** File name without extension (and without a `_mask` suffix on the mask side), shared by image and mask. */
  readonly id: string;
  readonly image: string;
  readonly mask: string;
}

export interface SegmentationPairListing {
  readonly root: string;
  readonly imagesDir: string;
  readonly masksDir: string;
  /** Sorted by id. */
  readonly pairs: readonly SegmentationPair[];
  /** Image files (paths relative to `root`) with no mask of the same name, and the other way round. */
  readonly unmatchedImages: readonly string[];
  readonly unmatchedMasks: readonly string[];
}

function stem(name: string): string {
  return path.basename(name, path.extname(name));
}

async function sliceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && !e.name.startsWith('.') && SLICE_EXTENSIONS.has(path.extname(e.name).toLowerCase()))
    .map((e) => e.name)
    .sort();
}

/**
 * Pairs the images and masks of a 2-D segmentation folder by file name: `<root>/images` + `<root>/masks` (Montgomery),
 * `2d_images` + `2d_masks` (Kaggle lung CT), or the folders given. A mask may carry a `_mask` suffix and another
 * extension (`a.tif` pairs with `a_mask.png`). Files left without a partner are listed, not dropped silently; call
 * `requireAllPaired` to make them an error. Costs two directory listings.
 */
export async function listSegmentationPairs(root: string, folders?: { readonly images: string; readonly masks: string }): Promise<SegmentationPairListing> {
  let names: string[];
  try {
    names = (await readdir(root, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
  } catch (error) {
    throw sliceError({ kind: 'UnreadableFile', file: root, reason: error instanceof Error ? error.message : String(error) }, error);
  }
  const images = folders?.images ?? IMAGE_FOLDERS.find((name) => names.includes(name));
  const masks = folders?.masks ?? MASK_FOLDERS.find((name) => names.includes(name));
  if (!images || !masks || !names.includes(images) || !names.includes(masks)) throw sliceError({ kind: 'NoPairFolders', file: root, found: names.sort() });
  const imagesDir = path.join(root, images);
  const masksDir = path.join(root, masks);
  const [imageNames, maskNames] = await Promise.all([sliceFiles(imagesDir), sliceFiles(masksDir)]);
  const maskById = new Map<string, string>();
  for (const name of maskNames) maskById.set(stem(name).replace(/_mask$/, ''), name);
  const pairs: SegmentationPair[] = [];
  const unmatchedImages: string[] = [];
  for (const name of imageNames) {
    const id = stem(name);
    const mask = maskById.get(id);
    if (mask === undefined) {
      unmatchedImages.push(path.join(images, name));
      continue;
    }
    maskById.delete(id);
    pairs.push({ id, image: path.join(imagesDir, name), mask: path.join(masksDir, mask) });
  }
  const unmatchedMasks = [...maskById.values()].map((name) => path.join(masks, name)).sort();
  return { root, imagesDir, masksDir, pairs: pairs.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)), unmatchedImages, unmatchedMasks };
}

/** Throws `UnmatchedFiles` naming every image without a mask and every mask without an image. */
export function requireAllPaired(listing: SegmentationPairListing): readonly SegmentationPair[] {
  if (listing.unmatchedImages.length > 0 || listing.unmatchedMasks.length > 0) {
    throw sliceError({ kind: 'UnmatchedFiles', file: listing.root, unmatchedImages: listing.unmatchedImages, unmatchedMasks: listing.unmatchedMasks });
  }
  return listing.pairs;
}

/** Reads one slice file: TIFF through utif2, anything else (PNG, JPEG) through sharp. */
export async function readGraySlice(file: string): Promise<GraySlice> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw sliceError({ kind: 'UnreadableFile', file, reason: error instanceof Error ? error.message : String(error) }, error);
  }
  const extension = path.extname(file).toLowerCase();
  return extension === '.tif' || extension === '.tiff' ? decodeTiffSlice(bytes, file) : decodePngSlice(bytes, file);
}

export interface LoadedSegmentationPair {
  readonly id: string;
  readonly width: number;
  readonly height: number;
  /** Grey values as stored (see `GraySlice.data`). */
  readonly image: Float32Array;
  /** 0/1 per pixel (`toBinaryMask`). */
  readonly mask: Uint8Array;
  readonly imageSlice: Omit<GraySlice, 'data'>;
}

/**
 * Reads an image and its mask, checks they have the same size (`PairShapeMismatch` names both files and both sizes)
 * and binarises the mask (`maskThreshold` as `toBinaryMask`).
 */
export async function loadSegmentationPair(pair: SegmentationPair, options: { readonly maskThreshold?: number } = {}): Promise<LoadedSegmentationPair> {
  const [image, mask] = await Promise.all([readGraySlice(pair.image), readGraySlice(pair.mask)]);
  if (image.width !== mask.width || image.height !== mask.height) {
    throw sliceError({ kind: 'PairShapeMismatch', file: pair.mask, imageFile: pair.image, maskFile: pair.mask, imageShape: [image.width, image.height], maskShape: [mask.width, mask.height] });
  }
  const { data, ...imageSlice } = image;
  return { id: pair.id, width: image.width, height: image.height, image: data, mask: toBinaryMask(mask, options.maskThreshold), imageSlice };
}
