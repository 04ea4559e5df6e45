import type { ImageSplit } from '@tessera/core/data/image-shard-format';
import { imageFolderError } from './image-folder-errors.ts';

/** File name endings ingested as images (lowercased); everything else is listed in `skipped`, not read. */
export const IMAGE_EXTENSIONS: readonly string[] = ['.jpg', '.jpeg', '.png', '.webp', '.gif', '.tif', '.tiff', '.avif'];

/**
 * Split folder names accepted at the root, as Keras, fast.ai and Kaggle spell them. `test/` (Kaggle's `test1/`) holds
 * unlabeled images to predict, at any depth (fast.ai's `test/unknown/*.jpg` too): its subfolders are not classes.
 */
const SPLIT_FOLDERS: Readonly<Record<string, ImageSplit>> = {
  train: 'train', valid: 'valid', validation: 'valid', val: 'valid', test: 'test', test1: 'test',
};

export interface ImageFolderEntry {
  /** Path inside the source (directory or zip), `/`-separated, as read back by the source. */
  readonly sourcePath: string;
  /** Path relative to the data set root (`train/cats/cat.1.jpg`): the image's id and the name used in errors. */
  readonly id: string;
  readonly split: ImageSplit;
  /** '' for an unlabeled (`test`) image. */
  readonly className: string;
}

export interface ImageFolderLayout {
  /**
   * Class names sorted by code unit, as Keras's flow_from_directory sorts them; a label is an index into this. Empty
   * for an unlabeled folder (test images only).
   */
  readonly classNames: readonly string[];
  /** Images per split, sorted by id within each split. */
  readonly entries: Readonly<Record<ImageSplit, readonly ImageFolderEntry[]>>;
  /** Files and folders not ingested (not an image, outside a split/class folder), for the ingest report. */
  readonly skipped: readonly string[];
}

function isHidden(segment: string): boolean {
  return segment.startsWith('.') || segment === '__MACOSX';
}

function isImageFile(name: string): boolean {
  const lower = name.toLowerCase();
  return IMAGE_EXTENSIONS.some((extension) => lower.endsWith(extension));
}

function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Turns the listing of a directory or zip (files, and folders with a trailing `/`, all `/`-separated and already
 * checked to stay inside the root) into classes and images per split. A single top-level folder that holds `train/`
 * or `test/` (`dogs-vs-cats/train/...`, as zipping a folder produces) is looked through.
 *
 * Two layouts: labeled, `train/<class>/<image>` with optional `valid/<class>/<image>` and `test/**` (unlabeled); and
 * unlabeled only, for prediction: `test/**` alone, or a flat folder of images (Kaggle's `test1/1.jpg ...`: images
 * directly at the root, or directly inside one top-level folder), stored as the `test` split with no classes.
 * Throws ImageFolderError for anything else without a train/ folder, an empty class folder, a single class, or a
 * valid/ class that train/ lacks, naming the folder.
 */
export function planImageFolder(listing: readonly string[]): ImageFolderLayout {
  const visible = listing.filter((entry) => !entry.split('/').some((segment) => segment !== '' && isHidden(segment)));
  const tops = new Set(visible.map((entry) => entry.split('/')[0] ?? ''));
  let prefix = '';
  if (!tops.has('train') && !tops.has('test') && !tops.has('test1') && tops.size === 1) {
    const [only = ''] = [...tops];
    if (['train', 'test', 'test1'].some((split) => visible.some((entry) => entry.startsWith(`${only}/${split}/`)))) prefix = `${only}/`;
  }
  const classFolders = new Map<string, Set<string>>([['train', new Set()], ['valid', new Set()]]);
  const testImages: ImageFolderEntry[] = [];
  const images = new Map<string, ImageFolderEntry[]>();
  const skipped: string[] = [];
  for (const sourcePath of visible) {
    if (!sourcePath.startsWith(prefix)) {
      skipped.push(sourcePath);
      continue;
    }
    const relative = sourcePath.slice(prefix.length);
    const isFolder = relative.endsWith('/');
    const segments = relative.split('/').filter((segment) => segment !== '');
    const [splitFolder = '', className, ...rest] = segments;
    const split = SPLIT_FOLDERS[splitFolder];
    if (split === 'test') {
      if (!isFolder && isImageFile(relative)) testImages.push({ sourcePath, id: relative, split, className: '' });
      else if (!isFolder) skipped.push(relative);
      continue;
    }
    if (split === undefined || className === undefined) {
      if (!(isFolder && segments.length <= 1)) skipped.push(relative);
      continue;
    }
    const classKey = `${splitFolder}/${className}`;
    if (isFolder || rest.length === 0) {
      if (isFolder) classFolders.get(split)?.add(classKey);
      else skipped.push(relative);
      continue;
    }
    classFolders.get(split)?.add(classKey);
    if (!isImageFile(relative)) {
      skipped.push(relative);
      continue;
    }
    const list = images.get(classKey) ?? [];
    list.push({ sourcePath, id: relative, split, className });
    images.set(classKey, list);
  }
  const trainFolders = [...(classFolders.get('train') ?? [])].sort(byCodeUnit);
  if (trainFolders.length === 0 && testImages.length === 0) {
    const flat = flatImages(visible);
    if (flat) return unlabeled(flat, visible.filter((entry) => !entry.endsWith('/') && !flat.some((image) => image.sourcePath === entry)));
  }
  if (trainFolders.length === 0 && testImages.length > 0 && (classFolders.get('valid')?.size ?? 0) === 0) {
    return unlabeled(testImages, skipped);
  }
  if (trainFolders.length === 0) {
    const found = [...new Set(visible.map((entry) => entry.slice(prefix.length).split('/')[0] ?? ''))].filter(Boolean).sort(byCodeUnit);
    throw imageFolderError({ kind: 'NoTrainFolder', file: prefix === '' ? '.' : prefix.slice(0, -1), found });
  }
  for (const folder of [...trainFolders, ...[...(classFolders.get('valid') ?? [])].sort(byCodeUnit)]) {
    if ((images.get(folder) ?? []).length === 0) throw imageFolderError({ kind: 'EmptyClassFolder', file: `${folder}/` });
  }
  const classNames = trainFolders.map((folder) => folder.slice(folder.indexOf('/') + 1));
  const [onlyClass] = classNames;
  if (classNames.length === 1 && onlyClass !== undefined) {
    const splitFolder = trainFolders[0]?.split('/')[0] ?? 'train';
    throw imageFolderError({ kind: 'SingleClass', file: `${splitFolder}/`, className: onlyClass });
  }
  const entries: Record<ImageSplit, ImageFolderEntry[]> = { train: [], valid: [], test: testImages };
  for (const [folder, list] of images) {
    const [first] = list;
    if (first === undefined) continue;
    if (!classNames.includes(first.className)) {
      throw imageFolderError({ kind: 'UnknownClass', file: `${folder}/`, className: first.className });
    }
    entries[first.split].push(...list);
  }
  for (const list of Object.values(entries)) list.sort((a, b) => byCodeUnit(a.id, b.id));
  return { classNames, entries, skipped: skipped.sort(byCodeUnit) };
}

/** An unlabeled layout: every image in the `test` split, no classes. */
function unlabeled(images: ImageFolderEntry[], skipped: readonly string[]): ImageFolderLayout {
  return { classNames: [], entries: { train: [], valid: [], test: [...images].sort((a, b) => byCodeUnit(a.id, b.id)) }, skipped: [...skipped].sort(byCodeUnit) };
}

/**
 * The images of a flat folder (every image directly at the root, or every image directly inside the same single
 * top-level folder), as unlabeled test entries; undefined for any other layout, so class folders without train/
 * (`a/1.jpg`, `b/1.jpg`) still fail as a missing train/ folder rather than pass as unlabeled.
 */
function flatImages(visible: readonly string[]): ImageFolderEntry[] | undefined {
  const images = visible.filter((entry) => !entry.endsWith('/') && isImageFile(entry));
  const [first] = images;
  if (first === undefined) return undefined;
  const folder = first.includes('/') ? first.slice(0, first.indexOf('/') + 1) : '';
  const flat = images.every((entry) => entry.startsWith(folder) && !entry.slice(folder.length).includes('/'));
  return flat ? images.map((sourcePath) => ({ sourcePath, id: sourcePath, split: 'test', className: '' })) : undefined;
}
