import { describe, expect, it } from 'vitest';
import { mirrorBytes, mirrorFile } from './dicom-test-files.ts';
import { modalityFrame } from './modality-lut.ts';
import { decodeDicomImage, readDicomImage } from './pixel-data.ts';
import { WINDOW_PRESETS, windowToUint8, windowToUnit } from './windowing.ts';

/** The stored values of an explicit-LE file, found without the reader: the last (7FE0,0010) OW header in the bytes. */
function rawPixels(bytes: Uint8Array): Uint16Array {
  const header = [0xe0, 0x7f, 0x10, 0x00, 0x4f, 0x57, 0x00, 0x00];
  for (let at = bytes.length - header.length; at >= 0; at -= 1) {
    if (header.every((byte, index) => bytes[at + index] === byte)) {
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const length = view.getUint32(at + 8, true);
      return Uint16Array.from({ length: length / 2 }, (_, index) => view.getUint16(at + 12 + index * 2, true));
    }
  }
  throw new Error('no pixel data header');
}

describe('modality LUT', () => {
  it('mirrors the MONOCHROME1 CR within its 12 stored bits and rescales it (slope 0.684, intercept 200)', async () => {
    const bytes = mirrorBytes('other-modalities', '6154');
    const stored = Array.from(rawPixels(bytes), (value) => value & 0x0fff);
    const image = await decodeDicomImage(bytes, '6154');
    expect(image.header.photometricInterpretation).toBe('MONOCHROME1');
    const frame = modalityFrame(image);
    expect(frame.inverted).toBe(true);
    expect(frame.values).toHaveLength(256);
    stored.forEach((value, index) => expect(frame.values[index]).toBeCloseTo(0.684 * (4095 - value) + 200, 3));
    // The darkest pixel of the MONOCHROME1 display (largest stored value) becomes the smallest value.
    const brightest = stored.indexOf(Math.max(...stored));
    expect(frame.values[brightest]).toBe(Math.min(...frame.values));
    // Window 1600/2800 in the file moves with the mirror: 0.684 x 4095 + 2 x 200 - 1600.
    expect(frame.windows[0]?.center).toBeCloseTo(0.684 * 4095 + 400 - 1600, 6);
    expect(frame.windows[0]?.width).toBe(2800);
    const plain = modalityFrame(image, 0, { invertMonochrome1: false });
    stored.forEach((value, index) => expect(plain.values[index]).toBeCloseTo(0.684 * value + 200, 3));
  });

  it('gives Hounsfield units from RescaleIntercept -1024', async () => {
    const bytes = mirrorBytes('ct-series-pcir-16px', '2062');
    const stored = Array.from(rawPixels(bytes), (value) => (value >= 0x8000 ? value - 0x10000 : value));
    const frame = modalityFrame(await decodeDicomImage(bytes, '2062'));
    expect(frame.inverted).toBe(false);
    expect([...frame.values]).toEqual(stored.map((value) => value - 1024));
  });

  it('refuses colour images, naming the tag', async () => {
    const us = await readDicomImage(mirrorFile('other-modalities', 'US1_J2KR.dcm'));
    expect(() => modalityFrame(us)).toThrow(/US1_J2KR\.dcm: invalid \(0028,0002\) SamplesPerPixel/);
  });
});

describe('windowing', () => {
  it('maps the presets linearly to [0, 1] with the DICOM window function', () => {
    expect([...windowToUnit([-1350, -600.5, 149, 150, 2000], 'lung')]).toEqual([0, 0.5, 1, 1, 1]);
    expect([...windowToUnit([-160, 40, 240], 'mediastinum')].map((value) => Number(value.toFixed(3)))).toEqual([0, 0.501, 1]);
    // 40 HU: ((40 - 39.5) / 79 + 0.5) x 255 = 129.1.
    expect([...windowToUint8([0, 40, 80, -1000], WINDOW_PRESETS.brain)]).toEqual([0, 129, 255, 0]);
  });

  it('rejects a width below 1', () => {
    expect(() => windowToUnit([0], { center: 0, width: 0 })).toThrow(/width 0/);
  });
});
