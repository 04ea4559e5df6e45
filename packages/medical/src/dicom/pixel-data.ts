import { readFile } from 'node:fs/promises';
import dicomParser from 'dicom-parser';
import { dicomError, isDicomError } from './dicom-errors.ts';
import { parseDicomFile } from './dicom-file.ts';
import type { DicomFile } from './dicom-file.ts';
import type { DicomHeader } from './dicom-header.ts';
import { tagName } from './dicom-tags.ts';
import { decodeJpeg2000, decodeJpegLossless, decodeJpegLs } from './jpeg-codecs.ts';
import type { CodecFrame } from './jpeg-codecs.ts';
import { decodeRleFrame } from './rle-decoder.ts';

/** Stored pixel values of one frame, typed by BitsAllocated and PixelRepresentation. */
export type PixelArray = Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array;

/** A DICOM image with its pixel data decoded to stored values (before the modality LUT). */
export interface DicomImage {
  readonly file: string;
  readonly header: DicomHeader;
  /**
   * One array per frame: rows x columns x samplesPerPixel stored values, row-major, samples interleaved per pixel
   * (PlanarConfiguration 0 whatever the file said). Values are masked to BitsStored and sign-extended when
   * PixelRepresentation is 1, so a 12-bit signed value reads as its number.
   */
  readonly frames: readonly PixelArray[];
  /** PhotometricInterpretation of `frames`: JPEG 2000's YBR_RCT and YBR_ICT come out as RGB. */
  readonly photometricInterpretation: string;
}

function typedSamples(bytes: Uint8Array, bitsAllocated: number, signed: boolean, littleEndian: boolean): PixelArray {
  // Copying gives an aligned buffer the image owns (values in the file may sit at odd offsets).
  const copy = bytes.slice();
  const width = bitsAllocated / 8;
  if (!littleEndian && width > 1) {
    for (let at = 0; at + width <= copy.length; at += width) copy.subarray(at, at + width).reverse();
  }
  const count = Math.floor(copy.length / width);
  switch (bitsAllocated) {
    case 8:
      return signed ? new Int8Array(copy.buffer, 0, count) : copy;
    case 16:
      return signed ? new Int16Array(copy.buffer, 0, count) : new Uint16Array(copy.buffer, 0, count);
    default:
      return signed ? new Int32Array(copy.buffer, 0, count) : new Uint32Array(copy.buffer, 0, count);
  }
}

/** Keeps BitsStored bits starting at bit `shift` and sign-extends them; a no-op when every allocated bit is stored. */
function normalizeStoredBits(samples: PixelArray, header: DicomHeader, shift: number): void {
  const { bitsStored, bitsAllocated } = header;
  if (bitsStored >= bitsAllocated && shift === 0) return;
  const mask = bitsStored >= 32 ? 0xffffffff : 2 ** bitsStored - 1;
  const signBit = 2 ** (bitsStored - 1);
  const range = 2 ** bitsStored;
  const signed = header.pixelRepresentation === 1;
  for (let index = 0; index < samples.length; index += 1) {
    let value = ((samples[index] ?? 0) >>> shift) & mask;
    if (signed && value >= signBit) value -= range;
    samples[index] = value;
  }
}

function planarToInterleaved(samples: PixelArray, planes: number): PixelArray {
  const out = samples.slice();
  const pixels = samples.length / planes;
  for (let plane = 0; plane < planes; plane += 1) {
    for (let pixel = 0; pixel < pixels; pixel += 1) out[pixel * planes + plane] = samples[plane * pixels + pixel] ?? 0;
  }
  return out;
}

function frameBytes(header: DicomHeader): number {
  return header.rows * header.columns * header.samplesPerPixel * (header.bitsAllocated / 8);
}

function nativeFrames(file: DicomFile, littleEndian: boolean): PixelArray[] {
  const { header, pixelData, dataSet } = file;
  const size = frameBytes(header);
  if (pixelData.length < size * header.numberOfFrames) {
    throw dicomError({
      kind: 'InvalidTagValue',
      file: file.file,
      tag: tagName('PixelData'),
      reason: `holds ${pixelData.length} bytes, ${header.numberOfFrames} frame(s) of ${header.rows}x${header.columns}x${header.samplesPerPixel} at ${header.bitsAllocated} bits need ${size * header.numberOfFrames}`,
    });
  }
  const shift = header.highBit + 1 - header.bitsStored;
  return Array.from({ length: header.numberOfFrames }, (_, frame) => {
    const start = pixelData.dataOffset + frame * size;
    let samples = typedSamples(dataSet.byteArray.subarray(start, start + size), header.bitsAllocated, header.pixelRepresentation === 1, littleEndian);
    if (header.samplesPerPixel > 1 && header.planarConfiguration === 1) samples = planarToInterleaved(samples, header.samplesPerPixel);
    normalizeStoredBits(samples, header, shift);
    return samples;
  });
}

/** The encoded bytes of each frame of encapsulated pixel data. */
function encapsulatedFrames(file: DicomFile, isJpeg: boolean): Uint8Array[] {
  const { header, pixelData, dataSet } = file;
  const fragments = pixelData.fragments ?? [];
  const frames = header.numberOfFrames;
  const tag = tagName('PixelData');
  if (!pixelData.encapsulatedPixelData || fragments.length === 0) {
    throw dicomError({ kind: 'InvalidTagValue', file: file.file, tag, reason: `transfer syntax ${header.transferSyntaxUid} needs encapsulated pixel data with fragments` });
  }
  if (frames === 1) return [dicomParser.readEncapsulatedPixelDataFromFragments(dataSet, pixelData, 0, fragments.length)];
  if ((pixelData.basicOffsetTable ?? []).length === frames) {
    return Array.from({ length: frames }, (_, frame) => dicomParser.readEncapsulatedImageFrame(dataSet, pixelData, frame));
  }
  if (fragments.length === frames) {
    return Array.from({ length: frames }, (_, frame) => dicomParser.readEncapsulatedPixelDataFromFragments(dataSet, pixelData, frame, 1));
  }
  if (isJpeg) {
    // No offset table and several fragments per frame: JPEG frames start at an SOI marker, which dicom-parser finds.
    const table = dicomParser.createJPEGBasicOffsetTable(dataSet, pixelData);
    return Array.from({ length: frames }, (_, frame) => dicomParser.readEncapsulatedImageFrame(dataSet, pixelData, frame, table));
  }
  throw dicomError({
    kind: 'InvalidTagValue',
    file: file.file,
    tag,
    reason: `${fragments.length} fragments for ${frames} frames and no Basic Offset Table to tell which belongs to which`,
  });
}

function fromCodec(file: DicomFile, frame: CodecFrame): PixelArray {
  const { header } = file;
  if (frame.width !== header.columns || frame.height !== header.rows || frame.components !== header.samplesPerPixel) {
    throw new Error(
      `code stream is ${frame.width}x${frame.height}x${frame.components}, the header says ${header.columns}x${header.rows}x${header.samplesPerPixel} (Columns x Rows x SamplesPerPixel)`,
    );
  }
  const samples = typedSamples(frame.bytes, frame.bitsPerSample <= 8 ? 8 : 16, header.pixelRepresentation === 1, true);
  normalizeStoredBits(samples, { ...header, bitsAllocated: samples.BYTES_PER_ELEMENT * 8 }, 0);
  return samples;
}

async function decodeFrames(file: DicomFile): Promise<PixelArray[]> {
  const encoding = file.syntax.encoding;
  switch (encoding.kind) {
    case 'native':
      return nativeFrames(file, encoding.littleEndian);
    case 'rle':
      return encapsulatedFrames(file, false).map((encoded) => {
        const samples = typedSamples(decodeRleFrame(encoded, file.header), file.header.bitsAllocated, file.header.pixelRepresentation === 1, true);
        normalizeStoredBits(samples, file.header, file.header.highBit + 1 - file.header.bitsStored);
        return samples;
      });
    case 'jpeg-lossless':
      return Promise.all(encapsulatedFrames(file, true).map(async (encoded) => fromCodec(file, await decodeJpegLossless(encoded))));
    case 'jpeg-ls':
      return Promise.all(encapsulatedFrames(file, false).map(async (encoded) => fromCodec(file, await decodeJpegLs(encoded))));
    case 'jpeg2000':
      return Promise.all(encapsulatedFrames(file, false).map(async (encoded) => fromCodec(file, await decodeJpeg2000(encoded))));
  }
}

/**
 * Decodes every frame of a parsed file to stored values. Costs one decode per frame (JPEG 2000 is the slowest,
 * see bench/dicom-io.ts) and one output array per frame. Throws a DicomError: PixelDecodeFailed (with the codec's
 * reason) or InvalidTagValue on the pixel data when its size or fragments do not fit the header.
 */
export async function decodeDicomPixels(file: DicomFile): Promise<DicomImage> {
  let frames: PixelArray[];
  try {
    frames = await decodeFrames(file);
  } catch (cause) {
    if (isDicomError(cause)) throw cause;
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw dicomError({ kind: 'PixelDecodeFailed', file: file.file, tag: tagName('PixelData'), transferSyntaxUid: file.header.transferSyntaxUid, reason }, cause);
  }
  const photometric = file.header.photometricInterpretation;
  const rgbFromCodec = file.syntax.encoding.kind === 'jpeg2000' && (photometric === 'YBR_RCT' || photometric === 'YBR_ICT');
  return { file: file.file, header: file.header, frames, photometricInterpretation: rgbFromCodec ? 'RGB' : photometric };
}

/** Parses and decodes one file held in memory; `file` names it in errors. */
export async function decodeDicomImage(bytes: Uint8Array, file: string): Promise<DicomImage> {
  return decodeDicomPixels(parseDicomFile(bytes, file));
}

/** Reads, parses and decodes the file at `path`. */
export async function readDicomImage(path: string): Promise<DicomImage> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (cause) {
    throw dicomError({ kind: 'UnreadableFile', file: path, reason: cause instanceof Error ? cause.message : String(cause) }, cause);
  }
  return decodeDicomImage(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), path);
}
