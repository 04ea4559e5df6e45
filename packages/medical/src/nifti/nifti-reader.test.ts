import { gzipSync } from 'node:zlib';
import * as niftiReaderJs from 'nifti-reader-js';
import { describe, expect, it } from 'vitest';
import { isNiftiError } from './nifti-errors.ts';
import type { NiftiErrorDetail } from './nifti-errors.ts';
import { decodeNiftiBytes } from './nifti-reader.ts';
import { buildTestNifti } from './nifti-test-files.ts';

function thrown(run: () => unknown): NiftiErrorDetail & Error {
  try {
    run();
  } catch (error) {
    if (isNiftiError(error)) return error;
    throw error;
  }
  throw new Error('expected a NiftiError');
}

const CASES = [
  { datatype: 2, bitpix: 8, values: [0, 1, 128, 255] },
  { datatype: 256, bitpix: 8, values: [-128, -1, 0, 127] },
  { datatype: 4, bitpix: 16, values: [-32768, -1024, 7, 32767] },
  { datatype: 512, bitpix: 16, values: [0, 1, 40000, 65535] },
  { datatype: 8, bitpix: 32, values: [-2147483648, -5, 0, 16777216] },
  { datatype: 768, bitpix: 32, values: [0, 3, 16777216, 4294967295] },
  { datatype: 16, bitpix: 32, values: [-1.5, 0, 0.25, 3.0e38] },
  { datatype: 64, bitpix: 64, values: [-1.5, 0, 0.125, 1e6] },
  { datatype: 1024, bitpix: 64, values: [-9007199254740991n, -1n, 0n, 1234567n] },
  { datatype: 1280, bitpix: 64, values: [0n, 1n, 1234567n, 9007199254740991n] },
] as const;

describe('decodeNifti datatypes', () => {
  for (const version of [1, 2] as const) {
    for (const littleEndian of [true, false]) {
      for (const { datatype, bitpix, values } of CASES) {
        it(`NIfTI-${version} ${littleEndian ? 'LE' : 'BE'} datatype ${datatype} to float32`, () => {
          const bytes = buildTestNifti({ version, littleEndian, datatype, bitpix, shape: [2, 2, 1], values });
          const image = decodeNiftiBytes(bytes, 'case.nii');
          expect(image.shape).toEqual([2, 2, 1]);
          expect(image.header.version).toBe(version);
          expect(image.header.littleEndian).toBe(littleEndian);
          expect(Array.from(image.data)).toEqual(values.map((v) => Math.fround(Number(v))));
        });
      }
    }
  }

  it('reads an odd vox_offset (unaligned int16 data) through a copy', () => {
    const bytes = buildTestNifti({ datatype: 4, bitpix: 16, shape: [3], values: [1, -2, 3], header: { voxOffset: 353 } });
    const shifted = new Uint8Array(bytes.length + 1);
    shifted.set(bytes.subarray(0, 353));
    shifted.set(bytes.subarray(353), 354);
    shifted.set(bytes.subarray(353), 353);
    expect(Array.from(decodeNiftiBytes(shifted, 'odd.nii').data)).toEqual([1, -2, 3]);
  });

  it('turns rgb24 and rgba32 voxels into BT.601 luma and never scales them', () => {
    const rgb = buildTestNifti({ datatype: 128, bitpix: 24, shape: [2], values: [255, 0, 0, 10, 10, 10], header: { sclSlope: 2, sclInter: 5 } });
    expect(Array.from(decodeNiftiBytes(rgb, 'rgb.nii').data)).toEqual([Math.fround(0.299 * 255), Math.fround(10)]);
    const rgba = buildTestNifti({ datatype: 2304, bitpix: 32, shape: [1], values: [0, 0, 255, 7] });
    expect(Array.from(decodeNiftiBytes(rgba, 'rgba.nii').data)).toEqual([Math.fround(0.114 * 255)]);
  });
});

describe('decodeNifti scaling', () => {
  const values = [0, 1, -3, 100];
  const read = (sclSlope: number, sclInter: number): number[] =>
    Array.from(decodeNiftiBytes(buildTestNifti({ datatype: 4, bitpix: 16, shape: [4], values, header: { sclSlope, sclInter } }), 's.nii').data);

  it('applies scl_slope and scl_inter', () => {
    expect(read(0.5, -10)).toEqual([-10, -9.5, -11.5, 40]);
  });

  it('leaves values unscaled when scl_slope is 0 or NaN, even with an intercept', () => {
    expect(read(0, 1000)).toEqual(values);
    expect(read(Number.NaN, 1000)).toEqual(values);
  });
});

describe('decodeNifti headers', () => {
  it('keeps header extensions and starts the data at vox_offset', () => {
    const bytes = buildTestNifti({ datatype: 2, bitpix: 8, shape: [3], values: [9, 8, 7], extensions: [{ code: 6, text: 'a comment' }, { code: 4, text: 'x'.repeat(20) }] });
    const image = decodeNiftiBytes(bytes, 'ext.nii');
    expect(image.header.voxOffset).toBe(352 + 32 + 32);
    expect(image.extensions.map((e) => [e.code, e.data.length])).toEqual([
      [6, 24],
      [4, 24],
    ]);
    expect(new TextDecoder().decode(image.extensions[0]?.data).replace(/\0+$/, '')).toBe('a comment');
    expect(Array.from(image.data)).toEqual([9, 8, 7]);
  });

  it('agrees with nifti-reader-js on a NIfTI-2 big-endian header (independent parser)', () => {
    const srow = [
      [0, -1.5, 0, 10],
      [2, 0, 0, -20],
      [0, 0, 3, 30],
    ] as const;
    const bytes = buildTestNifti({
      version: 2,
      littleEndian: false,
      datatype: 4,
      bitpix: 16,
      shape: [2, 3, 4, 5],
      values: Array.from({ length: 120 }, (_, i) => i - 60),
      header: { pixdim: [-1, 2, 1.5, 3, 2.5, 0, 0, 0], sformCode: 2, qformCode: 1, quatern: [0.1, 0.2, 0.3], qoffset: [4, 5, 6], srow, sclSlope: 2, sclInter: 1 },
    });
    const ours = decodeNiftiBytes(bytes, 'v2.nii');
    const buffer = bytes.slice().buffer;
    expect(niftiReaderJs.isNIFTI2(buffer)).toBe(true);
    const theirs = niftiReaderJs.readHeader(buffer);
    expect(theirs.littleEndian).toBe(false);
    expect(ours.shape).toEqual(theirs.dims.slice(1, 5));
    expect(ours.header.pixdim).toEqual(theirs.pixDims);
    expect(ours.header.voxOffset).toBe(theirs.vox_offset);
    expect([ours.header.sclSlope, ours.header.sclInter, ours.header.qformCode, ours.header.sformCode]).toEqual([theirs.scl_slope, theirs.scl_inter, theirs.qform_code, theirs.sform_code]);
    expect(ours.header.quatern).toEqual([theirs.quatern_b, theirs.quatern_c, theirs.quatern_d]);
    expect(ours.affine.slice(0, 3)).toEqual(theirs.affine.slice(0, 3));
    expect(ours.data[0]).toBe(-60 * 2 + 1);
    expect(ours.data[119]).toBe(59 * 2 + 1);
  });

  it('chooses sform over qform, qform without sform, and pixdim without either', () => {
    const base = { datatype: 2, bitpix: 8, shape: [1, 1, 1], values: [0] } as const;
    const header = { pixdim: [1, 2, 3, 4, 0, 0, 0, 0], quatern: [0, 0, 0] as const, qoffset: [7, 8, 9] as const, srow: [[-1, 0, 0, 1], [0, 1, 0, 2], [0, 0, 1, 3]] as const };
    const best = (sformCode: number, qformCode: number): [string, readonly number[] | undefined] => {
      const image = decodeNiftiBytes(buildTestNifti({ ...base, header: { ...header, sformCode, qformCode } }), 'a.nii');
      return [image.affineSource, image.affine[0]];
    };
    expect(best(2, 1)).toEqual(['sform', [-1, 0, 0, 1]]);
    expect(best(0, 1)).toEqual(['qform', [2, 0, 0, 7]]);
    expect(best(0, 0)).toEqual(['pixdim', [2, 0, 0, 0]]);
  });
});

describe('decodeNifti errors', () => {
  const good = (): Uint8Array => buildTestNifti({ datatype: 4, bitpix: 16, shape: [4, 4, 2], values: Array.from({ length: 32 }, (_, i) => i) });

  it('names a corrupt or truncated .nii.gz', () => {
    const gz = gzipSync(good());
    const error = thrown(() => decodeNiftiBytes(gz.subarray(0, gz.length - 20), 'cut.nii.gz'));
    expect(error.kind).toBe('GunzipFailed');
    expect(error.message).toMatch(/^cut\.nii\.gz: gzip stream is corrupt or truncated/);
    const flipped = gz.slice();
    flipped[30] = (flipped[30] ?? 0) ^ 0xff;
    expect(thrown(() => decodeNiftiBytes(flipped, 'flip.nii.gz')).kind).toBe('GunzipFailed');
  });

  it('names sizeof_hdr and magic', () => {
    const bytes = good();
    new DataView(bytes.buffer).setInt32(0, 349, true);
    const size = thrown(() => decodeNiftiBytes(bytes, 'size.nii'));
    expect([size.kind, 'field' in size ? size.field : '']).toEqual(['BadHeader', 'sizeof_hdr']);
    expect(size.message).toContain('size.nii');
    const magic = good();
    magic.set([0x6e, 0x69, 0x31], 344);
    const pair = thrown(() => decodeNiftiBytes(magic, 'pair.nii'));
    expect(pair.message).toMatch(/^pair\.nii: bad NIfTI header field magic: 'ni1'/);
    magic.set([0x78, 0x78, 0x78], 344);
    expect(thrown(() => decodeNiftiBytes(magic, 'xxx.nii')).message).toContain("field magic: 'xxx'");
    expect(thrown(() => decodeNiftiBytes(new Uint8Array(2), 'tiny.nii')).message).toContain('sizeof_hdr');
  });

  it('names dim x bitpix when the voxel data are short', () => {
    const bytes = good();
    const error = thrown(() => decodeNiftiBytes(bytes.subarray(0, bytes.length - 1), 'short.nii'));
    expect(error.kind).toBe('TruncatedData');
    expect(error).toMatchObject({ expectedBytes: 352 + 64, actualBytes: 352 + 63, field: 'dim' });
    expect(error.message).toContain('short.nii: voxel data shorter than header fields dim x bitpix say');
  });

  it('names unsupported datatypes, a bitpix that contradicts datatype, bad dims and vox_offset', () => {
    const complex = thrown(() => decodeNiftiBytes(buildTestNifti({ datatype: 32, bitpix: 64, shape: [1], values: [0, 0, 0, 0, 0, 0, 0, 0] }), 'c.nii'));
    expect(complex).toMatchObject({ kind: 'UnsupportedDatatype', datatype: 32, field: 'datatype' });
    expect(complex.message).toMatch(/^c\.nii: header field datatype 32/);
    expect(thrown(() => decodeNiftiBytes(buildTestNifti({ datatype: 99, bitpix: 8, shape: [1], values: [0] }), 'u.nii')).message).toContain('not a NIfTI datatype code');
    expect(thrown(() => decodeNiftiBytes(buildTestNifti({ datatype: 4, bitpix: 8, shape: [2], values: [0, 0] }), 'b.nii'))).toMatchObject({ kind: 'BadHeader', field: 'bitpix' });
    expect(thrown(() => decodeNiftiBytes(buildTestNifti({ datatype: 2, bitpix: 8, shape: [2, 0], values: [] }), 'd.nii'))).toMatchObject({ kind: 'BadHeader', field: 'dim[2]' });
    expect(thrown(() => decodeNiftiBytes(buildTestNifti({ datatype: 2, bitpix: 8, shape: [1], values: [0], header: { voxOffset: 100 } }), 'v.nii'))).toMatchObject({
      kind: 'BadHeader',
      field: 'vox_offset',
    });
  });
});
