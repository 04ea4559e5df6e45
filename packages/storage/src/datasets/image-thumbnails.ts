import { decodeImageShard, imageBytes } from '@tessera/core/data/image-shard-format';
import sharp from 'sharp';
import type { ObjectStore } from '../object-store.ts';
import { readDatasetFile } from './dataset-objects.ts';
import type { ImageFolderManifest } from './image-folder-manifest.ts';

/** Longest side of a thumbnail, in pixels: big enough to tell a cat from a dog, small enough for a data: URL. */
export const THUMBNAIL_MAX_SIDE = 96;

export interface ImageThumbnail {
  readonly className: string;
  /** The image's path in the source folder (`train/cats/cat.1.jpg`). */
  readonly id: string;
  readonly png: Buffer;
}

/**
 * Up to `perClass` PNG thumbnails of each class (at most {@link THUMBNAIL_MAX_SIDE} px on a side, stored images are
 * never enlarged), in class order. Reads shards in manifest order (each checked against its sha256) and stops once
 * every class has its share or the shards run out: shards mix the classes, so one shard is usually enough.
 */
export async function imageThumbnailsFromShards(store: ObjectStore, manifest: ImageFolderManifest, perClass: number): Promise<ImageThumbnail[]> {
  const { classNames, height, width, channels } = manifest.images;
  const picked: { label: number; id: string; pixels: Uint8Array }[][] = classNames.map(() => []);
  const size = imageBytes(height, width, channels);
  const full = (): boolean => picked.every((own) => own.length >= perClass);
  for (const shard of manifest.shards) {
    if (perClass <= 0 || full()) break;
    const records = decodeImageShard(await readDatasetFile(store, manifest, shard.fileName), shard.key);
    for (let i = 0; i < records.count; i += 1) {
      const label = records.labels[i] ?? -1;
      const own = picked[label];
      if (!own || own.length >= perClass) continue;
      own.push({ label, id: records.ids[i] ?? '', pixels: records.pixels.subarray(i * size, (i + 1) * size) });
    }
  }
  const scale = Math.min(1, THUMBNAIL_MAX_SIDE / Math.max(height, width));
  const target = { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
  return Promise.all(
    picked.flat().map(async ({ label, id, pixels }) => ({
      className: classNames[label] ?? String(label),
      id,
      png: await sharp(pixels, { raw: { width, height, channels: channels as 3 } }).resize(target.width, target.height, { fit: 'fill' }).png().toBuffer(),
    })),
  );
}
