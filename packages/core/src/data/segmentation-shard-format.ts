/**
 * The packed segmentation shard: image/mask samples (2D slices or 3D volumes) in one object, written once at
 * ingestion (`@tessera/storage/datasets/segmentation-ingest`) and read by every worker each job, as image shards are
 * for classification. Unlike image shards, samples may differ in size (volumes do), so each record carries its shape
 * and the offsets of its voxels.
 *
 * Layout, all integers little-endian:
 *
 *   header (32 bytes)   magic "TSSG", format u32, count u32, recordsOffset u32, idsOffset u32, idsLength u32,
 *                       dataOffset u32, reserved u32
 *   records (count x 48) split u8, hasMask u8, reserved u16, depth u32, height u32, width u32,
 *                       spacing f32 x 3 (mm along depth, height, width), idOffset u32, idLength u32,
 *                       imageOffset u32, maskOffset u32 (both relative to dataOffset; maskOffset 0xFFFFFFFF: none)
 *   ids                 UTF-8 sample ids (`MCUCXR_0001_0`, `case-007`), concatenated
 *   data                at an 8-byte boundary: per sample its image (depth x height x width float32, row-major,
 *                       width fastest) at a 4-byte boundary, then its mask (the same count of uint8 labels) if any
 *
 * Image voxels are in the source's units (Hounsfield units for CT, grey levels otherwise): intensity windowing is a
 * job's preprocessing step, not the data set's, so one ingest serves lung and mediastinum windows alike. Decoding
 * returns views into the shard's bytes when they are 4-byte aligned, copies otherwise.
 */

export const SEGMENTATION_SHARD_MAGIC = 'TSSG';
export const SEGMENTATION_SHARD_FORMAT = 1;
const HEADER_BYTES = 32;
const RECORD_BYTES = 48;
const NO_MASK = 0xffffffff;

/** The splits a segmentation data set may hold, in the order their codes are stored; `test` samples have no mask. */
export const SEGMENTATION_SPLITS = ['train', 'valid', 'test'] as const;
export type SegmentationSplit = (typeof SEGMENTATION_SPLITS)[number];

/** Depth, height, width in voxels; a 2D slice has depth 1. */
export type VolumeShape = readonly [depth: number, height: number, width: number];
/** Millimetres between voxel centres along depth, height, width (1 where the source does not say). */
export type VoxelSpacing = readonly [depth: number, height: number, width: number];

/** One image with its mask: a 2D slice (depth 1) or a 3D volume, row-major with width fastest. */
export interface SegmentationSample {
  /** Unique within the data set: the case's name (`MCUCXR_0001_0`), never a patient identifier. */
  readonly id: string;
  readonly split: SegmentationSplit;
  readonly shape: VolumeShape;
  readonly spacing: VoxelSpacing;
  /** depth x height x width intensities in source units. */
  readonly image: Float32Array;
  /** depth x height x width labels (0 background, 1.. the manifest's classes); undefined for unlabeled samples. */
  readonly mask: Uint8Array | undefined;
}

/** A shard whose bytes do not follow the layout above; `reason` names the field at fault. */
export class SegmentationShardFormatError extends Error {
  override readonly name = 'SegmentationShardFormatError';
  readonly kind = 'InvalidSegmentationShard';
  constructor(
    readonly shard: string,
    readonly reason: string,
  ) {
    super(`invalid segmentation shard '${shard}': ${reason}`);
  }
}

/** Voxels of one sample. */
export function voxelCount(shape: VolumeShape): number {
  return shape[0] * shape[1] * shape[2];
}

const align = (offset: number, to: number): number => Math.ceil(offset / to) * to;

/** Packs samples into shard bytes (one copy of their voxels); callers bound memory by bounding samples per shard. */
export function encodeSegmentationShard(samples: readonly SegmentationSample[]): Uint8Array {
  const encoder = new TextEncoder();
  const ids = samples.map((sample) => encoder.encode(sample.id));
  const idsLength = ids.reduce((sum, id) => sum + id.length, 0);
  const recordsOffset = HEADER_BYTES;
  const idsOffset = recordsOffset + samples.length * RECORD_BYTES;
  const dataOffset = align(idsOffset + idsLength, 8);
  const placements: Array<{ image: number; mask: number }> = [];
  let cursor = 0;
  for (const [index, sample] of samples.entries()) {
    const voxels = voxelCount(sample.shape);
    if (!sample.shape.every((side) => Number.isSafeInteger(side) && side >= 1)) {
      throw new RangeError(`sample ${index} ('${sample.id}'): shape [${sample.shape.join(', ')}] is not three positive integers`);
    }
    if (sample.image.length !== voxels) {
      throw new RangeError(`sample ${index} ('${sample.id}'): image holds ${sample.image.length} voxels, its shape [${sample.shape.join(', ')}] ${voxels}`);
    }
    if (sample.mask !== undefined && sample.mask.length !== voxels) {
      throw new RangeError(`sample ${index} ('${sample.id}'): mask holds ${sample.mask.length} voxels, its shape [${sample.shape.join(', ')}] ${voxels}`);
    }
    if ((sample.mask === undefined) !== (sample.split === 'test')) {
      throw new RangeError(`sample ${index} ('${sample.id}'): ${sample.split} samples ${sample.split === 'test' ? 'have no' : 'need a'} mask`);
    }
    cursor = align(cursor, 4);
    const image = cursor;
    cursor += voxels * 4;
    const mask = sample.mask === undefined ? NO_MASK : cursor;
    if (sample.mask !== undefined) cursor += voxels;
    placements.push({ image, mask });
  }
  const total = dataOffset + cursor;
  if (total > 0xfffffff0) throw new RangeError(`a segmentation shard holds at most 4 GiB; these samples need ${total} bytes`);
  const bytes = new Uint8Array(total);
  const view = new DataView(bytes.buffer);
  bytes.set(encoder.encode(SEGMENTATION_SHARD_MAGIC), 0);
  view.setUint32(4, SEGMENTATION_SHARD_FORMAT, true);
  view.setUint32(8, samples.length, true);
  view.setUint32(12, recordsOffset, true);
  view.setUint32(16, idsOffset, true);
  view.setUint32(20, idsLength, true);
  view.setUint32(24, dataOffset, true);
  let idCursor = 0;
  for (const [index, sample] of samples.entries()) {
    const at = recordsOffset + index * RECORD_BYTES;
    const id = ids[index] as Uint8Array;
    const place = placements[index] as { image: number; mask: number };
    view.setUint8(at, SEGMENTATION_SPLITS.indexOf(sample.split));
    view.setUint8(at + 1, sample.mask === undefined ? 0 : 1);
    sample.shape.forEach((side, axis) => view.setUint32(at + 4 + axis * 4, side, true));
    sample.spacing.forEach((mm, axis) => view.setFloat32(at + 16 + axis * 4, mm, true));
    view.setUint32(at + 28, idCursor, true);
    view.setUint32(at + 32, id.length, true);
    view.setUint32(at + 36, place.image, true);
    view.setUint32(at + 40, place.mask, true);
    bytes.set(id, idsOffset + idCursor);
    idCursor += id.length;
    bytes.set(new Uint8Array(sample.image.buffer, sample.image.byteOffset, sample.image.byteLength), dataOffset + place.image);
    if (sample.mask !== undefined) bytes.set(sample.mask, dataOffset + place.mask);
  }
  return bytes;
}

/** Reads shard bytes back into samples; throws {@link SegmentationShardFormatError} naming the field at fault. */
export function decodeSegmentationShard(bytes: Uint8Array, shard = 'shard'): SegmentationSample[] {
  const fail = (reason: string): never => {
    throw new SegmentationShardFormatError(shard, reason);
  };
  if (bytes.length < HEADER_BYTES) fail(`${bytes.length} bytes is shorter than the ${HEADER_BYTES}-byte header`);
  const magic = new TextDecoder().decode(bytes.subarray(0, 4));
  if (magic !== SEGMENTATION_SHARD_MAGIC) fail(`magic is '${magic}', expected '${SEGMENTATION_SHARD_MAGIC}'`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const format = view.getUint32(4, true);
  if (format !== SEGMENTATION_SHARD_FORMAT) fail(`format ${format} is not supported (expected ${SEGMENTATION_SHARD_FORMAT})`);
  const count = view.getUint32(8, true);
  const recordsOffset = view.getUint32(12, true);
  const idsOffset = view.getUint32(16, true);
  const idsLength = view.getUint32(20, true);
  const dataOffset = view.getUint32(24, true);
  if (recordsOffset + count * RECORD_BYTES > bytes.length) fail(`${count} records do not fit in ${bytes.length} bytes`);
  if (idsOffset + idsLength > bytes.length) fail('ids run past the end');
  if (dataOffset > bytes.length) fail('dataOffset is past the end');
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const samples: SegmentationSample[] = [];
  for (let index = 0; index < count; index++) {
    const at = recordsOffset + index * RECORD_BYTES;
    const split = SEGMENTATION_SPLITS[view.getUint8(at)] ?? fail(`record ${index}: split code ${view.getUint8(at)} is unknown`);
    const shape = [view.getUint32(at + 4, true), view.getUint32(at + 8, true), view.getUint32(at + 12, true)] as const;
    if (shape.some((side) => side < 1)) fail(`record ${index}: shape [${shape.join(', ')}] has a zero side`);
    const spacing = [view.getFloat32(at + 16, true), view.getFloat32(at + 20, true), view.getFloat32(at + 24, true)] as const;
    const idOffset = view.getUint32(at + 28, true);
    const idLength = view.getUint32(at + 32, true);
    if (idOffset + idLength > idsLength) fail(`record ${index}: id runs past the ids block`);
    let id = '';
    try {
      id = decoder.decode(bytes.subarray(idsOffset + idOffset, idsOffset + idOffset + idLength));
    } catch {
      fail(`record ${index}: id is not UTF-8`);
    }
    const voxels = voxelCount(shape);
    const imageAt = dataOffset + view.getUint32(at + 36, true);
    if (imageAt % 4 !== 0 || imageAt + voxels * 4 > bytes.length) fail(`record ${index} ('${id}'): image runs past the end or is misaligned`);
    const hasMask = view.getUint8(at + 1) === 1;
    const maskRelative = view.getUint32(at + 40, true);
    if (hasMask === (maskRelative === NO_MASK)) fail(`record ${index} ('${id}'): hasMask and maskOffset disagree`);
    const maskAt = dataOffset + maskRelative;
    if (hasMask && maskAt + voxels > bytes.length) fail(`record ${index} ('${id}'): mask runs past the end`);
    const absolute = bytes.byteOffset + imageAt;
    const image = absolute % 4 === 0 ? new Float32Array(bytes.buffer, absolute, voxels) : new Float32Array(bytes.slice(imageAt, imageAt + voxels * 4).buffer);
    const mask = hasMask ? bytes.subarray(maskAt, maskAt + voxels) : undefined;
    samples.push({ id, split, shape, spacing, image, mask });
  }
  return samples;
}
