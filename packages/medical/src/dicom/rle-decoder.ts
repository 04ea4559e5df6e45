/**
 * DICOM RLE Lossless (PS3.5 Annex G) for one frame. The frame starts with a 64-byte header (segment count, then 15
 * segment offsets, all uint32 little endian); each segment is one byte plane, PackBits-coded: the most significant
 * byte of every sample of component 0 first, down to its least significant byte, then component 1, and so on.
 */

export interface RleFrameShape {
  readonly rows: number;
  readonly columns: number;
  readonly samplesPerPixel: number;
  readonly bitsAllocated: number;
}

const HEADER_BYTES = 64;

/**
 * Decodes one RLE frame into samples interleaved per pixel (RGBRGB), each sample little endian, so the result reads
 * as a native Explicit VR Little Endian frame with PlanarConfiguration 0. Throws an Error saying which segment is
 * broken when the header or a segment does not fit the frame shape.
 */
export function decodeRleFrame(encoded: Uint8Array, shape: RleFrameShape): Uint8Array {
  const { rows, columns, samplesPerPixel, bitsAllocated } = shape;
  if (encoded.length < HEADER_BYTES) throw new Error(`RLE frame of ${encoded.length} bytes is shorter than its 64-byte header`);
  const view = new DataView(encoded.buffer, encoded.byteOffset, encoded.byteLength);
  const segmentCount = view.getUint32(0, true);
  const bytesPerSample = bitsAllocated / 8;
  const expected = samplesPerPixel * bytesPerSample;
  if (segmentCount !== expected) {
    throw new Error(`RLE header lists ${segmentCount} segments, ${samplesPerPixel} samples of ${bitsAllocated} bits need ${expected}`);
  }
  const pixels = rows * columns;
  const stride = samplesPerPixel * bytesPerSample;
  const output = new Uint8Array(pixels * stride);
  for (let segment = 0; segment < segmentCount; segment += 1) {
    const start = view.getUint32(4 + segment * 4, true);
    const end = segment + 1 < segmentCount ? view.getUint32(8 + segment * 4, true) : encoded.length;
    if (start < HEADER_BYTES || end > encoded.length || end < start) {
      throw new Error(`RLE segment ${segment} spans bytes ${start}..${end} of a ${encoded.length}-byte frame`);
    }
    const sample = Math.floor(segment / bytesPerSample);
    const significance = segment % bytesPerSample;
    // Segment 0 of a sample holds its most significant byte, which little endian puts last.
    const first = sample * bytesPerSample + (bytesPerSample - 1 - significance);
    const written = unpackBits(encoded, start, end, output, first, stride, pixels);
    if (written < pixels) throw new Error(`RLE segment ${segment} decodes to ${written} bytes, the frame needs ${pixels}`);
  }
  return output;
}

/** PackBits from encoded[start, end) into output[first + i * stride] for i < count; returns how many bytes it wrote. */
function unpackBits(encoded: Uint8Array, start: number, end: number, output: Uint8Array, first: number, stride: number, count: number): number {
  let read = start;
  let written = 0;
  let at = first;
  while (read < end && written < count) {
    const header = encoded[read] ?? 0;
    read += 1;
    if (header < 128) {
      // Literal run: the next header + 1 bytes as they are.
      const run = Math.min(header + 1, count - written, end - read);
      for (let index = 0; index < run; index += 1) {
        output[at] = encoded[read + index] ?? 0;
        at += stride;
      }
      read += header + 1;
      written += run;
    } else if (header > 128) {
      // Replicate run: the next byte 257 - header times (header is -n as a signed byte, run n + 1).
      const value = encoded[read] ?? 0;
      read += 1;
      const run = Math.min(257 - header, count - written);
      for (let index = 0; index < run; index += 1) {
        output[at] = value;
        at += stride;
      }
      written += run;
    }
    // header 128 (-128) is a no-op by the PackBits definition.
  }
  return written;
}
