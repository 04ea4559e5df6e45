/**
 * The packed image shard: many equally sized RGB uint8 images in one object, so a worker reads hundreds of images in
 * one object-store request instead of one request per JPEG (the WebDataset idea). Written once at ingestion
 * (`@tessera/storage/datasets/image-folder-ingest`), read by every worker each job.
 *
 * Layout, all integers little-endian:
 *
 *   header (48 bytes)   magic "TSIS", format u32, count u32, height u32, width u32, channels u32,
 *                       recordsOffset u32, idsOffset u32, idsLength u32, pixelsOffset u32, reserved u64
 *   records (count x 24) label u32, split u8, channels u8, reserved u16, height u32, width u32,
 *                       idOffset u32 (into ids), idLength u32
 *   ids                 UTF-8 ids (the image's path inside the data set, `train/cats/cat.1.jpg`), concatenated
 *   pixels              at an 8-byte boundary: count x height x width x channels uint8, NHWC, row-major
 *
 * The pixel block is a ready NHWC tensor, so decoding is a view, not a copy.
 */

export const IMAGE_SHARD_MAGIC = 'TSIS';
export const IMAGE_SHARD_FORMAT = 1;
const HEADER_BYTES = 48;
const RECORD_BYTES = 24;

/**
 * The splits a data set may hold, in the order their codes are stored (append only: the code is the index). `test`
 * holds unlabeled images to predict (Kaggle's `test1/`), each with label {@link UNLABELED}.
 */
export const IMAGE_SPLITS = ['train', 'valid', 'test'] as const;
export type ImageSplit = (typeof IMAGE_SPLITS)[number];

/** The label of an image with no class (stored as u32 0xFFFFFFFF, read back as -1). */
export const UNLABELED = -1;

export interface ImageShardRecord {
  /** Index into the data set's class names, or {@link UNLABELED}. */
  readonly label: number;
  readonly split: ImageSplit;
  /** Path of the source image inside the data set, `/`-separated: `train/cats/cat.1.jpg`. */
  readonly id: string;
}

/** A decoded shard (or several concatenated): labels and ids per image and one NHWC uint8 pixel block. */
export interface ImageRecords {
  readonly count: number;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  readonly labels: Int32Array;
  readonly splits: readonly ImageSplit[];
  readonly ids: readonly string[];
  /** count x height x width x channels, NHWC. */
  readonly pixels: Uint8Array;
}

/** A shard whose bytes do not follow the layout above; `reason` names the field at fault. */
export class ImageShardFormatError extends Error {
  override readonly name = 'ImageShardFormatError';
  readonly kind = 'InvalidImageShard';
  constructor(
    readonly shard: string,
    readonly reason: string,
  ) {
    super(`invalid image shard '${shard}': ${reason}`);
  }
}

/** Bytes of one image of the given size. */
export function imageBytes(height: number, width: number, channels: number): number {
  return height * width * channels;
}

/**
 * Packs `records` and their pixels (each exactly height x width x channels bytes, in record order) into shard bytes.
 * Costs one copy of the pixels; callers bound memory by bounding images per shard.
 */
export function encodeImageShard(
  size: { readonly height: number; readonly width: number; readonly channels: number },
  records: readonly ImageShardRecord[],
  pixels: readonly Uint8Array[],
): Uint8Array {
  const { height, width, channels } = size;
  const perImage = imageBytes(height, width, channels);
  if (pixels.length !== records.length) throw new RangeError(`${records.length} records but ${pixels.length} images`);
  const encoder = new TextEncoder();
  const ids = records.map((record) => encoder.encode(record.id));
  const idsLength = ids.reduce((sum, id) => sum + id.byteLength, 0);
  const recordsOffset = HEADER_BYTES;
  const idsOffset = recordsOffset + records.length * RECORD_BYTES;
  const pixelsOffset = Math.ceil((idsOffset + idsLength) / 8) * 8;
  const total = pixelsOffset + records.length * perImage;
  const bytes = new Uint8Array(total);
  const view = new DataView(bytes.buffer);
  bytes.set(encoder.encode(IMAGE_SHARD_MAGIC), 0);
  const header = [IMAGE_SHARD_FORMAT, records.length, height, width, channels, recordsOffset, idsOffset, idsLength, pixelsOffset];
  header.forEach((value, index) => view.setUint32(4 + index * 4, value, true));
  let idCursor = 0;
  for (const [index, record] of records.entries()) {
    const at = recordsOffset + index * RECORD_BYTES;
    const id = ids[index] as Uint8Array;
    const image = pixels[index] as Uint8Array;
    if (image.byteLength !== perImage) {
      throw new RangeError(`image '${record.id}' has ${image.byteLength} bytes, expected ${perImage}`);
    }
    view.setUint32(at, record.label === UNLABELED ? 0xffffffff : record.label, true);
    view.setUint8(at + 4, IMAGE_SPLITS.indexOf(record.split));
    view.setUint8(at + 5, channels);
    view.setUint32(at + 8, height, true);
    view.setUint32(at + 12, width, true);
    view.setUint32(at + 16, idCursor, true);
    view.setUint32(at + 20, id.byteLength, true);
    bytes.set(id, idsOffset + idCursor);
    bytes.set(image, pixelsOffset + index * perImage);
    idCursor += id.byteLength;
  }
  return bytes;
}

/**
 * Reads shard bytes back into records. The pixel block is a view into `bytes` (no copy); `shard` names the shard in
 * errors. Throws {@link ImageShardFormatError} on any inconsistency, so a damaged shard never yields wrong pixels.
 */
export function decodeImageShard(bytes: Uint8Array, shard: string): ImageRecords {
  const fail = (reason: string): never => {
    throw new ImageShardFormatError(shard, reason);
  };
  if (bytes.byteLength < HEADER_BYTES) fail(`${bytes.byteLength} bytes is shorter than the ${HEADER_BYTES}-byte header`);
  const decoder = new TextDecoder('utf-8', { fatal: true });
  if (decoder.decode(bytes.subarray(0, 4)) !== IMAGE_SHARD_MAGIC) fail(`magic is not '${IMAGE_SHARD_MAGIC}'`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u32 = (offset: number): number => view.getUint32(offset, true);
  const format = u32(4);
  if (format !== IMAGE_SHARD_FORMAT) fail(`format is ${format}, expected ${IMAGE_SHARD_FORMAT}`);
  const [count, height, width, channels, recordsOffset, idsOffset, idsLength, pixelsOffset] = [8, 12, 16, 20, 24, 28, 32, 36].map(u32) as [
    number, number, number, number, number, number, number, number,
  ];
  const perImage = imageBytes(height, width, channels);
  if (recordsOffset !== HEADER_BYTES || idsOffset !== recordsOffset + count * RECORD_BYTES) fail('record table offsets are inconsistent');
  if (pixelsOffset < idsOffset + idsLength) fail('pixel block overlaps the ids');
  if (bytes.byteLength !== pixelsOffset + count * perImage) {
    fail(`${bytes.byteLength} bytes, expected ${pixelsOffset + count * perImage} for ${count} images of ${height}x${width}x${channels}`);
  }
  const labels = new Int32Array(count);
  const splits: ImageSplit[] = [];
  const ids: string[] = [];
  for (let index = 0; index < count; index += 1) {
    const at = recordsOffset + index * RECORD_BYTES;
    // Int32Array storage turns 0xFFFFFFFF back into UNLABELED (-1).
    labels[index] = u32(at);
    const split = IMAGE_SPLITS[view.getUint8(at + 4)];
    if (split === undefined) fail(`record ${index} has split code ${view.getUint8(at + 4)}`);
    splits.push(split as ImageSplit);
    if (view.getUint8(at + 5) !== channels || u32(at + 8) !== height || u32(at + 12) !== width) {
      fail(`record ${index} is not ${height}x${width}x${channels} like the shard`);
    }
    const idOffset = u32(at + 16);
    const idLength = u32(at + 20);
    if (idOffset + idLength > idsLength) fail(`record ${index}'s id runs past the id table`);
    try {
      ids.push(decoder.decode(bytes.subarray(idsOffset + idOffset, idsOffset + idOffset + idLength)));
    } catch {
      fail(`record ${index}'s id is not UTF-8`);
    }
  }
  const pixels = bytes.subarray(pixelsOffset, pixelsOffset + count * perImage);
  return { count, height, width, channels, labels, splits, ids, pixels };
}
