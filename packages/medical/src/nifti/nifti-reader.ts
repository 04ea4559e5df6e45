import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { gunzip, gunzipSync } from 'node:zlib';
import { bestAffine, qformAffine, sformAffine } from './nifti-affine.ts';
import type { Affine, AffineSource } from './nifti-affine.ts';
import { NIFTI_DATATYPES, isSupportedDatatype, unsupportedDatatypeReason, voxelsToFloat32 } from './nifti-datatypes.ts';
import type { NiftiDatatypeName } from './nifti-datatypes.ts';
import { niftiError } from './nifti-errors.ts';
import { NIFTI1_HEADER_BYTES, NIFTI2_HEADER_BYTES, parseNiftiHeader } from './nifti-header.ts';
import type { NiftiHeader } from './nifti-header.ts';
import { applyCanonical, orientationCodes, planCanonical } from './nifti-orientation.ts';

const gunzipAsync = promisify(gunzip);

/** One header extension (nifti1.h: esize, ecode, then esize - 8 bytes of data). */
export interface NiftiExtension {
  readonly code: number;
  readonly data: Uint8Array;
}

/**
 * A NIfTI image as float32 voxels. `data` is in file order, x fastest: voxel (i, j, k, t) is at
 * i + nx * (j + ny * (k + nz * t)); for an image returned by `toCanonical`, i, j, k run towards R, A, S.
 */
export interface NiftiImage {
  readonly file: string;
  /** The header as stored in the file (it still describes the file's own orientation after `toCanonical`). */
  readonly header: NiftiHeader;
  readonly datatype: NiftiDatatypeName;
  /** dim[1..dim[0]]: nx, ny, nz, then nt and further dimensions when present. */
  readonly shape: readonly number[];
  /** pixdim[1..dim[0]], in the order of `shape`. */
  readonly pixdim: readonly number[];
  /** Stored values x scl_slope + scl_inter (no scaling when scl_slope is 0 or not finite, or for RGB data). */
  readonly data: Float32Array;
  /** Voxel -> RAS+ world affine (mm) of `data`'s grid; `affineSource` says which header fields gave it. */
  readonly affine: Affine;
  readonly affineSource: AffineSource;
  /** Orientation codes of `affine` ('LAS', 'RAS', ...). */
  readonly orientation: string;
  readonly extensions: readonly NiftiExtension[];
}

export function isGzip(bytes: Uint8Array): boolean {
  return bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Reads a `.nii` or `.nii.gz` file (gzip is recognised by its magic bytes, not the name). Decompression runs on
 * libuv's thread pool; conversion to float32 costs one pass and one float32 copy of the voxels.
 */
export async function readNifti(file: string): Promise<NiftiImage> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw niftiError({ kind: 'UnreadableFile', file, reason: error instanceof Error ? error.message : String(error) }, error);
  }
  if (isGzip(bytes)) {
    try {
      bytes = await gunzipAsync(bytes);
    } catch (error) {
      throw niftiError({ kind: 'GunzipFailed', file, reason: error instanceof Error ? error.message : String(error) }, error);
    }
  }
  return decodeNifti(bytes, file);
}

/** `readNifti` for bytes already in memory (gzip-compressed or not); `file` is only used in errors. */
export function decodeNiftiBytes(bytes: Uint8Array, file: string): NiftiImage {
  if (!isGzip(bytes)) return decodeNifti(bytes, file);
  let raw: Uint8Array;
  try {
    raw = gunzipSync(bytes);
  } catch (error) {
    throw niftiError({ kind: 'GunzipFailed', file, reason: error instanceof Error ? error.message : String(error) }, error);
  }
  return decodeNifti(raw, file);
}

function shapeOf(header: NiftiHeader, file: string): number[] {
  const rank = header.dim[0] ?? 0;
  if (!Number.isInteger(rank) || rank < 1 || rank > 7) throw niftiError({ kind: 'BadHeader', file, field: 'dim[0]', reason: `${rank}, expected 1 to 7 dimensions` });
  return header.dim.slice(1, rank + 1).map((size, i) => {
    if (!Number.isSafeInteger(size) || size < 1) throw niftiError({ kind: 'BadHeader', file, field: `dim[${i + 1}]`, reason: `${size}, expected a positive size` });
    return size;
  });
}

function extensionsOf(bytes: Uint8Array, header: NiftiHeader, start: number, end: number): NiftiExtension[] {
  if (!header.hasExtensions) return [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const found: NiftiExtension[] = [];
  // vox_offset is authoritative for where the data begin; a malformed extension list ends the list, it does not
  // move the data (nibabel does the same, with a warning).
  for (let at = start; at + 8 <= end; ) {
    const size = view.getInt32(at, header.littleEndian);
    const code = view.getInt32(at + 4, header.littleEndian);
    if (size < 16 || size % 16 !== 0 || at + size > end) break;
    found.push({ code, data: bytes.slice(at + 8, at + size) });
    at += size;
  }
  return found;
}

/** Parses decompressed NIfTI-1/NIfTI-2 single-file bytes. */
export function decodeNifti(bytes: Uint8Array, file: string): NiftiImage {
  const header = parseNiftiHeader(bytes, file);
  const shape = shapeOf(header, file);
  if (!isSupportedDatatype(header.datatype)) {
    throw niftiError({ kind: 'UnsupportedDatatype', file, field: 'datatype', datatype: header.datatype, reason: unsupportedDatatypeReason(header.datatype) });
  }
  const type = NIFTI_DATATYPES[header.datatype];
  if (header.bitpix !== type.bytes * 8) {
    throw niftiError({ kind: 'BadHeader', file, field: 'bitpix', reason: `${header.bitpix}, but datatype ${header.datatype} (${type.name}) has ${type.bytes * 8} bits per voxel` });
  }
  const headerEnd = (header.version === 1 ? NIFTI1_HEADER_BYTES : NIFTI2_HEADER_BYTES) + 4;
  const offset = header.voxOffset;
  if (!Number.isInteger(offset) || offset < headerEnd) {
    throw niftiError({ kind: 'BadHeader', file, field: 'vox_offset', reason: `${offset}, expected an integer of at least ${headerEnd} for a single-file image` });
  }
  const count = shape.reduce((product, size) => product * size, 1);
  const expectedBytes = offset + count * type.bytes;
  if (bytes.byteLength < expectedBytes) {
    throw niftiError({
      kind: 'TruncatedData',
      file,
      field: 'dim',
      expectedBytes,
      actualBytes: bytes.byteLength,
      reason: `dim [${shape.join(', ')}] x bitpix ${header.bitpix} from vox_offset ${offset} needs ${expectedBytes} bytes, the file has ${bytes.byteLength}`,
    });
  }
  const data = voxelsToFloat32(bytes, offset, count, header.datatype, header.littleEndian);
  const isColour = header.datatype === 128 || header.datatype === 2304;
  const slope = header.sclSlope;
  const inter = Number.isFinite(header.sclInter) ? header.sclInter : 0;
  if (!isColour && Number.isFinite(slope) && slope !== 0 && (slope !== 1 || inter !== 0)) {
    for (let i = 0; i < data.length; i += 1) data[i] = (data[i] ?? 0) * slope + inter;
  }
  const { affine, source } = bestAffine(header);
  return {
    file,
    header,
    datatype: type.name,
    shape,
    pixdim: header.pixdim.slice(1, shape.length + 1),
    data,
    affine,
    affineSource: source,
    orientation: orientationCodes(affine),
    extensions: extensionsOf(bytes, header, headerEnd, offset),
  };
}

/** The header's qform and sform affines with their codes, whichever `affine` was chosen from. */
export function headerAffines(header: NiftiHeader): { readonly qform: { code: number; affine: Affine }; readonly sform: { code: number; affine: Affine } } {
  return { qform: { code: header.qformCode, affine: qformAffine(header) }, sform: { code: header.sformCode, affine: sformAffine(header) } };
}

/**
 * The image resampled to the closest canonical (RAS+) orientation without interpolation, as nibabel's
 * `as_closest_canonical` does: axes permuted and flipped so i, j, k increase towards R, A, S, and the affine updated so
 * every voxel keeps its world position. Dimensions past the third (time) are kept. Returns `image` itself when it is
 * already RAS; otherwise costs one pass and one copy of the voxels.
 */
export function toCanonical(image: NiftiImage): NiftiImage {
  const plan = planCanonical(image.affine, image.shape);
  if (plan.identity) return image;
  const shape = [...plan.shape, ...image.shape.slice(3)];
  const pixdim = [...plan.from.map(({ axis }) => image.pixdim[axis] ?? 1), ...image.pixdim.slice(3)];
  return {
    ...image,
    shape: shape.slice(0, image.shape.length),
    pixdim: pixdim.slice(0, image.pixdim.length),
    data: applyCanonical(image.data, image.shape, plan),
    affine: plan.affine,
    orientation: orientationCodes(plan.affine),
  };
}
