import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDicomFile, readDicomFile } from './dicom-file.ts';
import { loadDicomFolderVolumes, scanDicomFolder } from './dicom-folder.ts';
import { groupDicomSeries } from './dicom-series.ts';
import { buildTestDicom, imageElements, mirrorBytes, mirrorFile } from './dicom-test-files.ts';
import { buildDicomVolume } from './dicom-volume.ts';
import { decodeDicomImage } from './pixel-data.ts';

const PCIR = ['2062', '2392', '2693', '3023', '3353'];

function syntheticSlice(fields: Parameters<typeof imageElements>[0], fill: number): Uint8Array {
  const pixels = new Uint8Array(fields.rows * fields.columns * 2);
  const view = new DataView(pixels.buffer);
  for (let index = 0; index < fields.rows * fields.columns; index += 1) view.setInt16(index * 2, fill, true);
  return buildTestDicom({ transferSyntaxUid: '1.2.840.10008.1.2.1', elements: [...imageElements(fields), { tag: 0x7fe00010, vr: 'OW', value: pixels }] });
}

describe('DICOM series', () => {
  it('stacks the gantry-tilted head CT at 4.00 mm along the slice normal, 4.22 mm apart in z', async () => {
    const files = await Promise.all(Array.from({ length: 10 }, (_, index) => readDicomFile(mirrorFile('ct-series-ge-head', `${String(index + 1).padStart(2, '0')}.dcm`))));
    const [series] = groupDicomSeries([...files].reverse());
    if (series === undefined) throw new Error('no series');
    expect(series.order).toBe('position');
    expect(series.files.map((file) => file.header.instanceNumber)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const volume = await buildDicomVolume(series);
    expect(volume.dims).toEqual([512, 512, 10]);
    expect(volume.spacing[0]).toBeCloseTo(0.4882812, 7);
    expect(volume.spacing[2]).toBeCloseTo(4.0, 2);
    expect(volume.affine[10]).toBeCloseTo(4.22, 3); // z step of the affine's slice column: the sheared stack
    expect(volume.shearDegrees).toBeCloseTo(18.5, 1);
    expect(volume.warnings).toEqual([]);
    // Voxel (0, 0, 9) lands on slice 10's ImagePositionPatient; voxel (1, 1, 0) one pixel along row and column.
    const at = (i: number, j: number, k: number): number[] =>
      [0, 1, 2].map((row) => (volume.affine[row * 4] ?? 0) * i + (volume.affine[row * 4 + 1] ?? 0) * j + (volume.affine[row * 4 + 2] ?? 0) * k + (volume.affine[row * 4 + 3] ?? 0));
    at(0, 0, 9).forEach((value, axis) => expect(value).toBeCloseTo([-125, -123.5404569, 43.8160586][axis] ?? NaN, 4));
    at(1, 1, 0).forEach((value, axis) => expect(value).toBeCloseTo([-125 + 0.4882812, -123.5404569 + 0.4882812 * 0.9483237, 5.8360586 - 0.4882812 * 0.3173047][axis] ?? NaN, 5));
    // Stored values are HU already (slope 1, intercept 0) and padding is -1500.
    expect(volume.data[0]).toBe(-1500);
  });

  it('orders the 16x16 series by position along the normal, not by InstanceNumber', async () => {
    const files = PCIR.map((name) => parseDicomFile(mirrorBytes('ct-series-pcir-16px', name), name));
    const [series] = groupDicomSeries(files);
    expect(series?.order).toBe('position');
    // z falls as InstanceNumber rises (8.7625 -> -1.2375), so ascending position is descending instance number.
    expect(series?.files.map((file) => file.header.instanceNumber)).toEqual([10, 9, 8, 7, 6]);
    expect(series?.files.map((file) => file.header.imagePositionPatient?.[2])).toEqual([-1.2375, 1.2625, 3.7625, 6.2625, 8.7625]);
    const volume = await buildDicomVolume(series ?? { seriesInstanceUid: '', files: [], order: 'position', warnings: [] });
    expect(volume.spacing[2]).toBeCloseTo(2.5, 6);
    expect(volume.files).toEqual(['3353', '3023', '2693', '2392', '2062']);
    // Slice 0 is file 3353: its stored values minus 1024 (RescaleIntercept).
    const first = await decodeDicomImage(mirrorBytes('ct-series-pcir-16px', '3353'), '3353');
    expect([...volume.data.subarray(0, 256)]).toEqual(Array.from(first.frames[0] ?? [], (value) => value - 1024));
  });

  it('falls back to InstanceNumber without positions, and says so', () => {
    const files = [3, 1, 2].map((instance) => parseDicomFile(syntheticSlice({ rows: 2, columns: 2, instance }, instance), `slice-${instance}.dcm`));
    const [series] = groupDicomSeries(files);
    expect(series?.order).toBe('instance-number');
    expect(series?.files.map((file) => file.file)).toEqual(['slice-1.dcm', 'slice-2.dcm', 'slice-3.dcm']);
    expect(series?.warnings.join()).toMatch(/ImagePositionPatient or ImageOrientationPatient missing/);
  });

  it('refuses a series with mixed sizes, naming both files and the tag', async () => {
    const orientation = '1\\0\\0\\0\\1\\0';
    const small = parseDicomFile(syntheticSlice({ rows: 2, columns: 2, position: '0\\0\\0', orientation }, 1), 'small.dcm');
    const large = parseDicomFile(syntheticSlice({ rows: 4, columns: 2, position: '0\\0\\1', orientation }, 2), 'large.dcm');
    const [series] = groupDicomSeries([small, large]);
    if (series === undefined) throw new Error('no series');
    const error = await buildDicomVolume(series).catch((thrown: unknown) => thrown);
    expect(error).toMatchObject({ kind: 'MixedSeriesGeometry', file: 'large.dcm', otherFile: 'small.dcm', tag: '(0028,0010) Rows' });
    expect((error as Error).message).toBe('large.dcm: (0028,0010) Rows differs from small.dcm in the same series (4 against 2)');
  });

  it('loads a folder with a bad file and a bad series beside good ones, reporting each failure', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'tessera-dicom-folder-'));
    try {
      const orientation = '1\\0\\0\\0\\1\\0';
      const good = [0, 1, 2].map((k) => syntheticSlice({ rows: 2, columns: 2, series: '1.2.9.1', position: `0\\0\\${k * 2}`, orientation, instance: k }, k * 10));
      await Promise.all(good.map((bytes, k) => writeFile(path.join(dir, `good-${k}`), bytes)));
      await writeFile(path.join(dir, 'mixed-a'), syntheticSlice({ rows: 2, columns: 2, series: '1.2.9.2', position: '0\\0\\0', orientation }, 0));
      await writeFile(path.join(dir, 'mixed-b'), syntheticSlice({ rows: 3, columns: 3, series: '1.2.9.2', position: '0\\0\\1', orientation }, 0));
      await writeFile(path.join(dir, 'cut'), good[0]?.subarray(0, (good[0]?.length ?? 0) - 3) ?? new Uint8Array());
      await writeFile(path.join(dir, 'notes.bin'), 'not dicom at all');
      await writeFile(path.join(dir, 'README.md'), '# skipped by name');
      const scan = await scanDicomFolder(dir);
      expect(scan.series.map((series) => series.files.length)).toEqual([3, 2]);
      expect(scan.failures.map((failure) => [path.basename(failure.file), failure.kind])).toEqual([
        ['cut', 'Truncated'],
        ['notes.bin', 'NotDicom'],
      ]);
      const loaded = await loadDicomFolderVolumes(dir);
      expect(loaded.volumes).toHaveLength(1);
      expect(loaded.volumes[0]?.dims).toEqual([2, 2, 3]);
      expect(loaded.volumes[0]?.spacing[2]).toBe(2);
      expect([...(loaded.volumes[0]?.data ?? [])]).toEqual([0, 0, 0, 0, 10, 10, 10, 10, 20, 20, 20, 20]);
      expect(loaded.failures.map((failure) => failure.kind)).toEqual(['Truncated', 'NotDicom', 'MixedSeriesGeometry']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
