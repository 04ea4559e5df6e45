import type { SegmentationCaseHeader__Output } from '@tessera/proto/generated/tessera/jobs/v1/SegmentationCaseHeader';
import { fromGrpcError, TesseraClientError } from './client-error.ts';

/**
 * `dataset`, `sha256`, `case` (`id`, `split`, `shape` [depth, height, width], `spacing` in mm, `foregroundVoxels`,
 * and `scored`/`dice`/`iou` from a prediction's summary), `units` (`HU` | `grey`), `modality`, `classNames`, and
 * which masks follow (`hasMask`, `hasPrediction`).
 */
export type SegmentationCaseHeader = SegmentationCaseHeader__Output;

/** One case of a segmentation data set as ReadSegmentationCase sends it; volumes are depth x height x width, width fastest. */
export interface SegmentationCaseVolumes {
  header: SegmentationCaseHeader;
  /** Source units (Hounsfield for CT). */
  image: Float32Array;
  /** Labels, 0 background; undefined for an unlabeled case. */
  mask: Uint8Array | undefined;
  /** The prediction job's labels for this case; undefined without a job or when it wrote no mask for the case. */
  prediction: Uint8Array | undefined;
}

/**
 * Joins a ReadSegmentationCase stream (header, then the image, mask and prediction bytes) into typed volumes, checking
 * that the bytes are exactly what the header promises. Holds the case twice at its peak (chunks, then the copies):
 * about 12 bytes a voxel for a labeled, predicted case.
 */
export async function collectSegmentationCase(call: AsyncIterable<unknown>): Promise<SegmentationCaseVolumes> {
  let header: SegmentationCaseHeader | undefined;
  const chunks: Buffer[] = [];
  try {
    for await (const message of call as AsyncIterable<{ header?: SegmentationCaseHeader | null; data?: Buffer; part?: string }>) {
      if (message.part === 'header' && message.header) header = message.header;
      else if (message.data) chunks.push(message.data);
    }
  } catch (err) {
    throw fromGrpcError(err);
  }
  const shape = header?.case?.shape ?? [];
  if (!header || shape.length !== 3) throw new TesseraClientError('DataLoss', 'the coordinator sent a segmentation case without its header');
  const bytes = Buffer.concat(chunks);
  const voxels = shape.reduce((a, b) => a * b, 1);
  const expected = voxels * 4 + (header.hasMask ? voxels : 0) + (header.hasPrediction ? voxels : 0);
  if (bytes.length !== expected) {
    throw new TesseraClientError('DataLoss', `case ${header.case?.id ?? ''}: expected ${expected} bytes for shape [${shape.join(', ')}], got ${bytes.length}`);
  }
  const image = new Float32Array(voxels);
  new Uint8Array(image.buffer).set(bytes.subarray(0, voxels * 4));
  let at = voxels * 4;
  const take = (present: boolean): Uint8Array | undefined => {
    if (!present) return undefined;
    const part = new Uint8Array(bytes.subarray(at, at + voxels));
    at += voxels;
    return part;
  };
  const mask = take(header.hasMask);
  const prediction = take(header.hasPrediction);
  return { header, image, mask, prediction };
}
