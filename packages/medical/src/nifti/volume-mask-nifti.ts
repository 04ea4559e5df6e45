import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { affineFromRows } from './nifti-affine.ts';
import { encodeNifti1 } from './nifti-writer.ts';

const gzipAsync = promisify(gzip);

/**
 * A predicted mask as `.nii.gz` bytes, for the object store: uint8 labels on a segmentation case's stored grid.
 * `shape` is the case's [depth, height, width] with width fastest, which is NIfTI's x-fastest order, so the file's
 * dims are [width, height, depth] with no copy; `affine` is the case's voxel (width, height, depth index) -> RAS
 * matrix, 16 numbers row-major, as the manifest keeps it (written as the sform, code 1, and the qform; stored as
 * float32 there). A 2D case becomes a one-slice volume. Gzip runs on libuv's thread pool.
 */
export async function encodeVolumeMaskNiftiGz(
  mask: Uint8Array,
  shape: readonly [depth: number, height: number, width: number],
  affine: readonly number[],
): Promise<Buffer> {
  if (affine.length !== 16) throw new RangeError(`a voxel-to-RAS affine is 16 numbers, got ${affine.length}`);
  const [depth, height, width] = shape;
  const rows = [0, 1, 2].map((row) => affine.slice(row * 4, row * 4 + 4));
  const bytes = encodeNifti1({ data: mask, shape: [width, height, depth], affine: affineFromRows(rows), description: 'tessera predicted mask' });
  return gzipAsync(bytes);
}
