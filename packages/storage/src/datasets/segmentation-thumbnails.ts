import { decodeSegmentationShard } from '@tessera/core/data/segmentation-shard-format';
import type { SegmentationSample } from '@tessera/core/data/segmentation-shard-format';
import sharp from 'sharp';
import type { ObjectStore } from '../object-store.ts';
import { readDatasetFile } from './dataset-objects.ts';
import type { ImageThumbnail } from './image-thumbnails.ts';
import { THUMBNAIL_MAX_SIDE } from './image-thumbnails.ts';
import type { SegmentationManifest } from './segmentation-manifest.ts';

/** Mask outline colour: red, visible on any grey level. */
const OUTLINE = [255, 48, 48] as const;

/** The 1st and 99th percentile of `values` (a sample of at most 4096), so a few bright or padded voxels do not wash out the slice. */
function displayRange(values: Float32Array): { low: number; high: number } {
  const step = Math.max(1, Math.floor(values.length / 4096));
  const sample: number[] = [];
  for (let at = 0; at < values.length; at += step) sample.push(values[at] ?? 0);
  sample.sort((a, b) => a - b);
  const low = sample[Math.floor(sample.length * 0.01)] ?? 0;
  const high = sample[Math.min(sample.length - 1, Math.floor(sample.length * 0.99))] ?? 1;
  return { low, high: high > low ? high : low + 1 };
}

/**
 * The middle slice of a sample as RGB: grey levels stretched between the 1st and 99th percentile, the mask's
 * boundary (mask voxels with a 4-neighbour outside it) drawn in red.
 */
export function outlinedSlice(sample: SegmentationSample): { rgb: Uint8Array; height: number; width: number } {
  const [depth, height, width] = sample.shape;
  const plane = height * width;
  const offset = Math.floor(depth / 2) * plane;
  const image = sample.image.subarray(offset, offset + plane);
  const mask = sample.mask?.subarray(offset, offset + plane);
  const { low, high } = displayRange(image);
  const rgb = new Uint8Array(plane * 3);
  const inside = (x: number, y: number): boolean => x >= 0 && y >= 0 && x < width && y < height && (mask?.[y * width + x] ?? 0) !== 0;
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const at = y * width + x;
      const grey = Math.round((255 * Math.min(high, Math.max(low, image[at] ?? 0)) - 255 * low) / (high - low));
      const edge = inside(x, y) && !(inside(x - 1, y) && inside(x + 1, y) && inside(x, y - 1) && inside(x, y + 1));
      rgb.set(edge ? OUTLINE : [grey, grey, grey], at * 3);
    }
  }
  return { rgb, height, width };
}

/**
 * Up to `count` PNG thumbnails (at most {@link THUMBNAIL_MAX_SIDE} px on a side, never enlarged) of a segmentation
 * data set's cases from its first packed shard: the middle slice of each with the mask outlined. `className` carries
 * the case's split. Costs one shard read (up to 64 MiB for volumes).
 */
export async function segmentationThumbnails(objects: ObjectStore, manifest: SegmentationManifest, count: number): Promise<ImageThumbnail[]> {
  const shard = manifest.shards[0];
  if (count <= 0 || shard === undefined) return [];
  const samples = decodeSegmentationShard(await readDatasetFile(objects, manifest, shard.fileName), shard.key).slice(0, count);
  return Promise.all(
    samples.map(async (sample) => {
      const { rgb, height, width } = outlinedSlice(sample);
      const scale = Math.min(1, THUMBNAIL_MAX_SIDE / Math.max(height, width));
      const png = await sharp(rgb, { raw: { width, height, channels: 3 } })
        .resize(Math.max(1, Math.round(width * scale)), Math.max(1, Math.round(height * scale)), { fit: 'fill' })
        .png()
        .toBuffer();
      return { className: sample.split, id: sample.id, png };
    }),
  );
}
