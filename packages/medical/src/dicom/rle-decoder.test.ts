import { describe, expect, it } from 'vitest';
import { decodeRleFrame } from './rle-decoder.ts';

/** An RLE frame from PackBits segments, with the 64-byte header of PS3.5 G.4. */
function rleFrame(segments: readonly number[][]): Uint8Array {
  const body = segments.map((segment) => Uint8Array.from(segment.map((value) => value & 0xff)));
  const total = 64 + body.reduce((sum, segment) => sum + segment.length, 0);
  const frame = new Uint8Array(total);
  const view = new DataView(frame.buffer);
  view.setUint32(0, segments.length, true);
  let at = 64;
  body.forEach((segment, index) => {
    view.setUint32(4 + index * 4, at, true);
    frame.set(segment, at);
    at += segment.length;
  });
  return frame;
}

describe('decodeRleFrame', () => {
  it('joins the high and low byte planes of 16-bit samples into little-endian samples', () => {
    // High bytes: literal run of 2 (header 1), then the no-op -128, then 0x7F repeated 2 times (header -1).
    // Low bytes: 0x34 repeated 4 times (header -3).
    const frame = rleFrame([
      [1, 0x12, 0xff, -128, -1, 0x7f],
      [-3, 0x34],
    ]);
    const decoded = decodeRleFrame(frame, { rows: 2, columns: 2, samplesPerPixel: 1, bitsAllocated: 16 });
    const samples = new Uint16Array(decoded.buffer);
    expect([...samples]).toEqual([0x1234, 0xff34, 0x7f34, 0x7f34]);
  });

  it('interleaves one segment per colour component', () => {
    const frame = rleFrame([[-1, 1], [-1, 2], [1, 3, 4]]);
    const decoded = decodeRleFrame(frame, { rows: 1, columns: 2, samplesPerPixel: 3, bitsAllocated: 8 });
    expect([...decoded]).toEqual([1, 2, 3, 1, 2, 4]);
  });

  it('names the fault when the header and the frame shape disagree or a segment runs short', () => {
    expect(() => decodeRleFrame(rleFrame([[-1, 1]]), { rows: 1, columns: 2, samplesPerPixel: 1, bitsAllocated: 16 })).toThrow(/1 segments.*need 2/);
    expect(() => decodeRleFrame(rleFrame([[0, 9]]), { rows: 1, columns: 2, samplesPerPixel: 1, bitsAllocated: 8 })).toThrow(/segment 0 decodes to 1 bytes, the frame needs 2/);
  });
});
