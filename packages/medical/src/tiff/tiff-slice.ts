import UTIF from 'utif2';
import type { IFD } from 'utif2';
import { toGray } from './gray-slice.ts';
import type { GraySlice } from './gray-slice.ts';
import { sliceError } from './slice-errors.ts';

// TIFF 6.0 tag numbers.
const TAG = { BitsPerSample: 't258', Photometric: 't262', SamplesPerPixel: 't277', SampleFormat: 't339' } as const;
const PHOTOMETRIC_NAMES: Readonly<Record<number, string>> = { 0: 'WhiteIsZero', 1: 'BlackIsZero', 2: 'RGB', 3: 'Palette', 4: 'TransparencyMask', 5: 'CMYK', 6: 'YCbCr' };

function tagNumber(ifd: IFD, tag: string, fallback: number): number {
  const value = ifd[tag];
  if (Array.isArray(value) && typeof value[0] === 'number') return value[0];
  return fallback;
}

/**
 * Decodes the first image of a TIFF (any compression utif2 knows: none, LZW, Deflate, PackBits, JPEG; horizontal
 * predictor undone) to one grey value per pixel. Accepts 8/16-bit unsigned or signed integer and 32-bit float
 * samples, grey (BlackIsZero, or WhiteIsZero inverted) or RGB (to BT.601 luma), with or without an extra alpha
 * sample. 16-bit CT slices keep their stored values (signed ones, SampleFormat 2, as int16).
 */
export function decodeTiffSlice(bytes: Uint8Array, file: string): GraySlice {
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  let ifd: IFD | undefined;
  try {
    ifd = UTIF.decode(buffer).find((candidate) => candidate[TAG.BitsPerSample] !== undefined || candidate.t256 !== undefined);
    if (ifd) UTIF.decodeImage(buffer, ifd);
  } catch (error) {
    throw sliceError({ kind: 'UndecodableImage', file, reason: `TIFF decoder: ${error instanceof Error ? error.message : String(error)}` }, error);
  }
  if (!ifd || !(ifd.data instanceof Uint8Array) || !ifd.width || !ifd.height) {
    throw sliceError({ kind: 'UndecodableImage', file, reason: 'no image in the TIFF (no IFD with ImageWidth and pixel data)' });
  }
  const bits = tagNumber(ifd, TAG.BitsPerSample, 1);
  const samples = tagNumber(ifd, TAG.SamplesPerPixel, 1);
  const format = tagNumber(ifd, TAG.SampleFormat, 1);
  const photometric = tagNumber(ifd, TAG.Photometric, samples >= 3 ? 2 : 1);
  const unsupported = (field: string, value: number | string, reason: string): never => {
    throw sliceError({ kind: 'UnsupportedPixelFormat', file, field, value: String(value), reason });
  };
  if (![0, 1, 2].includes(photometric)) unsupported('PhotometricInterpretation (262)', `${photometric} (${PHOTOMETRIC_NAMES[photometric] ?? 'unknown'})`, 'only grey and RGB slices are read');
  if (photometric === 2 ? samples < 3 || samples > 4 : samples < 1 || samples > 2) unsupported('SamplesPerPixel (277)', samples, `does not fit PhotometricInterpretation ${photometric}`);
  const { width, height } = ifd;
  const pixels = width * height;
  const count = pixels * samples;
  const raw = ifd.data;
  const expected = (count * bits) / 8;
  if (raw.byteLength < expected) {
    throw sliceError({ kind: 'UndecodableImage', file, reason: `decoded ${raw.byteLength} bytes of pixel data, ${width}x${height}x${samples} samples of ${bits} bits need ${expected} (truncated strips?)` });
  }
  // utif2 leaves samples in little-endian order whatever the file's byte order (it swaps big-endian 16-bit data).
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const values = new Float32Array(count);
  const key = `${bits}/${format}`;
  switch (key) {
    case '8/1':
      values.set(raw.subarray(0, count));
      break;
    case '8/2':
      for (let i = 0; i < count; i += 1) values[i] = view.getInt8(i);
      break;
    case '16/1':
      for (let i = 0; i < count; i += 1) values[i] = view.getUint16(i * 2, true);
      break;
    case '16/2':
      for (let i = 0; i < count; i += 1) values[i] = view.getInt16(i * 2, true);
      break;
    case '32/3':
      for (let i = 0; i < count; i += 1) values[i] = view.getFloat32(i * 4, true);
      break;
    default:
      unsupported(bits === 8 || bits === 16 || bits === 32 ? 'SampleFormat (339)' : 'BitsPerSample (258)', key, 'expected 8/16-bit integer or 32-bit float samples (BitsPerSample/SampleFormat)');
  }
  if (photometric === 0) {
    const top = format === 3 ? 1 : format === 2 ? 2 ** (bits - 1) - 1 : 2 ** bits - 1;
    for (let i = 0; i < count; i += 1) values[i] = top - (values[i] ?? 0);
  }
  const { data, conversion } = toGray(values, pixels, samples);
  return { file, width, height, data, bitsPerSample: bits, samplesPerPixel: samples, conversion };
}
