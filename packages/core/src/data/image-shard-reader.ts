import { SeededRandom } from '../random/seeded-random.ts';
import type { ImageAugmentOptions, ImageNormalization } from './image-augment.ts';
import { augmentImage, normalizeImages } from './image-augment.ts';
import type { ImageRecords, ImageSplit } from './image-shard-format.ts';
import { imageBytes } from './image-shard-format.ts';

/** What a reader needs to know of a shard to plan reads (the manifest's `images.shards[i]`). */
export interface ShardExtent {
  readonly index: number;
  readonly split: ImageSplit;
  readonly count: number;
}

/** Records `[from, to)` of shard `shardIndex`. */
export interface ShardRead {
  readonly shardIndex: number;
  readonly from: number;
  readonly to: number;
}

/** Rank `rank`'s contiguous share of `total` records: sizes differ by at most one across ranks. */
export function rankRange(total: number, rank: number, worldSize: number): { start: number; end: number } {
  if (!Number.isInteger(worldSize) || worldSize < 1 || !Number.isInteger(rank) || rank < 0 || rank >= worldSize) {
    throw new RangeError(`rank ${rank} is not in 0..${worldSize - 1}`);
  }
  return { start: Math.floor((rank * total) / worldSize), end: Math.floor(((rank + 1) * total) / worldSize) };
}

/**
 * The shards (and the records in them) that make up rank `rank`'s share of `split`. Shards were shuffled at ingest,
 * so a contiguous share mixes the classes. A rank reads whole shards, so it fetches at most two shards' worth of
 * records it then drops (where its share starts and ends mid-shard) and makes one request per shard.
 */
export function planRankShardReads(shards: readonly ShardExtent[], split: ImageSplit, rank: number, worldSize: number): ShardRead[] {
  const own = shards.filter((shard) => shard.split === split);
  const total = own.reduce((sum, shard) => sum + shard.count, 0);
  const { start, end } = rankRange(total, rank, worldSize);
  const reads: ShardRead[] = [];
  let offset = 0;
  for (const shard of own) {
    const from = Math.max(start, offset) - offset;
    const to = Math.min(end, offset + shard.count) - offset;
    if (to > from) reads.push({ shardIndex: shard.index, from, to });
    offset += shard.count;
  }
  return reads;
}

/** Records `[from, to)` of `records`; the pixels are a view, not a copy. */
export function sliceImageRecords(records: ImageRecords, from: number, to: number): ImageRecords {
  const perImage = imageBytes(records.height, records.width, records.channels);
  return {
    ...records,
    count: to - from,
    labels: records.labels.subarray(from, to),
    splits: records.splits.slice(from, to),
    ids: records.ids.slice(from, to),
    pixels: records.pixels.subarray(from * perImage, to * perImage),
  };
}

/** Joins decoded shards of the same image size into one set of records (one copy of the pixels). */
export function concatImageRecords(parts: readonly ImageRecords[]): ImageRecords {
  const [first] = parts;
  if (first === undefined) throw new RangeError('no image records to join');
  for (const part of parts) {
    if (part.height !== first.height || part.width !== first.width || part.channels !== first.channels) {
      throw new RangeError(`cannot join ${part.height}x${part.width}x${part.channels} images with ${first.height}x${first.width}x${first.channels}`);
    }
  }
  if (parts.length === 1) return first;
  const count = parts.reduce((sum, part) => sum + part.count, 0);
  const labels = new Int32Array(count);
  const pixels = new Uint8Array(count * imageBytes(first.height, first.width, first.channels));
  let at = 0;
  for (const part of parts) {
    labels.set(part.labels, at);
    pixels.set(part.pixels, at * imageBytes(first.height, first.width, first.channels));
    at += part.count;
  }
  return {
    count,
    height: first.height,
    width: first.width,
    channels: first.channels,
    labels,
    splits: parts.flatMap((part) => part.splits),
    ids: parts.flatMap((part) => part.ids),
    pixels,
  };
}

export interface ImageBatch {
  /** batch x height x width x channels, float32, normalised. */
  readonly x: Float32Array;
  readonly y: Int32Array;
  readonly shape: readonly [number, number, number, number];
  readonly ids: readonly string[];
}

export interface ImageBatchOptions {
  readonly batchSize: number;
  /** Record order for this pass (see {@link epochOrder}); defaults to stored order (for evaluation). */
  readonly order?: ArrayLike<number>;
  /** Augmentation and its generator (seed it per rank and epoch); leave out for evaluation. */
  readonly augment?: { readonly options: ImageAugmentOptions; readonly random: SeededRandom };
  readonly normalization: ImageNormalization;
  /** Skip a last, smaller batch (keeps every data-parallel step the same size). Defaults to false. */
  readonly dropRemainder?: boolean;
}

/** A shuffle of `count` records for one epoch of one rank, the same on every run with the same seed. */
export function epochOrder(count: number, seed: number, epoch: number, rank: number): Int32Array {
  return SeededRandom.fromSeed(seed, 'image-epoch', epoch, rank).permutation(count);
}

/**
 * Turns records into float32 NHWC batches: each image is augmented (when asked) into the batch buffer, then the
 * whole batch is normalised. Allocates one buffer per batch; nothing is decoded here, the shards hold raw pixels.
 */
export function* imageBatches(records: ImageRecords, options: ImageBatchOptions): Generator<ImageBatch> {
  const { height, width, channels } = records;
  const perImage = imageBytes(height, width, channels);
  if (!Number.isInteger(options.batchSize) || options.batchSize < 1) throw new RangeError(`batchSize ${options.batchSize} is not a positive integer`);
  const order = options.order ?? Int32Array.from({ length: records.count }, (_, index) => index);
  for (let start = 0; start < order.length; start += options.batchSize) {
    const size = Math.min(options.batchSize, order.length - start);
    if (size < options.batchSize && options.dropRemainder === true) return;
    const x = new Float32Array(size * perImage);
    const y = new Int32Array(size);
    const ids: string[] = [];
    for (let i = 0; i < size; i += 1) {
      const record = order[start + i] as number;
      if (!(record >= 0 && record < records.count)) throw new RangeError(`order names record ${record} of ${records.count}`);
      const src = records.pixels.subarray(record * perImage, (record + 1) * perImage);
      const out = x.subarray(i * perImage, (i + 1) * perImage);
      if (options.augment === undefined) out.set(src);
      else augmentImage(src, records, options.augment.options, options.augment.random, out);
      y[i] = records.labels[record] as number;
      ids.push(records.ids[record] as string);
    }
    normalizeImages(x, channels, options.normalization);
    yield { x, y, shape: [size, height, width, channels], ids };
  }
}
