import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { encodeImageShard, IMAGE_SPLITS, UNLABELED } from '@tessera/core/data/image-shard-format';
import type { ImageShardRecord, ImageSplit } from '@tessera/core/data/image-shard-format';
import { SeededRandom } from '@tessera/core/random/seeded-random';
import { sha256Hex } from '../content-hash.ts';
import type { ObjectStore } from '../object-store.ts';
import type { DatasetShard } from './dataset-objects.ts';
import {
  DATASET_MANIFEST_FORMAT,
  datasetContentHash,
  datasetManifestKey,
  datasetShardKey,
  putDatasetManifest,
  validateDatasetName,
} from './dataset-objects.ts';
import { imageFolderError } from './image-folder-errors.ts';
import { decodeImageEntry } from './image-decode.ts';
import type { ImageFolderEntry } from './image-folder-layout.ts';
import { planImageFolder } from './image-folder-layout.ts';
import type { ImageFit, ImageFolderInfo, ImageFolderManifest, ImageShardInfo } from './image-folder-manifest.ts';
import { IMAGE_FITS, readImageFolderManifest } from './image-folder-manifest.ts';
import type { ImageFolderSource } from './image-folder-source.ts';
import { openImageFolderSource } from './image-folder-source.ts';

const CHANNELS = 3;

export interface ImageIngestProgress {
  /** `decode`: images decoded, resized and packed so far; `upload`: shards written to the store so far. */
  readonly phase: 'decode' | 'upload';
  readonly done: number;
  readonly total: number;
}

export interface ImageIngestOptions {
  /** Data set name (see validateDatasetName). */
  readonly name: string;
  /**
   * A directory holding `train/<class>/*` (and optionally `valid/<class>/*` and unlabeled `test/*`), or only images to
   * predict (`test/*`, or a flat folder of images), or a zip of one; see planImageFolder.
   */
  readonly source: string;
  readonly height: number;
  readonly width: number;
  /** Defaults to `fill` (stretch to the target size, as Keras's `target_size` does). */
  readonly fit?: ImageFit;
  /** Images per shard; defaults to 256 (3 MiB at 64x64, 37 MiB at 224x224). */
  readonly imagesPerShard?: number;
  /** Seed of the per-split shuffle that mixes classes across shards; defaults to 0. */
  readonly seed?: number;
  /** Images decoded at once; defaults to the number of cores. */
  readonly concurrency?: number;
  /** Where shards wait until the content hash is known; defaults to the OS temp directory. Removed afterwards. */
  readonly stagingDir?: string;
  readonly onProgress?: (progress: ImageIngestProgress) => void;
  /** Defaults to the current time; tests pass a fixed one. */
  readonly createdAt?: Date;
}

export interface ImageIngestResult {
  readonly manifest: ImageFolderManifest;
  readonly manifestKey: string;
  /** True when the store already held this exact data set, so nothing was uploaded. */
  readonly reused: boolean;
  /** Files and folders of the source that are not images in a class folder, so were not ingested. */
  readonly skipped: readonly string[];
}

interface StagedShard {
  readonly info: ImageShardInfo;
  readonly fileName: string;
  readonly file: string;
  readonly sizeBytes: number;
  readonly sha256: string;
}

function checkOptions(options: ImageIngestOptions): Required<Pick<ImageIngestOptions, 'fit' | 'imagesPerShard' | 'seed' | 'concurrency'>> {
  validateDatasetName(options.name);
  const invalid = (field: string, reason: string): never => {
    throw imageFolderError({ kind: 'InvalidIngestOptions', file: `options.${field}`, reason });
  };
  for (const field of ['height', 'width'] as const) {
    const value = options[field];
    if (!Number.isSafeInteger(value) || value < 1 || value > 4096) invalid(field, `${value} is not an integer in 1..4096`);
  }
  const fit = options.fit ?? 'fill';
  if (!IMAGE_FITS.includes(fit)) invalid('fit', `'${String(fit)}' is not one of ${IMAGE_FITS.join(', ')}`);
  const imagesPerShard = options.imagesPerShard ?? 256;
  if (!Number.isSafeInteger(imagesPerShard) || imagesPerShard < 1) invalid('imagesPerShard', `${imagesPerShard} is not a positive integer`);
  const concurrency = options.concurrency ?? Math.max(1, os.availableParallelism());
  if (!Number.isSafeInteger(concurrency) || concurrency < 1) invalid('concurrency', `${concurrency} is not a positive integer`);
  const seed = options.seed ?? 0;
  if (!Number.isSafeInteger(seed)) invalid('seed', `${seed} is not an integer`);
  return { fit, imagesPerShard, seed, concurrency };
}

/** Runs `work` over `items` with at most `limit` in flight, results in input order; the first failure rejects. */
async function mapLimited<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const lane = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const index = next;
      next += 1;
      try {
        results[index] = await work(items[index] as T);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}

async function stageShards(
  source: ImageFolderSource,
  entries: Readonly<Record<ImageSplit, readonly ImageFolderEntry[]>>,
  classNames: readonly string[],
  options: ImageIngestOptions & ReturnType<typeof checkOptions>,
  stagingDir: string,
): Promise<StagedShard[]> {
  const total = IMAGE_SPLITS.reduce((sum, split) => sum + entries[split].length, 0);
  const staged: StagedShard[] = [];
  let done = 0;
  for (const split of IMAGE_SPLITS) {
    const sorted = entries[split];
    const order = SeededRandom.fromSeed(options.seed, 'image-ingest', split).permutation(sorted.length);
    const shuffled = Array.from(order, (index) => sorted[index] as ImageFolderEntry);
    for (let start = 0; start < shuffled.length; start += options.imagesPerShard) {
      const batch = shuffled.slice(start, start + options.imagesPerShard);
      const pixels = await mapLimited(batch, options.concurrency, async (entry) => {
        const image = await decodeImageEntry(await source.read(entry.sourcePath), entry.id, options);
        done += 1;
        options.onProgress?.({ phase: 'decode', done, total });
        return image;
      });
      const records: ImageShardRecord[] = batch.map((entry) => ({ label: split === 'test' ? UNLABELED : classNames.indexOf(entry.className), split, id: entry.id }));
      const bytes = encodeImageShard({ height: options.height, width: options.width, channels: CHANNELS }, records, pixels);
      const index = staged.length;
      const fileName = `${split}-${String(index).padStart(5, '0')}.tsis`;
      const file = path.join(stagingDir, fileName);
      await writeFile(file, bytes);
      const perClass = classNames.map((_, label) => records.filter((record) => record.label === label).length);
      staged.push({ info: { index, split, count: records.length, perClass }, fileName, file, sizeBytes: bytes.byteLength, sha256: sha256Hex(bytes) });
    }
  }
  return staged;
}

function summarize(info: ImageFolderInfo): string {
  const { train, valid, test } = info.splits;
  const count = (n: number): string => n.toLocaleString('en-US');
  const total = count(train.count + valid.count + test.count);
  const size = `${info.width}x${info.height} RGB`;
  if (info.classNames.length === 0) return `${total} images (${count(test.count)} test, unlabeled), ${size}`;
  const splits = [`${count(train.count)} train`, ...(valid.count > 0 ? [`${count(valid.count)} valid`] : []), ...(test.count > 0 ? [`${count(test.count)} test`] : [])];
  return `${total} images (${splits.join(', ')}), ${info.classNames.length} classes, ${size}`;
}

/**
 * Ingests an image-folder data set (a directory or zip laid out like Keras's `flow_from_directory`) into packed
 * shards stored content-addressed under `datasets/<name>/<sha256>/`, manifest last.
 *
 * Every image is decoded and resized once, here, so workers never touch a JPEG. Each split is shuffled with `seed`
 * (so any run of records mixes the classes) and cut into shards of `imagesPerShard`. Shards are staged on local disk
 * until the content hash is known, so memory stays at about one shard, and a bad file stops the ingest before
 * anything reaches the store. Ingesting the same images with the same options again returns the existing manifest.
 */
export async function ingestImageFolder(store: ObjectStore, options: ImageIngestOptions): Promise<ImageIngestResult> {
  const resolved = { ...options, ...checkOptions(options) };
  const source = await openImageFolderSource(options.source);
  const stagingDir = await mkdtemp(path.join(options.stagingDir ?? os.tmpdir(), 'tessera-image-ingest-'));
  try {
    const layout = planImageFolder(source.listing);
    const staged = await stageShards(source, layout.entries, layout.classNames, resolved, stagingDir);
    const sha256 = datasetContentHash(staged.map((shard) => ({ name: shard.fileName, sha256: shard.sha256 })));
    const manifestKey = datasetManifestKey(options.name, sha256);
    if (await store.exists(manifestKey)) {
      return { manifest: await readImageFolderManifest(store, manifestKey), manifestKey, reused: true, skipped: layout.skipped };
    }
    const splitCounts = (split: ImageSplit): ImageFolderInfo['splits'][ImageSplit] => {
      const own = staged.filter((shard) => shard.info.split === split);
      return {
        count: own.reduce((sum, shard) => sum + shard.info.count, 0),
        perClass: layout.classNames.map((_, label) => own.reduce((sum, shard) => sum + (shard.info.perClass[label] ?? 0), 0)),
      };
    };
    const images: ImageFolderInfo = {
      format: 1,
      height: options.height,
      width: options.width,
      channels: CHANNELS,
      fit: resolved.fit,
      classNames: layout.classNames,
      splits: { train: splitCounts('train'), valid: splitCounts('valid'), test: splitCounts('test') },
      shards: staged.map((shard) => shard.info),
      seed: resolved.seed,
      source: source.kind,
    };
    const shards: DatasetShard[] = staged.map((shard) => ({
      index: shard.info.index,
      fileName: shard.fileName,
      key: datasetShardKey(options.name, sha256, shard.info.index),
      sizeBytes: shard.sizeBytes,
      sha256: shard.sha256,
    }));
    await uploadShards(store, staged, shards, options.onProgress);
    const manifest: ImageFolderManifest = {
      format: DATASET_MANIFEST_FORMAT,
      name: options.name,
      kind: 'image-folder',
      sha256,
      sizeBytes: shards.reduce((sum, shard) => sum + shard.sizeBytes, 0),
      summary: summarize(images),
      createdAt: (options.createdAt ?? new Date()).toISOString(),
      shards,
      images,
    };
    await putDatasetManifest(store, manifest);
    return { manifest, manifestKey, reused: false, skipped: layout.skipped };
  } finally {
    await source.close();
    await rm(stagingDir, { recursive: true, force: true });
  }
}

/** Puts every staged shard; on a failure removes the ones already put (best effort), as no manifest names them. */
async function uploadShards(
  store: ObjectStore,
  staged: readonly StagedShard[],
  shards: readonly DatasetShard[],
  onProgress: ImageIngestOptions['onProgress'],
): Promise<void> {
  const written: string[] = [];
  try {
    for (const [index, shard] of shards.entries()) {
      await store.put(shard.key, await readFile((staged[index] as StagedShard).file));
      written.push(shard.key);
      onProgress?.({ phase: 'upload', done: written.length, total: shards.length });
    }
  } catch (error) {
    await Promise.allSettled(written.map((key) => store.delete(key)));
    throw error;
  }
}
