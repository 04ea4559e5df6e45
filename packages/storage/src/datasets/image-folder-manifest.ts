import { IMAGE_SPLITS } from '@tessera/core/data/image-shard-format';
import type { ImageSplit } from '@tessera/core/data/image-shard-format';
import type { ObjectStore } from '../object-store.ts';
import type { DatasetManifest } from './dataset-objects.ts';
import { readDatasetManifestAt } from './dataset-objects.ts';

/** How images were brought to the stored size (sharp's `fit`): `fill` stretches like Keras's `target_size`. */
export type ImageFit = 'fill' | 'cover' | 'contain';
export const IMAGE_FITS: readonly ImageFit[] = ['fill', 'cover', 'contain'];

export interface ImageSplitCounts {
  readonly count: number;
  /** Images per class, indexed by label. */
  readonly perClass: readonly number[];
}

/** What one packed shard holds; `index` matches the manifest's `shards[index]` (key, size, sha256). */
export interface ImageShardInfo {
  readonly index: number;
  readonly split: ImageSplit;
  readonly count: number;
  readonly perClass: readonly number[];
}

/** The image-folder part of a manifest: everything a worker needs to plan its reads without opening a shard. */
export interface ImageFolderInfo {
  readonly format: 1;
  readonly height: number;
  readonly width: number;
  readonly channels: 3;
  readonly fit: ImageFit;
  /** At least two for a labeled data set; empty for an unlabeled one (only `test` images, to predict). */
  readonly classNames: readonly string[];
  /** `test` (unlabeled images) is absent from manifests written before it existed; reading fills in zero. */
  readonly splits: Readonly<Record<ImageSplit, ImageSplitCounts>>;
  /** Shards of each split are contiguous and in record order: a split's records are its shards' concatenation. */
  readonly shards: readonly ImageShardInfo[];
  /** Seed of the per-split shuffle applied at ingestion, so every shard mixes the classes. */
  readonly seed: number;
  readonly source: 'directory' | 'zip';
}

/** A data-set manifest of kind `image-folder`: the common fields plus `images`. */
export type ImageFolderManifest = DatasetManifest & { readonly kind: 'image-folder'; readonly images: ImageFolderInfo };

/** Throws an Error naming the field at fault unless `manifest` is a consistent image-folder manifest. */
export function checkImageFolderManifest(manifest: DatasetManifest, key: string): ImageFolderManifest {
  const fail = (reason: string): never => {
    throw new Error(`invalid image-folder manifest '${key}': ${reason}`);
  };
  if (manifest.kind !== 'image-folder') fail(`kind is '${manifest.kind}', not 'image-folder'`);
  const images = (manifest as { images?: Partial<ImageFolderInfo> }).images;
  if (typeof images !== 'object' || images === null) return fail('images is missing');
  if (images.format !== 1) fail(`images.format is ${String(images.format)}, expected 1`);
  for (const field of ['height', 'width'] as const) {
    const value = images[field];
    if (!Number.isSafeInteger(value) || (value as number) < 1) fail(`images.${field} is not a positive integer`);
  }
  if (images.channels !== 3) fail('images.channels is not 3');
  if (!IMAGE_FITS.includes(images.fit as ImageFit)) fail(`images.fit '${String(images.fit)}' is unknown`);
  const classes = images.classNames;
  if (!Array.isArray(classes) || classes.some((name) => typeof name !== 'string')) fail('images.classNames is not a list of names');
  const shards = images.shards;
  const labeled = (shards ?? []).some((shard) => shard.split !== 'test');
  if (labeled ? (classes?.length ?? 0) < 2 : classes?.length !== 0) {
    fail(labeled ? 'images.classNames has fewer than two names' : 'images.classNames must be empty when every image is unlabeled (test)');
  }
  if (images.splits !== undefined && images.splits.test === undefined) {
    (images as { splits: ImageFolderInfo['splits'] }).splits = { ...images.splits, test: { count: 0, perClass: (classes ?? []).map(() => 0) } };
  }
  if (!Array.isArray(shards) || shards.length !== manifest.shards.length) fail('images.shards does not match shards');
  for (const split of IMAGE_SPLITS) {
    const own = (shards ?? []).filter((shard) => shard.split === split);
    const total = own.reduce((sum, shard) => sum + shard.count, 0);
    if (images.splits?.[split]?.count !== total) fail(`images.splits.${split}.count is not the sum of its shards`);
  }
  (shards ?? []).forEach((shard, index) => {
    if (shard.index !== index) fail(`images.shards[${index}].index is ${String(shard.index)}`);
    if (shard.perClass.length !== classes?.length) fail(`images.shards[${index}].perClass has the wrong length`);
  });
  return manifest as ImageFolderManifest;
}

/** Reads the manifest at `manifestKey` and checks it is an image-folder one (see {@link checkImageFolderManifest}). */
export async function readImageFolderManifest(store: ObjectStore, manifestKey: string): Promise<ImageFolderManifest> {
  return checkImageFolderManifest(await readDatasetManifestAt(store, manifestKey), manifestKey);
}
