import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeDicomImage, readDicomImage } from './pixel-data.ts';
import { buildTestDicom, dicomMirror, imageElements, mirrorFile } from './dicom-test-files.ts';

const SYNTAX_FILES: Record<string, string> = {
  '1.2.840.10008.1.2': 'CTImage.dcm',
  '1.2.840.10008.1.2.1': 'CTImage.dcm_LittleEndianExplicitTransferSyntax_1.2.840.10008.1.2.1.dcm',
  '1.2.840.10008.1.2.4.70': 'CTImage.dcm_JPEGProcess14SV1TransferSyntax_1.2.840.10008.1.2.4.70.dcm',
  '1.2.840.10008.1.2.5': 'CTImage.dcm_RLELosslessTransferSyntax_1.2.840.10008.1.2.5.dcm',
  '1.2.840.10008.1.2.4.80': 'CTImage.dcm_JPEGLSLosslessTransferSyntax_1.2.840.10008.1.2.4.80.dcm',
  '1.2.840.10008.1.2.4.90': 'CTImage.dcm_JPEG2000LosslessOnlyTransferSyntax_1.2.840.10008.1.2.4.90.dcm',
};

function mirrorDicomFiles(): string[] {
  const root = dicomMirror();
  return readdirSync(root, { recursive: true, encoding: 'utf8' })
    .map((relative) => path.join(root, relative))
    .filter((file) => statSync(file).isFile() && path.dirname(file) !== root)
    .sort();
}

function extent(values: ArrayLike<number>): [number, number] {
  let min = Infinity;
  let max = -Infinity;
  for (let index = 0; index < values.length; index += 1) {
    const value = values[index] ?? 0;
    if (value < min) min = value;
    if (value > max) max = value;
  }
  return [min, max];
}

function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): string | undefined {
  if (a.length !== b.length) return `lengths ${a.length} and ${b.length}`;
  for (let index = 0; index < a.length; index += 1) if (a[index] !== b[index]) return `index ${index}: ${a[index]} vs ${b[index]}`;
  return undefined;
}

describe('DICOM pixel decoding', () => {
  it('decodes every file of the mirror to frames matching its header', async () => {
    const files = mirrorDicomFiles();
    expect(files).toHaveLength(26);
    for (const file of files) {
      const image = await readDicomImage(file);
      const { rows, columns, samplesPerPixel, numberOfFrames } = image.header;
      expect(image.frames, file).toHaveLength(numberOfFrames);
      for (const frame of image.frames) expect(frame.length, file).toBe(rows * columns * samplesPerPixel);
    }
  });

  it('decodes the six transfer syntaxes of one CT slice to identical signed pixels', async () => {
    const decoded = await Promise.all(
      Object.entries(SYNTAX_FILES).map(async ([uid, name]) => ({ uid, image: await readDicomImage(mirrorFile('ct-transfer-syntaxes', name)) })),
    );
    const reference = decoded[0]?.image.frames[0];
    if (reference === undefined) throw new Error('no reference frame');
    expect(reference).toBeInstanceOf(Int16Array);
    // PROVENANCE.md: min -2000, max 2402, checked there with GDCM.
    expect(extent(reference)).toEqual([-2000, 2402]);
    for (const { uid, image } of decoded) {
      expect(image.header.transferSyntaxUid).toBe(uid);
      expect(image.frames[0]).toBeInstanceOf(Int16Array);
      expect(firstDifference(image.frames[0] ?? [], reference), uid).toBeUndefined();
    }
  });

  it('decodes the compressed NM (JPEG lossless, two fragments) and the RGB ultrasound (JPEG 2000, YBR_RCT)', async () => {
    const nm = await readDicomImage(mirrorFile('other-modalities', 'JPEG-LL.dcm'));
    expect([nm.header.rows, nm.header.columns, nm.frames[0]?.length]).toEqual([1024, 256, 1024 * 256]);
    expect(extent(nm.frames[0] ?? [])[1]).toBeGreaterThan(0);
    const us = await readDicomImage(mirrorFile('other-modalities', 'US1_J2KR.dcm'));
    expect(us.photometricInterpretation).toBe('RGB');
    expect(us.frames[0]).toBeInstanceOf(Uint8Array);
    expect(us.frames[0]?.length).toBe(480 * 640 * 3);
  });

  it('reads explicit VR big endian, swapping 16-bit samples', async () => {
    const values = [-1024, 0, 1, 300, -2, 32767];
    const pixels = new Uint8Array(values.length * 2);
    values.forEach((value, index) => new DataView(pixels.buffer).setInt16(index * 2, value, false));
    const bytes = buildTestDicom({
      transferSyntaxUid: '1.2.840.10008.1.2.2',
      elements: [...imageElements({ rows: 2, columns: 3, pixelRepresentation: 1 }), { tag: 0x7fe00010, vr: 'OW', value: pixels }],
    });
    const image = await decodeDicomImage(bytes, 'big-endian.dcm');
    expect([image.header.rows, image.header.columns]).toEqual([2, 3]);
    expect([...(image.frames[0] ?? [])]).toEqual(values);
  });

  it('splits multi-frame native data and sign-extends 12 stored bits, ignoring bits above HighBit', async () => {
    const stored = [
      [0x0fff, 0x0800, 0x07ff, 0x0001],
      [0x0000, 0x0ffe, 0x0123, 0x0abc],
    ];
    const pixels = new Uint8Array(16);
    stored.flat().forEach((value, index) => new DataView(pixels.buffer).setUint16(index * 2, value | 0xf000, true));
    const bytes = buildTestDicom({
      transferSyntaxUid: '1.2.840.10008.1.2.1',
      elements: [
        ...imageElements({ rows: 2, columns: 2, bitsStored: 12, pixelRepresentation: 1, frames: 2 }),
        { tag: 0x7fe00010, vr: 'OW', value: pixels },
      ],
    });
    const image = await decodeDicomImage(bytes, 'multi-frame.dcm');
    const signed = (value: number): number => (value >= 0x800 ? value - 0x1000 : value);
    expect(image.frames.map((frame) => [...frame])).toEqual(stored.map((frame) => frame.map(signed)));
  });

  it('interleaves planar RGB and reads implicit VR little endian 8-bit data', async () => {
    const planes = Uint8Array.from([10, 11, 12, 13, 20, 21, 22, 23, 30, 31, 32, 33]);
    const bytes = buildTestDicom({
      transferSyntaxUid: '1.2.840.10008.1.2',
      elements: [
        ...imageElements({ rows: 2, columns: 2, bitsAllocated: 8, samplesPerPixel: 3, planarConfiguration: 1 }),
        { tag: 0x7fe00010, vr: 'OB', value: planes },
      ],
    });
    const image = await decodeDicomImage(bytes, 'planar.dcm');
    expect([...(image.frames[0] ?? [])]).toEqual([10, 20, 30, 11, 21, 31, 12, 22, 32, 13, 23, 33]);
  });
});
