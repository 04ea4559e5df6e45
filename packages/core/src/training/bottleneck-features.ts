import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { ImageNormalization } from '../data/image-augment.ts';
import type { ImageRecords, ImageSplit } from '../data/image-shard-format.ts';
import { imageBatches } from '../data/image-shard-reader.ts';
import { maskedForward } from './masked-forward.ts';

/**
 * Bottleneck features: the frozen base's output for each image of a rank's share, in the share's stored order
 * (Chollet's `predict_generator` over the base, saved once). Training a top on them costs a dense layer per step
 * instead of the whole base, at the price of no augmentation.
 */
export interface BottleneckFeatures {
  readonly count: number;
  /** Shape of one image's features (VGG16 at 64x64: [2, 2, 512]). */
  readonly shape: readonly number[];
  /** count x product(shape), row-major. */
  readonly values: Float32Array;
}

/**
 * Where a trainer gets its features: the worker's store-backed cache (`jobs/<id>/features/...`) returns them if an
 * earlier run wrote them, else calls `compute` and keeps the result. Without one, features live in memory only.
 */
export type BottleneckFeatureCache = (split: ImageSplit, compute: () => Promise<BottleneckFeatures>) => Promise<BottleneckFeatures>;

// Images per forward pass: bounds memory at 224x224 (64 x 224 x 224 x 64 float32 activations = 822 MB at block 1).
const featureChunk = 16;

/**
 * Runs `records` (normalised, not augmented) through `model.layers[0, baseEnd)` in chunks; inference only.
 * `onFirstForward` is given the first chunk's pass before it runs (as PredictImagesOptions' is: where a webgpu
 * worker compiles the base's shaders ahead).
 */
export async function computeBottleneckFeatures(
  model: tfl.LayersModel,
  baseEnd: number,
  records: ImageRecords,
  normalization: ImageNormalization,
  onFirstForward?: (forward: () => tf.TensorContainer) => Promise<void>,
): Promise<BottleneckFeatures> {
  const last = model.layers[baseEnd - 1];
  if (last === undefined) throw new RangeError(`no base layers before layer ${baseEnd}`);
  const shape = (last.outputShape as (number | null)[]).slice(1);
  if (shape.some((d) => typeof d !== 'number')) throw new Error(`base output ${last.name} has no fixed shape`);
  const width = (shape as number[]).reduce((a, b) => a * b, 1);
  const values = new Float32Array(records.count * width);
  let at = 0;
  if (records.count > 0) {
    for (const batch of imageBatches(records, { batchSize: featureChunk, normalization })) {
      const forward = (): tf.Tensor => tf.tidy(() => maskedForward(model, tf.tensor4d(batch.x, batch.shape as [number, number, number, number]), null, { to: baseEnd }));
      if (at === 0) await onFirstForward?.(forward);
      const out = forward();
      values.set(await out.data(), at * width);
      out.dispose();
      at += batch.y.length;
    }
  }
  return { count: records.count, shape: shape as number[], values };
}

/** Rows `rows` of `features` as one batch tensor's data, `[rows.length, ...shape]`. */
export function gatherFeatureRows(features: BottleneckFeatures, rows: ArrayLike<number>): Float32Array {
  const width = features.values.length / Math.max(1, features.count);
  const out = new Float32Array(rows.length * width);
  for (let i = 0; i < rows.length; i += 1) {
    const row = rows[i] as number;
    if (!(row >= 0 && row < features.count)) throw new RangeError(`feature row ${row} of ${features.count}`);
    out.set(features.values.subarray(row * width, (row + 1) * width), i * width);
  }
  return out;
}

const magic = 'TSBF';

/**
 * Features as one object: "TSBF", u32 LE header length, JSON header `{ count, shape }`, padding to 4 bytes, then
 * float32 LE values. Little-endian on every platform Node runs on, so the values are written as they lie in memory.
 */
export function encodeBottleneckFeatures(features: BottleneckFeatures): Uint8Array {
  const header = new TextEncoder().encode(JSON.stringify({ count: features.count, shape: features.shape }));
  const valuesOffset = Math.ceil((8 + header.length) / 4) * 4;
  const out = new Uint8Array(valuesOffset + features.values.byteLength);
  out.set(new TextEncoder().encode(magic), 0);
  new DataView(out.buffer).setUint32(4, header.length, true);
  out.set(header, 8);
  out.set(new Uint8Array(features.values.buffer, features.values.byteOffset, features.values.byteLength), valuesOffset);
  return out;
}

/** Reads {@link encodeBottleneckFeatures}' bytes back; throws naming `source` when they are not features. */
export function decodeBottleneckFeatures(bytes: Uint8Array, source: string): BottleneckFeatures {
  if (bytes.length < 8 || new TextDecoder().decode(bytes.subarray(0, 4)) !== magic) throw new Error(`${source} is not a bottleneck feature object (bad magic)`);
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(4, true);
  let header: { count?: unknown; shape?: unknown };
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength))) as typeof header;
  } catch (cause) {
    throw new Error(`${source}: bottleneck feature header is not JSON`, { cause });
  }
  const { count, shape } = header;
  if (typeof count !== 'number' || !Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && (d as number) > 0)) {
    throw new Error(`${source}: bottleneck feature header lacks count or shape`);
  }
  const valuesOffset = Math.ceil((8 + headerLength) / 4) * 4;
  const width = (shape as number[]).reduce((a, b) => a * b, 1);
  if (bytes.length - valuesOffset !== count * width * 4) {
    throw new Error(`${source}: holds ${bytes.length - valuesOffset} bytes of values, expected ${count} x ${width} float32`);
  }
  // A copy (new Uint8Array of a view copies; Buffer#slice would not): store Buffers may be unaligned pool views.
  const values = new Float32Array(new Uint8Array(bytes.subarray(valuesOffset)).buffer);
  return { count, shape: shape as number[], values };
}
