import type { SegmentationSource } from './segmentation-manifest.ts';
import { segmentationIngestError } from './segmentation-errors.ts';

/**
 * Folder names recognised for images and masks, in order of preference: the same as
 * `@tessera/medical/tiff/segmentation-pairs` (Montgomery's `images`/`masks`, Kaggle's `2d_images`/`2d_masks`), so a
 * folder that pairs there pairs here.
 */
export const SEGMENTATION_IMAGE_FOLDERS: readonly string[] = ['images', '2d_images', 'image', 'imgs'];
export const SEGMENTATION_MASK_FOLDERS: readonly string[] = ['masks', '2d_masks', 'mask', 'labels'];

const SLICE_EXTENSIONS = ['.tif', '.tiff', '.png', '.jpg', '.jpeg'];
const NIFTI_EXTENSIONS = ['.nii.gz', '.nii'];
// Files that sit beside DICOM in exported folders and are never DICOM themselves (as the medical folder scan skips).
const NOT_DICOM = /^(\.|DICOMDIR$)|\.(md|txt|json|csv|xml|html?|pdf|png|jpe?g|zip|gz)$|^SHA256SUMS$/i;

/** One case to ingest: paths inside the source, `/`-separated. */
export interface SegmentationCasePlan {
  readonly id: string;
  /** One slice or volume file; for DICOM every file of the case folder, sorted by path. */
  readonly images: readonly string[];
  /** Empty: unlabeled (split `test`). Several (NIfTI): label volumes whose nonzero voxels are unioned. */
  readonly masks: readonly string[];
}

export interface SegmentationLayout {
  readonly source: SegmentationSource;
  readonly dims: 2 | 3;
  /** Sorted by id. */
  readonly cases: readonly SegmentationCasePlan[];
  /** Files not ingested (outside images/ and masks/, or not an image), for the ingest report. */
  readonly skipped: readonly string[];
}

/** A case named explicitly, for folders that do not follow images/ + masks/ (paths relative to the source root). */
export interface SegmentationPairInput {
  readonly id: string;
  /** A slice or volume file, or a folder of DICOM files. */
  readonly image: string;
  readonly masks: readonly string[];
}

function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function isHidden(path: string): boolean {
  return path.split('/').some((segment) => segment.startsWith('.') || segment === '__MACOSX');
}

function extensionOf(name: string, extensions: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  return extensions.find((extension) => lower.endsWith(extension));
}

/** The file's base name without its image extension, or undefined when it is not a slice or NIfTI file. */
function stemOf(name: string): { stem: string; kind: 'slice' | 'nifti' } | undefined {
  const base = name.slice(name.lastIndexOf('/') + 1);
  const nifti = extensionOf(base, NIFTI_EXTENSIONS);
  if (nifti !== undefined) return { stem: base.slice(0, -nifti.length), kind: 'nifti' };
  const slice = extensionOf(base, SLICE_EXTENSIONS);
  if (slice !== undefined) return { stem: base.slice(0, -slice.length), kind: 'slice' };
  return undefined;
}

function sourceOf(kind: 'slice' | 'nifti' | 'dicom', images: readonly string[]): SegmentationSource {
  if (kind === 'nifti') return 'nifti';
  if (kind === 'dicom') return 'dicom';
  return images.some((file) => extensionOf(file, ['.tif', '.tiff']) !== undefined) ? 'tiff' : 'png';
}

/**
 * Turns the listing of a directory or zip (files, and folders ending in `/`, `/`-separated and checked to stay inside
 * the root) into cases. `images/` (or `2d_images/`, `image/`, `imgs/`) holds either PNG/TIFF slices (2D), NIfTI
 * volumes, or one folder of DICOM files per case (3D); `masks/` (or `2d_masks/`, `mask/`, `labels/`) holds per case
 * `<id>.<ext>` or `<id>_mask.<ext>` (any slice extension for slices, `.nii[.gz]` for volumes) or, for volumes, a
 * folder `<id>/` of NIfTI label files unioned into one mask. A case without a mask is unlabeled; a mask without an
 * image is an error (a typo is likelier than intent). A single top-level folder around images/ is looked through.
 */
export function planSegmentationLayout(listing: readonly string[], pairs?: readonly SegmentationPairInput[]): SegmentationLayout {
  const visible = listing.filter((entry) => !isHidden(entry));
  if (pairs !== undefined) return planExplicitPairs(visible, pairs);
  const tops = new Set(visible.map((entry) => entry.split('/')[0] ?? ''));
  let prefix = '';
  const hasImages = (base: string): boolean => SEGMENTATION_IMAGE_FOLDERS.some((name) => visible.some((entry) => entry.startsWith(`${base}${name}/`)));
  if (!hasImages('') && tops.size === 1) {
    const [only = ''] = [...tops];
    if (hasImages(`${only}/`)) prefix = `${only}/`;
  }
  const imagesFolder = SEGMENTATION_IMAGE_FOLDERS.find((name) => visible.some((entry) => entry.startsWith(`${prefix}${name}/`)));
  if (imagesFolder === undefined) {
    throw segmentationIngestError({ kind: 'NoCases', file: prefix || '.', found: [...tops].filter((top) => top !== '').sort(byCodeUnit) });
  }
  const masksFolder = SEGMENTATION_MASK_FOLDERS.find((name) => visible.some((entry) => entry.startsWith(`${prefix}${name}/`)));
  const imagesRoot = `${prefix}${imagesFolder}/`;
  const masksRoot = masksFolder === undefined ? undefined : `${prefix}${masksFolder}/`;
  const skipped: string[] = [];
  const files = visible.filter((entry) => !entry.endsWith('/'));

  // Images: files directly in images/ are slices or volumes; files deeper are DICOM, one case per first-level folder.
  const flat = new Map<string, { file: string; kind: 'slice' | 'nifti' }>();
  const dicom = new Map<string, string[]>();
  for (const file of files) {
    if (!file.startsWith(imagesRoot)) {
      if (masksRoot === undefined || !file.startsWith(masksRoot)) skipped.push(file);
      continue;
    }
    const inside = file.slice(imagesRoot.length);
    const slash = inside.indexOf('/');
    if (slash >= 0) {
      const name = inside.slice(inside.lastIndexOf('/') + 1);
      if (NOT_DICOM.test(name)) {
        skipped.push(file);
        continue;
      }
      const id = inside.slice(0, slash);
      dicom.set(id, [...(dicom.get(id) ?? []), file]);
      continue;
    }
    const stem = stemOf(inside);
    if (stem === undefined) {
      skipped.push(file);
      continue;
    }
    const other = flat.get(stem.stem);
    if (other !== undefined) throw segmentationIngestError({ kind: 'DuplicateCase', file, id: stem.stem, otherFile: other.file });
    flat.set(stem.stem, { file, kind: stem.kind });
  }
  const kinds = new Set<'slice' | 'nifti' | 'dicom'>([...flat.values()].map((entry) => entry.kind));
  if (dicom.size > 0) kinds.add('dicom');
  if (kinds.size > 1) {
    const reason = `images/ mixes ${[...kinds].map((kind) => (kind === 'slice' ? 'PNG/TIFF slices' : kind === 'nifti' ? 'NIfTI volumes' : 'DICOM case folders')).join(' and ')}; a data set holds one kind`;
    throw segmentationIngestError({ kind: 'MixedLayout', file: imagesRoot, reason });
  }
  const [kind] = [...kinds];
  if (kind === undefined) throw segmentationIngestError({ kind: 'NoCases', file: imagesRoot, found: files.filter((file) => file.startsWith(imagesRoot)) });
  const images = new Map<string, string[]>(kind === 'dicom' ? [...dicom].map(([id, list]) => [id, list.sort(byCodeUnit)]) : [...flat].map(([id, entry]) => [id, [entry.file]]));

  const masks = masksRoot === undefined ? new Map<string, string[]>() : planMasks(files.filter((file) => file.startsWith(masksRoot)), masksRoot, kind, skipped);
  const unmatched = [...masks].filter(([id]) => !images.has(id)).flatMap(([, list]) => list);
  if (unmatched.length > 0) throw segmentationIngestError({ kind: 'UnmatchedMasks', file: masksRoot ?? '.', masks: unmatched.sort(byCodeUnit) });
  const cases = [...images]
    .map(([id, list]) => ({ id, images: list, masks: masks.get(id) ?? [] }))
    .sort((a, b) => byCodeUnit(a.id, b.id));
  return { source: sourceOf(kind, cases.flatMap((c) => c.images)), dims: kind === 'slice' ? 2 : 3, cases, skipped: skipped.sort(byCodeUnit) };
}

function planMasks(files: readonly string[], masksRoot: string, kind: 'slice' | 'nifti' | 'dicom', skipped: string[]): Map<string, string[]> {
  const masks = new Map<string, string[]>();
  const add = (id: string, file: string): void => {
    masks.set(id, [...(masks.get(id) ?? []), file]);
  };
  for (const file of files) {
    const inside = file.slice(masksRoot.length);
    const slash = inside.indexOf('/');
    const stem = stemOf(inside);
    const wanted = kind === 'slice' ? 'slice' : 'nifti';
    if (stem === undefined || stem.kind !== wanted || (slash >= 0 && kind === 'slice')) {
      skipped.push(file);
      continue;
    }
    if (slash >= 0) {
      // masks/<id>/<label>.nii.gz: a folder of label volumes (TotalSegmentator writes one per structure).
      if (inside.indexOf('/', slash + 1) >= 0) {
        skipped.push(file);
        continue;
      }
      add(inside.slice(0, slash), file);
      continue;
    }
    const id = stem.stem.replace(/_mask$/, '');
    if (masks.has(id)) throw segmentationIngestError({ kind: 'DuplicateCase', file, id, otherFile: masks.get(id)?.[0] ?? '' });
    add(id, file);
  }
  for (const list of masks.values()) list.sort(byCodeUnit);
  return masks;
}

function planExplicitPairs(visible: readonly string[], pairs: readonly SegmentationPairInput[]): SegmentationLayout {
  const files = new Set(visible.filter((entry) => !entry.endsWith('/')));
  const invalid = (field: string, reason: string): never => {
    throw segmentationIngestError({ kind: 'InvalidIngestOptions', file: `options.pairs${field}`, reason });
  };
  if (pairs.length === 0) invalid('', 'is empty');
  const seen = new Set<string>();
  const kinds = new Set<'slice' | 'nifti' | 'dicom'>();
  const cases: SegmentationCasePlan[] = pairs.map((pair, index) => {
    if (pair.id === '' || pair.id.includes('/')) invalid(`[${index}].id`, `'${pair.id}' is not a plain case name`);
    if (seen.has(pair.id)) invalid(`[${index}].id`, `'${pair.id}' appears twice`);
    seen.add(pair.id);
    const image = pair.image.replace(/^\.\//, '').replace(/\/$/, '');
    let images: string[];
    if (files.has(image)) {
      const stem = stemOf(image);
      if (stem === undefined) invalid(`[${index}].image`, `'${pair.image}' is not a PNG, TIFF or NIfTI file (or a folder of DICOM files)`);
      kinds.add(stem?.kind ?? 'slice');
      images = [image];
    } else {
      images = [...files].filter((file) => file.startsWith(`${image}/`) && !NOT_DICOM.test(file.slice(file.lastIndexOf('/') + 1))).sort(byCodeUnit);
      if (images.length === 0) invalid(`[${index}].image`, `'${pair.image}' is neither a file nor a folder of DICOM files in the source`);
      kinds.add('dicom');
    }
    const masks = pair.masks.map((mask, at) => {
      const path = mask.replace(/^\.\//, '');
      if (!files.has(path)) invalid(`[${index}].masks[${at}]`, `'${mask}' is not a file in the source`);
      return path;
    });
    return { id: pair.id, images, masks };
  });
  if (kinds.size > 1) invalid('', `mixes ${[...kinds].join(' and ')} images; a data set holds one kind`);
  const [kind = 'slice'] = [...kinds];
  const used = new Set(cases.flatMap((c) => [...c.images, ...c.masks]));
  return {
    source: sourceOf(kind, cases.flatMap((c) => c.images)),
    dims: kind === 'slice' ? 2 : 3,
    cases: cases.sort((a, b) => byCodeUnit(a.id, b.id)),
    skipped: [...files].filter((file) => !used.has(file)).sort(byCodeUnit),
  };
}
