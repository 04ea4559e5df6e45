import { niftiError } from './nifti-errors.ts';

type Vec4 = readonly [number, number, number, number];

/**
 * The header fields this package uses, as stored in the file (NIfTI-1 or NIfTI-2, either byte order). Field names
 * follow nifti1.h / nifti2.h in camelCase; arrays keep the standard's indexing (`dim[0]` is the number of dimensions,
 * `pixdim[0]` is qfac).
 */
export interface NiftiHeader {
  readonly version: 1 | 2;
  readonly littleEndian: boolean;
  readonly dim: readonly number[];
  readonly intentCode: number;
  readonly datatype: number;
  readonly bitpix: number;
  readonly pixdim: readonly number[];
  readonly voxOffset: number;
  readonly sclSlope: number;
  readonly sclInter: number;
  readonly xyztUnits: number;
  readonly description: string;
  readonly qformCode: number;
  readonly sformCode: number;
  /** quatern_b, quatern_c, quatern_d. */
  readonly quatern: readonly [number, number, number];
  /** qoffset_x, qoffset_y, qoffset_z. */
  readonly qoffset: readonly [number, number, number];
  /** srow_x, srow_y, srow_z. */
  readonly srow: readonly [Vec4, Vec4, Vec4];
  readonly magic: string;
  /** Byte 0 of the 4 bytes after the header: non-zero when header extensions may follow. */
  readonly hasExtensions: boolean;
}

/** Header size without the 4-byte extension flag, and the smallest vox_offset of a single-file image. */
export const NIFTI1_HEADER_BYTES = 348;
export const NIFTI2_HEADER_BYTES = 540;

interface Layout {
  readonly size: number;
  readonly magic: number;
  readonly magicLength: number;
  readonly singleFileMagic: string;
  readonly pairMagic: string;
  readonly int: 'i16' | 'i64';
  readonly float: 'f32' | 'f64';
  readonly at: Readonly<Record<HeaderField, number>>;
}

type HeaderField =
  | 'dim'
  | 'intentCode'
  | 'datatype'
  | 'bitpix'
  | 'pixdim'
  | 'voxOffset'
  | 'sclSlope'
  | 'sclInter'
  | 'xyztUnits'
  | 'description'
  | 'qformCode'
  | 'sformCode'
  | 'quatern'
  | 'srow';

// Byte offsets from nifti1.h and nifti2.h.
const NIFTI1: Layout = {
  size: NIFTI1_HEADER_BYTES,
  magic: 344,
  magicLength: 4,
  singleFileMagic: 'n+1',
  pairMagic: 'ni1',
  int: 'i16',
  float: 'f32',
  at: { dim: 40, intentCode: 68, datatype: 70, bitpix: 72, pixdim: 76, voxOffset: 108, sclSlope: 112, sclInter: 116, xyztUnits: 123, description: 148, qformCode: 252, sformCode: 254, quatern: 256, srow: 280 },
};
const NIFTI2: Layout = {
  size: NIFTI2_HEADER_BYTES,
  magic: 4,
  magicLength: 8,
  singleFileMagic: 'n+2',
  pairMagic: 'ni2',
  int: 'i64',
  float: 'f64',
  at: { dim: 16, intentCode: 504, datatype: 12, bitpix: 14, pixdim: 104, voxOffset: 168, sclSlope: 176, sclInter: 184, xyztUnits: 500, description: 240, qformCode: 344, sformCode: 348, quatern: 352, srow: 400 },
};
// NIfTI-2's magic continues after "n+2\0" with these bytes, which catch line-ending and 7-bit transfer damage.
const NIFTI2_MAGIC_TAIL = [0x0d, 0x0a, 0x1a, 0x0a] as const;

class FieldReader {
  constructor(
    private readonly view: DataView,
    private readonly layout: Layout,
    private readonly le: boolean,
  ) {}
  int(at: number): number {
    return this.layout.int === 'i16' ? this.view.getInt16(at, this.le) : Number(this.view.getBigInt64(at, this.le));
  }
  intSize(): number {
    return this.layout.int === 'i16' ? 2 : 8;
  }
  float(at: number): number {
    return this.layout.float === 'f32' ? this.view.getFloat32(at, this.le) : this.view.getFloat64(at, this.le);
  }
  floatSize(): number {
    return this.layout.float === 'f32' ? 4 : 8;
  }
  i16(at: number): number {
    return this.view.getInt16(at, this.le);
  }
  i32(at: number): number {
    return this.view.getInt32(at, this.le);
  }
}

function cString(bytes: Uint8Array, at: number, length: number): string {
  const slice = bytes.subarray(at, at + length);
  const end = slice.indexOf(0);
  return new TextDecoder('latin1').decode(end === -1 ? slice : slice.subarray(0, end));
}

/**
 * Parses the header at the start of `bytes` (a whole decompressed file or at least its first 544 bytes). NIfTI-1 or
 * NIfTI-2 and the byte order are told apart by sizeof_hdr (348 or 540, in either order). Only single-file images
 * (magic `n+1` / `n+2`) are accepted, since the voxel data must follow in the same bytes.
 */
export function parseNiftiHeader(bytes: Uint8Array, file: string): NiftiHeader {
  if (bytes.byteLength < 4) throw niftiError({ kind: 'BadHeader', file, field: 'sizeof_hdr', reason: `file is ${bytes.byteLength} bytes, shorter than sizeof_hdr itself` });
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const candidates = [
    { layout: NIFTI1, le: true },
    { layout: NIFTI1, le: false },
    { layout: NIFTI2, le: true },
    { layout: NIFTI2, le: false },
  ];
  const found = candidates.find(({ layout, le }) => view.getInt32(0, le) === layout.size);
  if (!found) {
    throw niftiError({ kind: 'BadHeader', file, field: 'sizeof_hdr', reason: `${view.getInt32(0, true)} (little-endian read); expected 348 (NIfTI-1) or 540 (NIfTI-2) in either byte order` });
  }
  const { layout, le } = found;
  if (bytes.byteLength < layout.size) {
    throw niftiError({ kind: 'BadHeader', file, field: 'sizeof_hdr', reason: `file is ${bytes.byteLength} bytes, shorter than the ${layout.size}-byte header` });
  }
  const magic = cString(bytes, layout.magic, layout.magicLength);
  const version = layout === NIFTI1 ? 1 : 2;
  if (magic === layout.pairMagic) {
    throw niftiError({ kind: 'BadHeader', file, field: 'magic', reason: `'${magic}' is a .hdr/.img pair header; only single-file images ('${layout.singleFileMagic}') are read` });
  }
  if (magic !== layout.singleFileMagic) {
    throw niftiError({ kind: 'BadHeader', file, field: 'magic', reason: `'${magic}', expected '${layout.singleFileMagic}' for NIfTI-${version}` });
  }
  if (version === 2 && NIFTI2_MAGIC_TAIL.some((byte, i) => bytes[layout.magic + 4 + i] !== byte)) {
    throw niftiError({ kind: 'BadHeader', file, field: 'magic', reason: 'NIfTI-2 magic lacks its \\r\\n\\032\\n tail (the file was damaged by a text-mode transfer)' });
  }
  const read = new FieldReader(view, layout, le);
  const { at } = layout;
  const dim = Array.from({ length: 8 }, (_, i) => read.int(at.dim + i * read.intSize()));
  const pixdim = Array.from({ length: 8 }, (_, i) => read.float(at.pixdim + i * read.floatSize()));
  const floats = (from: number, count: number): number[] => Array.from({ length: count }, (_, i) => read.float(from + i * read.floatSize()));
  const row = (i: number): Vec4 => {
    const [a = 0, b = 0, c = 0, d = 0] = floats(at.srow + i * 4 * read.floatSize(), 4);
    return [a, b, c, d];
  };
  const [qb = 0, qc = 0, qd = 0, qx = 0, qy = 0, qz = 0] = floats(at.quatern, 6);
  const voxOffset = version === 1 ? view.getFloat32(at.voxOffset, le) : Number(view.getBigInt64(at.voxOffset, le));
  const shortOrInt = (offset: number): number => (version === 1 ? read.i16(offset) : read.i32(offset));
  return {
    version,
    littleEndian: le,
    dim,
    intentCode: shortOrInt(at.intentCode),
    datatype: read.i16(at.datatype),
    bitpix: read.i16(at.bitpix),
    pixdim,
    voxOffset,
    sclSlope: read.float(at.sclSlope),
    sclInter: read.float(at.sclInter),
    xyztUnits: version === 1 ? (bytes[at.xyztUnits] ?? 0) : read.i32(at.xyztUnits),
    description: cString(bytes, at.description, 80),
    qformCode: shortOrInt(at.qformCode),
    sformCode: shortOrInt(at.sformCode),
    quatern: [qb, qc, qd],
    qoffset: [qx, qy, qz],
    srow: [row(0), row(1), row(2)],
    magic,
    hasExtensions: bytes.byteLength > layout.size && (bytes[layout.size] ?? 0) !== 0,
  };
}

/**
 * Encodes `header` as a NIfTI-1 or NIfTI-2 header followed by the 4-byte extension flag (352 or 544 bytes). Used by
 * the writer (NIfTI-1, little-endian) and by tests that build files in the other layouts. Extensions themselves are
 * not written; `hasExtensions` only sets the flag.
 */
export function encodeNiftiHeader(header: Omit<NiftiHeader, 'magic'>): Uint8Array {
  const layout = header.version === 1 ? NIFTI1 : NIFTI2;
  const le = header.littleEndian;
  const bytes = new Uint8Array(layout.size + 4);
  const view = new DataView(bytes.buffer);
  const { at } = layout;
  const writeInt = (offset: number, value: number): void => {
    if (layout.int === 'i16') view.setInt16(offset, value, le);
    else view.setBigInt64(offset, BigInt(value), le);
  };
  const writeFloat = (offset: number, value: number): void => {
    if (layout.float === 'f32') view.setFloat32(offset, value, le);
    else view.setFloat64(offset, value, le);
  };
  const intSize = layout.int === 'i16' ? 2 : 8;
  const floatSize = layout.float === 'f32' ? 4 : 8;
  const writeShortOrInt = (offset: number, value: number): void => {
    if (header.version === 1) view.setInt16(offset, value, le);
    else view.setInt32(offset, value, le);
  };
  view.setInt32(0, layout.size, le);
  bytes.set(new TextEncoder().encode(layout.singleFileMagic), layout.magic);
  if (header.version === 2) bytes.set(NIFTI2_MAGIC_TAIL, layout.magic + 4);
  header.dim.slice(0, 8).forEach((value, i) => writeInt(at.dim + i * intSize, value));
  header.pixdim.slice(0, 8).forEach((value, i) => writeFloat(at.pixdim + i * floatSize, value));
  writeShortOrInt(at.intentCode, header.intentCode);
  view.setInt16(at.datatype, header.datatype, le);
  view.setInt16(at.bitpix, header.bitpix, le);
  if (header.version === 1) view.setFloat32(at.voxOffset, header.voxOffset, le);
  else view.setBigInt64(at.voxOffset, BigInt(header.voxOffset), le);
  writeFloat(at.sclSlope, header.sclSlope);
  writeFloat(at.sclInter, header.sclInter);
  if (header.version === 1) bytes[at.xyztUnits] = header.xyztUnits;
  else view.setInt32(at.xyztUnits, header.xyztUnits, le);
  bytes.set(new TextEncoder().encode(header.description.slice(0, 79)), at.description);
  writeShortOrInt(at.qformCode, header.qformCode);
  writeShortOrInt(at.sformCode, header.sformCode);
  [...header.quatern, ...header.qoffset].forEach((value, i) => writeFloat(at.quatern + i * floatSize, value));
  header.srow.flat().forEach((value, i) => writeFloat(at.srow + i * floatSize, value));
  bytes[layout.size] = header.hasExtensions ? 1 : 0;
  return bytes;
}
