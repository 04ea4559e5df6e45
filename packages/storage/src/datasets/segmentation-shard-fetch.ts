import { decodeSegmentationShard } from '@tessera/core/data/segmentation-shard-format';
import type { SegmentationSample, SegmentationSplit } from '@tessera/core/data/segmentation-shard-format';
import { rankRange } from '@tessera/core/data/image-shard-reader';
import type { ObjectStore } from '../object-store.ts';
import { readDatasetFile } from './dataset-objects.ts';
import type { SegmentationManifest } from './segmentation-manifest.ts';

export interface FetchRankSegmentationOptions {
  readonly split: SegmentationSplit;
  readonly rank: number;
  readonly worldSize: number;
  /** Shards fetched at once; defaults to 2. */
  readonly concurrency?: number;
}

/** Decodes shard `index` after checking it against the manifest's sha256 and size (CorruptShard names its key). */
async function readShard(objects: ObjectStore, manifest: SegmentationManifest, index: number): Promise<SegmentationSample[]> {
  const shard = manifest.shards[index];
  if (shard === undefined) throw new RangeError(`manifest ${manifest.name}@${manifest.sha256} has no shard ${index}`);
  return decodeSegmentationShard(await readDatasetFile(objects, manifest, shard.fileName), shard.key);
}

/**
 * Rank `rank`'s contiguous share of a split's cases (rankRange over the split's cases in manifest order, which is
 * shard order), reading only the shards that hold them, each once and verified against the manifest's sha256.
 * Samples are views into the shard bytes (no copy); memory is the rank's shards: about 1/worldSize of the split.
 */
export async function fetchRankSegmentation(
  objects: ObjectStore,
  manifest: SegmentationManifest,
  options: FetchRankSegmentationOptions,
): Promise<SegmentationSample[]> {
  const own = manifest.segmentation.cases.filter((c) => c.split === options.split);
  const { start, end } = rankRange(own.length, options.rank, options.worldSize);
  const wanted = own.slice(start, end);
  const shardIndices = [...new Set(wanted.map((c) => c.shard))];
  const decoded = new Map<number, SegmentationSample[]>();
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < shardIndices.length) {
      const index = shardIndices[next] as number;
      next += 1;
      decoded.set(index, await readShard(objects, manifest, index));
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 2, shardIndices.length) }, lane));
  return wanted.map((c) => findSample(decoded.get(c.shard) ?? [], c.id, manifest, c.shard));
}

function findSample(samples: readonly SegmentationSample[], id: string, manifest: SegmentationManifest, shard: number): SegmentationSample {
  const sample = samples.find((candidate) => candidate.id === id);
  if (sample === undefined) throw new RangeError(`shard ${manifest.shards[shard]?.key ?? shard} of ${manifest.name}@${manifest.sha256} lacks case '${id}' that its manifest lists`);
  return sample;
}

/** One case by id (for the viewer and prediction): reads and verifies the one shard that holds it. */
export async function fetchSegmentationCase(objects: ObjectStore, manifest: SegmentationManifest, id: string): Promise<SegmentationSample> {
  const entry = manifest.segmentation.cases.find((c) => c.id === id);
  if (entry === undefined) throw new RangeError(`data set ${manifest.name}@${manifest.sha256} has no case '${id}'`);
  return findSample(await readShard(objects, manifest, entry.shard), id, manifest, entry.shard);
}
