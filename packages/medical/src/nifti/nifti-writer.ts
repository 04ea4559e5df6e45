import { writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { quaternionFromAffine } from './nifti-affine.ts';
import type { Affine } from './nifti-affine.ts';
import { encodeNiftiHeader } from './nifti-header.ts';

const gzipAsync = promisify(gzip);

/** What prediction outputs write: a float32 volume (probabilities, intensities) or a uint8 mask on a known grid. */
export interface NiftiOutput {
  /** x fastest, as `NiftiImage.data`. */
  readonly data: Float32Array | Uint8Array;
  readonly shape: readonly number[];
  /** Voxel -> RAS+ affine, written as the sform and (rotation and voxel sizes only) as the qform. */
  readonly affine: Affine;
  /** Written to qform_code and sform_code; 1 (scanner) unless the source image says otherwise. */
  readonly qformCode?: number;
  readonly sformCode?: number;
  readonly description?: string;
}

const HEADER_AND_FLAG = 352;

/**
 * Encodes a NIfTI-1 single file (`n+1`, little-endian, vox_offset 352, no extensions, scl_slope 1): datatype float32
 * (16) for a Float32Array, uint8 (2) for a Uint8Array.
 */
export function encodeNifti1(output: NiftiOutput): Uint8Array {
  const count = output.shape.reduce((product, size) => product * size, 1);
  if (output.shape.length < 1 || output.shape.length > 7) throw new RangeError(`NIfTI shape has ${output.shape.length} dimensions, expected 1 to 7`);
  if (count !== output.data.length) throw new RangeError(`shape [${output.shape.join(', ')}] holds ${count} voxels, data has ${output.data.length}`);
  const isMask = output.data instanceof Uint8Array;
  const q = quaternionFromAffine(output.affine);
  const dim = [output.shape.length, ...output.shape, ...Array<number>(7 - output.shape.length).fill(1)];
  const pixdim = [...q.pixdim, ...Array<number>(4).fill(output.shape.length > 3 ? 1 : 0)];
  const header = encodeNiftiHeader({
    version: 1,
    littleEndian: true,
    dim,
    intentCode: 0,
    datatype: isMask ? 2 : 16,
    bitpix: isMask ? 8 : 32,
    pixdim,
    voxOffset: HEADER_AND_FLAG,
    sclSlope: 1,
    sclInter: 0,
    // NIFTI_UNITS_MM | NIFTI_UNITS_SEC
    xyztUnits: 2 | 8,
    description: output.description ?? 'tessera',
    qformCode: output.qformCode ?? 1,
    sformCode: output.sformCode ?? 1,
    quatern: q.quatern,
    qoffset: q.qoffset,
    srow: [output.affine[0], output.affine[1], output.affine[2]],
    hasExtensions: false,
  });
  const voxelBytes = new Uint8Array(output.data.buffer, output.data.byteOffset, output.data.byteLength);
  const bytes = new Uint8Array(HEADER_AND_FLAG + voxelBytes.byteLength);
  bytes.set(header, 0);
  // Float32Array bytes are in host order; every platform Node supports here is little-endian, which the header says.
  bytes.set(voxelBytes, HEADER_AND_FLAG);
  return bytes;
}

/** Writes `output` as a gzipped NIfTI-1 file (`.nii.gz`); compression runs on libuv's thread pool. */
export async function writeNiftiGz(file: string, output: NiftiOutput): Promise<void> {
  await writeFile(file, await gzipAsync(encodeNifti1(output)));
}
