/** NIfTI datatype codes this reader converts to float32 (nifti1.h `NIFTI_TYPE_*`). */
export const NIFTI_DATATYPES = {
  2: { name: 'uint8', bytes: 1 },
  4: { name: 'int16', bytes: 2 },
  8: { name: 'int32', bytes: 4 },
  16: { name: 'float32', bytes: 4 },
  64: { name: 'float64', bytes: 8 },
  128: { name: 'rgb24', bytes: 3 },
  256: { name: 'int8', bytes: 1 },
  512: { name: 'uint16', bytes: 2 },
  768: { name: 'uint32', bytes: 4 },
  1024: { name: 'int64', bytes: 8 },
  1280: { name: 'uint64', bytes: 8 },
  2304: { name: 'rgba32', bytes: 4 },
} as const;

export type NiftiDatatypeCode = keyof typeof NIFTI_DATATYPES;
export type NiftiDatatypeName = (typeof NIFTI_DATATYPES)[NiftiDatatypeCode]['name'];

/** Known codes that are deliberately not converted, with the reason given in the error. */
const UNSUPPORTED: Readonly<Record<number, string>> = {
  1: 'binary (1 bit per voxel) is not converted',
  32: 'complex64 has no single float32 value per voxel',
  1536: 'float128 has no JavaScript representation',
  1792: 'complex128 has no single float32 value per voxel',
  2048: 'complex256 has no single float32 value per voxel',
};

export function isSupportedDatatype(code: number): code is NiftiDatatypeCode {
  return Object.hasOwn(NIFTI_DATATYPES, code);
}

export function unsupportedDatatypeReason(code: number): string {
  return UNSUPPORTED[code] ?? 'not a NIfTI datatype code';
}

const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

// ITU-R BT.601 luma weights: RGB voxels become one grey value, the same weights the TIFF/PNG slice readers use.
const LUMA = [0.299, 0.587, 0.114] as const;

/**
 * Converts `count` voxels of `code` starting at `bytes[offset]` to float32. Same-endian integer and float data go
 * through a typed-array view and one native conversion (one copy when the offset is unaligned); the other byte
 * order goes through a DataView, which is several times slower. RGB24/RGBA32 voxels become BT.601 luma.
 */
export function voxelsToFloat32(bytes: Uint8Array, offset: number, count: number, code: NiftiDatatypeCode, littleEndian: boolean): Float32Array {
  const { bytes: size } = NIFTI_DATATYPES[code];
  const length = count * size;
  if (code === 128 || code === 2304) return colourToLuma(bytes, offset, count, size);
  if (size === 1 || littleEndian === HOST_LITTLE_ENDIAN) return nativeToFloat32(bytes, offset, length, count, code);
  return swappedToFloat32(new DataView(bytes.buffer, bytes.byteOffset + offset, length), count, code, littleEndian);
}

function aligned(bytes: Uint8Array, offset: number, length: number, alignment: number): ArrayBuffer {
  const start = bytes.byteOffset + offset;
  if (start % alignment === 0 && bytes.buffer instanceof ArrayBuffer) return bytes.buffer;
  return bytes.slice(offset, offset + length).buffer;
}

function nativeToFloat32(bytes: Uint8Array, offset: number, length: number, count: number, code: NiftiDatatypeCode): Float32Array {
  const size = NIFTI_DATATYPES[code].bytes;
  const buffer = aligned(bytes, offset, length, size);
  const start = buffer === bytes.buffer ? bytes.byteOffset + offset : 0;
  switch (code) {
    case 2:
      return new Float32Array(new Uint8Array(buffer, start, count));
    case 256:
      return new Float32Array(new Int8Array(buffer, start, count));
    case 4:
      return new Float32Array(new Int16Array(buffer, start, count));
    case 512:
      return new Float32Array(new Uint16Array(buffer, start, count));
    case 8:
      return new Float32Array(new Int32Array(buffer, start, count));
    case 768:
      return new Float32Array(new Uint32Array(buffer, start, count));
    case 16:
      return new Float32Array(new Float32Array(buffer, start, count));
    case 64:
      return new Float32Array(new Float64Array(buffer, start, count));
    case 1024:
      return Float32Array.from(new BigInt64Array(buffer, start, count), Number);
    case 1280:
      return Float32Array.from(new BigUint64Array(buffer, start, count), Number);
    case 128:
    case 2304:
      return colourToLuma(bytes, offset, count, size);
  }
}

function swappedToFloat32(view: DataView, count: number, code: NiftiDatatypeCode, le: boolean): Float32Array {
  const out = new Float32Array(count);
  const read = ((): ((at: number) => number) => {
    switch (code) {
      case 4:
        return (at) => view.getInt16(at * 2, le);
      case 512:
        return (at) => view.getUint16(at * 2, le);
      case 8:
        return (at) => view.getInt32(at * 4, le);
      case 768:
        return (at) => view.getUint32(at * 4, le);
      case 16:
        return (at) => view.getFloat32(at * 4, le);
      case 64:
        return (at) => view.getFloat64(at * 8, le);
      case 1024:
        return (at) => Number(view.getBigInt64(at * 8, le));
      case 1280:
        return (at) => Number(view.getBigUint64(at * 8, le));
      case 2:
        return (at) => view.getUint8(at);
      case 256:
        return (at) => view.getInt8(at);
      case 128:
      case 2304:
        throw new RangeError('colour voxels are byte-wise, never swapped');
    }
  })();
  for (let i = 0; i < count; i += 1) out[i] = read(i);
  return out;
}

function colourToLuma(bytes: Uint8Array, offset: number, count: number, stride: number): Float32Array {
  const out = new Float32Array(count);
  for (let i = 0, at = offset; i < count; i += 1, at += stride) {
    out[i] = LUMA[0] * (bytes[at] ?? 0) + LUMA[1] * (bytes[at + 1] ?? 0) + LUMA[2] * (bytes[at + 2] ?? 0);
  }
  return out;
}
