import { decodeImageShard } from '@tessera/core/data/image-shard-format';
import type { ImageRecords, ImageSplit } from '@tessera/core/data/image-shard-format';
import { concatImageRecords, planRankShardReads, sliceImageRecords } from '@tessera/core/data/image-shard-reader';
import type { ObjectStore } from '../object-store.ts';
import { readDatasetFile } from './dataset-objects.ts';
import type { ImageFolderManifest } from './image-folder-manifest.ts';

export interface FetchRankImagesOptions {
  readonly split: ImageSplit;
  readonly rank: number;
  readonly worldSize: number;
  /** Shards fetched at once; defaults to 2. */
  readonly concurrency?: number;
}

/**
 * Fetches rank `rank`'s share of a split (see planRankShardReads): one whole-object read per shard, each checked
 * against the manifest's sha256 (CorruptShard on a mismatch), decoded and trimmed to the rank's records. Memory is
 * the rank's pixels plus the shards in flight: about 1/worldSize of the split's `sizeBytes`.
 */
export async function fetchRankImages(
  store: ObjectStore,
  manifest: ImageFolderManifest,
  options: FetchRankImagesOptions,
): Promise<ImageRecords> {
  const reads = planRankShardReads(manifest.images.shards, options.split, options.rank, options.worldSize);
  const { height, width, channels } = manifest.images;
  if (reads.length === 0) {
    return { count: 0, height, width, channels, labels: new Int32Array(0), splits: [], ids: [], pixels: new Uint8Array(0) };
  }
  const parts = new Array<ImageRecords>(reads.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < reads.length) {
      const at = next;
      next += 1;
      const read = reads[at];
      const shard = read === undefined ? undefined : manifest.shards[read.shardIndex];
      if (read === undefined || shard === undefined) throw new RangeError(`manifest has no shard for read ${at}`);
      const bytes = await readDatasetFile(store, manifest, shard.fileName);
      parts[at] = sliceImageRecords(decodeImageShard(bytes, shard.key), read.from, read.to);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 2, reads.length) }, lane));
  return concatImageRecords(parts);
}
