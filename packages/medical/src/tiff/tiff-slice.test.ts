import { describe, expect, it } from 'vitest';
import { toBinaryMask } from './gray-slice.ts';
import { isSliceError } from './slice-errors.ts';
import { decodeTiffSlice } from './tiff-slice.ts';

interface TestTiff {
  readonly width: number;
  readonly height: number;
  readonly bits: 8 | 16;
  readonly samplesPerPixel?: number;
  readonly sampleFormat?: number;
  readonly photometric?: number;
  readonly littleEndian?: boolean;
  readonly samples: readonly number[];
}

/** An uncompressed single-strip baseline TIFF, written tag by tag (a path independent of utif2's encoder). */
function buildTiff(tiff: TestTiff): Uint8Array {
  const le = tiff.littleEndian ?? true;
  const spp = tiff.samplesPerPixel ?? 1;
  const tags: [number, number, number][] = [
    [256, 3, tiff.width],
    [257, 3, tiff.height],
    [258, 3, tiff.bits],
    [259, 3, 1],
    [262, 3, tiff.photometric ?? (spp >= 3 ? 2 : 1)],
    [273, 4, 0],
    [277, 3, spp],
    [278, 3, tiff.height],
    [279, 4, (tiff.samples.length * tiff.bits) / 8],
    [339, 3, tiff.sampleFormat ?? 1],
  ];
  const ifdOffset = 8;
  const dataOffset = ifdOffset + 2 + tags.length * 12 + 4;
  const bytes = new Uint8Array(dataOffset + (tiff.samples.length * tiff.bits) / 8);
  const view = new DataView(bytes.buffer);
  bytes.set(le ? [0x49, 0x49] : [0x4d, 0x4d]);
  view.setUint16(2, 42, le);
  view.setUint32(4, ifdOffset, le);
  view.setUint16(ifdOffset, tags.length, le);
  tags.forEach(([tag, type, value], i) => {
    const at = ifdOffset + 2 + i * 12;
    view.setUint16(at, tag, le);
    view.setUint16(at + 2, type, le);
    view.setUint32(at + 4, 1, le);
    const stored = tag === 273 ? dataOffset : value;
    if (type === 3) view.setUint16(at + 8, stored, le);
    else view.setUint32(at + 8, stored, le);
  });
  tiff.samples.forEach((value, i) => {
    if (tiff.bits === 8) view.setUint8(dataOffset + i, value & 0xff);
    else view.setUint16(dataOffset + i * 2, value & 0xffff, le);
  });
  return bytes;
}

function thrown(run: () => unknown): Error & { kind: string } {
  try {
    run();
  } catch (error) {
    if (isSliceError(error)) return error;
    throw error;
  }
  throw new Error('expected a SliceError');
}

describe('decodeTiffSlice', () => {
  it('reads 16-bit unsigned grey slices in either byte order', () => {
    for (const littleEndian of [true, false]) {
      const slice = decodeTiffSlice(buildTiff({ width: 3, height: 2, bits: 16, littleEndian, samples: [0, 1, 256, 1000, 40000, 65535] }), 'u16.tif');
      expect([slice.width, slice.height, slice.bitsPerSample, slice.conversion]).toEqual([3, 2, 16, 'gray']);
      expect(Array.from(slice.data)).toEqual([0, 1, 256, 1000, 40000, 65535]);
    }
  });

  it('reads signed 16-bit CT values (SampleFormat 2) as Hounsfield units', () => {
    const hu = [-1024, -600, -1, 0, 40, 3071];
    for (const littleEndian of [true, false]) {
      const slice = decodeTiffSlice(buildTiff({ width: 2, height: 3, bits: 16, sampleFormat: 2, littleEndian, samples: hu }), 'ct.tif');
      expect(Array.from(slice.data)).toEqual(hu);
    }
  });

  it('inverts WhiteIsZero and turns RGB into BT.601 luma', () => {
    expect(Array.from(decodeTiffSlice(buildTiff({ width: 2, height: 1, bits: 8, photometric: 0, samples: [0, 200] }), 'w.tif').data)).toEqual([255, 55]);
    const rgb = decodeTiffSlice(buildTiff({ width: 2, height: 1, bits: 8, samplesPerPixel: 3, samples: [255, 0, 0, 90, 90, 90] }), 'rgb.tif');
    expect(rgb.conversion).toBe('luma');
    expect(Array.from(rgb.data)).toEqual([Math.fround(0.299 * 255), 90]);
  });

  it('names the TIFF tag of formats it does not read, and undecodable bytes', () => {
    const palette = thrown(() => decodeTiffSlice(buildTiff({ width: 1, height: 1, bits: 8, photometric: 3, samples: [1] }), 'pal.tif'));
    expect(palette.message).toBe('pal.tif: unsupported PhotometricInterpretation (262) 3 (Palette): only grey and RGB slices are read');
    const float16 = thrown(() => decodeTiffSlice(buildTiff({ width: 1, height: 1, bits: 16, sampleFormat: 3, samples: [1] }), 'f16.tif'));
    expect(float16.message).toContain('f16.tif: unsupported SampleFormat (339) 16/3');
    expect(thrown(() => decodeTiffSlice(new TextEncoder().encode('not a tiff at all'), 'junk.tif')).kind).toBe('UndecodableImage');
  });
});

describe('toBinaryMask', () => {
  it('thresholds 8-bit masks at 128 and other depths at 1', () => {
    const base = { file: 'm', width: 4, height: 1, samplesPerPixel: 1, conversion: 'gray' } as const;
    expect(Array.from(toBinaryMask({ ...base, bitsPerSample: 8, data: Float32Array.from([0, 127, 128, 255]) }))).toEqual([0, 0, 1, 1]);
    expect(Array.from(toBinaryMask({ ...base, bitsPerSample: 16, data: Float32Array.from([0, 1, 2, 65535]) }))).toEqual([0, 1, 1, 1]);
    expect(Array.from(toBinaryMask({ ...base, bitsPerSample: 8, data: Float32Array.from([0, 1, 2, 3]) }, 2))).toEqual([0, 0, 1, 1]);
  });
});
