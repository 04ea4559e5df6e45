import CharLS from '@cornerstonejs/codec-charls/decodewasmjs';
import type { CharLSModule } from '@cornerstonejs/codec-charls/decodewasmjs';
import OpenJPEG from '@cornerstonejs/codec-openjpeg/decodewasmjs';
import type { OpenJPEGModule } from '@cornerstonejs/codec-openjpeg/decodewasmjs';
import { Decoder as JpegLosslessDecoder } from 'jpeg-lossless-decoder-js';

/**
 * A frame decoded by one of the JPEG-family codecs: samples interleaved per pixel, each sample little endian in
 * `bytes` (1 byte up to 8 bits, 2 bytes up to 16 bits).
 */
export interface CodecFrame {
  readonly bytes: Uint8Array;
  readonly width: number;
  readonly height: number;
  readonly components: number;
  readonly bitsPerSample: number;
}

// The wasm modules are compiled once per process, on first use (about 30 ms each), and shared afterwards.
let charls: Promise<CharLSModule> | undefined;
let openjpeg: Promise<OpenJPEGModule> | undefined;
// OpenJPEG prints "[INFO] ..." for every frame; the decoders' failures reach us as exceptions instead.
const quiet = { print: (): void => undefined, printErr: (): void => undefined };

function planarToInterleaved(planar: Uint8Array, pixels: number, components: number, bytesPerSample: number): Uint8Array {
  const out = new Uint8Array(planar.length);
  for (let component = 0; component < components; component += 1) {
    for (let pixel = 0; pixel < pixels; pixel += 1) {
      for (let byte = 0; byte < bytesPerSample; byte += 1) {
        out[(pixel * components + component) * bytesPerSample + byte] = planar[(component * pixels + pixel) * bytesPerSample + byte] ?? 0;
      }
    }
  }
  return out;
}

/** Emscripten builds throw C++ exceptions as bare numbers (a pointer); this turns them into a readable Error. */
function wasmCall(codec: string, call: () => void): void {
  try {
    call();
  } catch (thrown) {
    if (thrown instanceof Error) throw thrown;
    throw new Error(`${codec} rejected the code stream (wasm exception ${String(thrown)})`, { cause: thrown });
  }
}

/** JPEG-LS lossless and near-lossless (1.2.840.10008.1.2.4.80/.81) with CharLS. */
export async function decodeJpegLs(encoded: Uint8Array): Promise<CodecFrame> {
  const module = await (charls ??= CharLS(quiet));
  const decoder = new module.JpegLSDecoder();
  try {
    decoder.getEncodedBuffer(encoded.length).set(encoded);
    wasmCall('CharLS', () => decoder.decode());
    const info = decoder.getFrameInfo();
    const bytesPerSample = info.bitsPerSample <= 8 ? 1 : 2;
    // Copy out: the decoded view lives in wasm memory, freed by delete().
    const decoded = new Uint8Array(decoder.getDecodedBuffer());
    const pixels = info.width * info.height;
    const bytes =
      info.componentCount > 1 && decoder.getInterleaveMode() === 0
        ? planarToInterleaved(decoded, pixels, info.componentCount, bytesPerSample)
        : decoded;
    return { bytes, width: info.width, height: info.height, components: info.componentCount, bitsPerSample: info.bitsPerSample };
  } finally {
    decoder.delete();
  }
}

/**
 * JPEG 2000 (1.2.840.10008.1.2.4.90/.91) with OpenJPEG. A multi-component code stream with the reversible or
 * irreversible component transform (YBR_RCT, YBR_ICT) comes out as RGB: OpenJPEG inverts the transform.
 */
export async function decodeJpeg2000(encoded: Uint8Array): Promise<CodecFrame> {
  const module = await (openjpeg ??= OpenJPEG(quiet));
  const decoder = new module.J2KDecoder();
  try {
    decoder.getEncodedBuffer(encoded.length).set(encoded);
    wasmCall('OpenJPEG', () => decoder.decode());
    const info = decoder.getFrameInfo();
    const bytes = new Uint8Array(decoder.getDecodedBuffer());
    return { bytes, width: info.width, height: info.height, components: info.componentCount, bitsPerSample: info.bitsPerSample };
  } finally {
    decoder.delete();
  }
}

const END_OF_IMAGE_PADDING = 4;

/**
 * A copy of a JPEG stream with zero bytes between the entropy-coded data and the EOI marker (FFD9).
 * jpeg-lossless-decoder-js 2.1.2 reads ahead of the last Huffman code, meets the EOI marker and takes it for the end
 * of the scan before the last pixel is written (the CT slice in ct-transfer-syntaxes came out with its last pixel 0
 * instead of -2000). Padding after the last code is ignored by the decoder, which stops at the last pixel.
 */
function padBeforeEndOfImage(encoded: Uint8Array): Uint8Array {
  let eoi = -1;
  for (let at = encoded.length - 2; at >= Math.max(0, encoded.length - 16); at -= 1) {
    if (encoded[at] === 0xff && encoded[at + 1] === 0xd9) {
      eoi = at;
      break;
    }
  }
  if (eoi < 0) return encoded;
  const padded = new Uint8Array(encoded.length + END_OF_IMAGE_PADDING);
  padded.set(encoded.subarray(0, eoi), 0);
  padded.set(encoded.subarray(eoi), eoi + END_OF_IMAGE_PADDING);
  return padded;
}

/** JPEG Lossless, Process 14 (1.2.840.10008.1.2.4.57) and its selection value 1 form (.4.70), in pure JavaScript. */
export function decodeJpegLossless(encoded: Uint8Array): Promise<CodecFrame> {
  // The decoder keeps its sample width between calls, so each frame gets a fresh one.
  const decoder = new JpegLosslessDecoder();
  const stream = padBeforeEndOfImage(encoded);
  const samples = decoder.decode(stream.buffer, stream.byteOffset, stream.byteLength);
  const bytes = new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength);
  return Promise.resolve({ bytes, width: decoder.xDim, height: decoder.yDim, components: decoder.numComp, bitsPerSample: decoder.precision });
}
