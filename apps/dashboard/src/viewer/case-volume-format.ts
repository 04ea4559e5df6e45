import type { VolumeShape } from './slice-render.ts';

/**
 * How one segmentation case travels from the dashboard's route handler to the browser's viewer: one binary body, so a
 * 30 MB CT costs no JSON parsing and lands in typed arrays with one copy.
 *
 *   magic "TCV1" | header length u32 LE | header (UTF-8 JSON, {@link CaseVolumeHeader}) | zero padding to 4 bytes |
 *   image (float32 LE, depth x height x width, width fastest) | true mask (uint8, if hasMask) |
 *   predicted mask (uint8, if hasPrediction)
 */

const MAGIC = 'TCV1';

export interface CaseVolumeHeader {
  dataset: string;
  sha256: string;
  id: string;
  split: string;
  shape: VolumeShape;
  /** mm along depth, height, width. */
  spacing: readonly [number, number, number];
  /** `HU` (CT) | `grey` */
  units: string;
  modality: string;
  classNames: readonly string[];
  hasMask: boolean;
  hasPrediction: boolean;
  /** Dice and IoU of the prediction on this case, when its summary scored it. */
  scored: boolean;
  dice: number;
  iou: number;
}

export interface CaseVolume {
  header: CaseVolumeHeader;
  image: Float32Array;
  mask: Uint8Array | undefined;
  prediction: Uint8Array | undefined;
}

/** Packs a case into the body above (one copy of its voxels). */
export function encodeCaseVolume(volume: CaseVolume): Uint8Array<ArrayBuffer> {
  const header = new TextEncoder().encode(JSON.stringify(volume.header));
  const start = Math.ceil((8 + header.length) / 4) * 4;
  const voxels = volume.image.length;
  const total = start + voxels * 4 + (volume.mask ? voxels : 0) + (volume.prediction ? voxels : 0);
  const out = new Uint8Array(total);
  out.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(out.buffer).setUint32(4, header.length, true);
  out.set(header, 8);
  out.set(new Uint8Array(volume.image.buffer, volume.image.byteOffset, volume.image.byteLength), start);
  let at = start + voxels * 4;
  for (const mask of [volume.mask, volume.prediction]) {
    if (!mask) continue;
    out.set(mask, at);
    at += voxels;
  }
  return out;
}

/** Reads a body written by {@link encodeCaseVolume}; the image is a view into `bytes` (whose buffer must start it aligned). */
export function decodeCaseVolume(bytes: ArrayBuffer): CaseVolume {
  const view = new DataView(bytes);
  const fail = (reason: string): never => {
    throw new Error(`not a case volume: ${reason}`);
  };
  if (bytes.byteLength < 8 || new TextDecoder().decode(new Uint8Array(bytes, 0, 4)) !== MAGIC) fail(`expected it to start with ${MAGIC}`);
  const headerLength = view.getUint32(4, true);
  if (8 + headerLength > bytes.byteLength) fail('the header runs past the end');
  const header = JSON.parse(new TextDecoder().decode(new Uint8Array(bytes, 8, headerLength))) as CaseVolumeHeader;
  const voxels = header.shape.reduce((a, b) => a * b, 1);
  const start = Math.ceil((8 + headerLength) / 4) * 4;
  const expected = start + voxels * 4 + (header.hasMask ? voxels : 0) + (header.hasPrediction ? voxels : 0);
  if (bytes.byteLength !== expected) fail(`shape [${header.shape.join(', ')}] needs ${expected} bytes, got ${bytes.byteLength}`);
  const image = new Float32Array(bytes, start, voxels);
  let at = start + voxels * 4;
  const take = (present: boolean): Uint8Array | undefined => {
    if (!present) return undefined;
    const part = new Uint8Array(bytes, at, voxels);
    at += voxels;
    return part;
  };
  const mask = take(header.hasMask);
  return { header, image, mask, prediction: take(header.hasPrediction) };
}
