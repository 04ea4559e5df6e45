import { describe, expect, it } from 'vitest';
import { isDicomError } from './dicom-errors.ts';
import type { DicomError } from './dicom-errors.ts';
import { parseDicomFile } from './dicom-file.ts';
import { mirrorBytes } from './dicom-test-files.ts';
import { decodeDicomImage } from './pixel-data.ts';

const EXPLICIT = 'CTImage.dcm_LittleEndianExplicitTransferSyntax_1.2.840.10008.1.2.1.dcm';
const IMPLICIT = 'CTImage.dcm';
const RLE = 'CTImage.dcm_RLELosslessTransferSyntax_1.2.840.10008.1.2.5.dcm';
const JPEG_LS = 'CTImage.dcm_JPEGLSLosslessTransferSyntax_1.2.840.10008.1.2.4.80.dcm';

function ct(name: string): Uint8Array {
  return mirrorBytes('ct-transfer-syntaxes', name);
}

/** Offset of the first occurrence of `needle` in `bytes`. */
function indexOf(bytes: Uint8Array, needle: readonly number[], from = 0): number {
  for (let at = from; at <= bytes.length - needle.length; at += 1) if (needle.every((byte, index) => bytes[at + index] === byte)) return at;
  throw new Error(`bytes ${needle.join(',')} not found`);
}

function parseError(bytes: Uint8Array, file: string): unknown {
  try {
    parseDicomFile(bytes, file);
  } catch (error) {
    return error;
  }
  throw new Error(`${file} parsed`);
}

describe('DICOM read errors', () => {
  it.each([
    ['explicit LE, inside the pixel data', EXPLICIT, -1000, '(7FE0,0010) PixelData'],
    ['explicit LE, one byte short', EXPLICIT, -1, '(7FE0,0010) PixelData'],
    ['implicit LE, one byte short (dicom-parser accepts it)', IMPLICIT, -1, '(7FE0,0010) PixelData'],
    ['RLE, inside the fragment', RLE, -1000, '(7FE0,0010) PixelData'],
    ['explicit LE, inside the patient module', EXPLICIT, 1000, '(0010,0010)'],
    ['the meta group', EXPLICIT, 150, '(0002,'],
    ['implicit LE, between two elements', IMPLICIT, 3000, '(0027,1035)'],
  ])('reports a file truncated in %s, naming the file and the tag', (_, name, cut, tag) => {
    const bytes = ct(name);
    const truncated = bytes.subarray(0, cut < 0 ? bytes.length + cut : cut);
    const error = parseError(truncated, `cut-${name}`);
    expect(isDicomError(error)).toBe(true);
    expect(error).toMatchObject({ kind: 'Truncated', file: `cut-${name}` });
    const truncation = error as Extract<DicomError, { kind: 'Truncated' }>;
    expect(truncation.tag).toContain(tag);
    expect(truncation.message).toContain(`cut-${name}: truncated at ${tag}`);
  });

  it('reports missing pixel data when (7FE0,0010) is dropped', () => {
    const bytes = ct(EXPLICIT);
    const withoutPixels = bytes.subarray(0, indexOf(bytes, [0xe0, 0x7f, 0x10, 0x00, 0x4f, 0x57]));
    expect(parseError(withoutPixels, 'no-pixels.dcm')).toMatchObject({
      kind: 'MissingPixelData',
      file: 'no-pixels.dcm',
      tag: '(7FE0,0010) PixelData',
      message: 'no-pixels.dcm: no pixel data (7FE0,0010) PixelData',
    });
  });

  it('reports an unsupported transfer syntax with the file and the UID', () => {
    const bytes = ct(JPEG_LS).slice();
    // Same length, so the meta group stays valid: JPEG-LS lossless .4.80 becomes JPEG baseline .4.50.
    const uid = new TextEncoder().encode('1.2.840.10008.1.2.4.80');
    const at = indexOf(bytes, [...uid]);
    bytes.set(new TextEncoder().encode('1.2.840.10008.1.2.4.50'), at);
    expect(parseError(bytes, 'baseline.dcm')).toMatchObject({
      kind: 'UnsupportedTransferSyntax',
      file: 'baseline.dcm',
      transferSyntaxUid: '1.2.840.10008.1.2.4.50',
      message: 'baseline.dcm: unsupported transfer syntax 1.2.840.10008.1.2.4.50 in (0002,0010) TransferSyntaxUID',
    });
  });

  it('reports files that are not DICOM', () => {
    expect(parseError(new TextEncoder().encode('60 floats,R\n'), 'sonar.csv')).toMatchObject({ kind: 'NotDicom', file: 'sonar.csv', message: 'sonar.csv: not a DICOM Part 10 file (12 bytes, shorter than the 128-byte preamble and DICM prefix)' });
    expect(parseError(new Uint8Array(4096), 'zeros.bin')).toMatchObject({ kind: 'NotDicom', message: 'zeros.bin: not a DICOM Part 10 file (no DICM prefix at byte 128)' });
  });

  it('reports a codec failure as PixelDecodeFailed, naming the file, the tag and the syntax', async () => {
    const bytes = ct(JPEG_LS).slice();
    // Overwrite the JPEG-LS start-of-frame marker (FFF7) inside the fragment.
    bytes[indexOf(bytes, [0xff, 0xd8, 0xff, 0xf7]) + 3] = 0x00;
    const error = await decodeDicomImage(bytes, 'broken-ls.dcm').catch((thrown: unknown) => thrown);
    expect(error).toMatchObject({ kind: 'PixelDecodeFailed', file: 'broken-ls.dcm', transferSyntaxUid: '1.2.840.10008.1.2.4.80' });
    expect((error as DicomError).message).toMatch(/^broken-ls\.dcm: cannot decode \(7FE0,0010\) PixelData .*CharLS rejected the code stream/);
  });

  it('reports a native pixel data element too short for the header', async () => {
    const bytes = ct(EXPLICIT).slice();
    // Rows 512 -> 1024 (little endian US value right after the (0028,0010) US header).
    const rows = indexOf(bytes, [0x28, 0x00, 0x10, 0x00, 0x55, 0x53, 0x02, 0x00]) + 8;
    bytes[rows + 1] = 0x04;
    const error = await decodeDicomImage(bytes, 'rows.dcm').catch((thrown: unknown) => thrown);
    expect(error).toMatchObject({ kind: 'InvalidTagValue', tag: '(7FE0,0010) PixelData' });
    expect((error as DicomError).message).toContain('holds 524288 bytes');
  });
});
