import { encodeNiftiHeader } from './nifti-header.ts';
import type { NiftiHeader } from './nifti-header.ts';

/**
 * Builds small NIfTI files in any layout for tests: the header through `encodeNiftiHeader`, the voxels through
 * DataView setters (a path independent of the reader's typed-array views).
 */
export interface TestNiftiOptions {
  readonly version?: 1 | 2;
  readonly littleEndian?: boolean;
  readonly datatype: number;
  readonly bitpix: number;
  readonly shape: readonly number[];
  /** One number per voxel (three per voxel for rgb24, four for rgba32); bigint for int64/uint64. */
  readonly values: readonly (number | bigint)[];
  readonly header?: Partial<Omit<NiftiHeader, 'magic' | 'version' | 'littleEndian' | 'datatype' | 'bitpix'>>;
  /** Extension payloads (each padded to a multiple of 16 bytes with its 8-byte esize/ecode prefix). */
  readonly extensions?: readonly { readonly code: number; readonly text: string }[];
}

export function buildTestNifti(options: TestNiftiOptions): Uint8Array {
  const version = options.version ?? 1;
  const le = options.littleEndian ?? true;
  const headerBytes = version === 1 ? 352 : 544;
  const extensions = (options.extensions ?? []).map(({ code, text }) => {
    const payload = new TextEncoder().encode(text);
    const size = Math.ceil((payload.length + 8) / 16) * 16;
    const bytes = new Uint8Array(size);
    const view = new DataView(bytes.buffer);
    view.setInt32(0, size, le);
    view.setInt32(4, code, le);
    bytes.set(payload, 8);
    return bytes;
  });
  const extensionBytes = extensions.reduce((sum, e) => sum + e.length, 0);
  const voxOffset = options.header?.voxOffset ?? headerBytes + extensionBytes;
  const header = encodeNiftiHeader({
    version,
    littleEndian: le,
    dim: [options.shape.length, ...options.shape, ...Array<number>(7 - options.shape.length).fill(1)],
    intentCode: 0,
    datatype: options.datatype,
    bitpix: options.bitpix,
    pixdim: [1, 1, 1, 1, 0, 0, 0, 0],
    voxOffset,
    sclSlope: 1,
    sclInter: 0,
    xyztUnits: 10,
    description: 'test',
    qformCode: 0,
    sformCode: 0,
    quatern: [0, 0, 0],
    qoffset: [0, 0, 0],
    srow: [
      [1, 0, 0, 0],
      [0, 1, 0, 0],
      [0, 0, 1, 0],
    ],
    hasExtensions: extensions.length > 0,
    ...options.header,
  });
  // Values are written at their datatype's width, even where a test gives a contradicting bitpix.
  const widths: Readonly<Record<number, number>> = { 2: 1, 256: 1, 128: 1, 2304: 1, 4: 2, 512: 2, 8: 4, 768: 4, 16: 4, 64: 8, 1024: 8, 1280: 8 };
  const perValue = widths[options.datatype] ?? options.bitpix / 8;
  const bytes = new Uint8Array(Math.max(voxOffset, headerBytes + extensionBytes) + options.values.length * perValue);
  bytes.set(header, 0);
  let at = headerBytes;
  for (const extension of extensions) {
    bytes.set(extension, at);
    at += extension.length;
  }
  const view = new DataView(bytes.buffer);
  options.values.forEach((value, i) => {
    const offset = voxOffset + i * perValue;
    switch (options.datatype) {
      case 2:
      case 128:
      case 2304:
        return view.setUint8(offset, Number(value));
      case 256:
        return view.setInt8(offset, Number(value));
      case 4:
        return view.setInt16(offset, Number(value), le);
      case 512:
        return view.setUint16(offset, Number(value), le);
      case 8:
        return view.setInt32(offset, Number(value), le);
      case 768:
        return view.setUint32(offset, Number(value), le);
      case 16:
        return view.setFloat32(offset, Number(value), le);
      case 64:
        return view.setFloat64(offset, Number(value), le);
      case 1024:
        return view.setBigInt64(offset, BigInt(value), le);
      case 1280:
        return view.setBigUint64(offset, BigInt(value), le);
      default:
        return view.setUint8(offset, Number(value));
    }
  });
  return bytes;
}
