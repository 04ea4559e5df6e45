import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTestDicom, imageElements } from '@tessera/medical/dicom/dicom-test-files';
import type { TestElement } from '@tessera/medical/dicom/dicom-test-files';
import { affineFromRows } from '@tessera/medical/nifti/nifti-affine';
import { encodeNifti1 } from '@tessera/medical/nifti/nifti-writer';
import { MemoryObjectStore } from '../memory-object-store.ts';
import { readDatasetFile } from './dataset-objects.ts';
import { buildZip, writeTree } from './image-folder-fixtures.ts';
import { isSegmentationIngestError } from './segmentation-errors.ts';
import { greyPng } from './segmentation-fixtures.ts';
import type { SegmentationIngestOptions } from './segmentation-ingest.ts';
import { ingestSegmentationDataset } from './segmentation-ingest.ts';
import { readSegmentationManifest } from './segmentation-manifest.ts';
import { fetchRankSegmentation, fetchSegmentationCase } from './segmentation-shard-fetch.ts';

const createdAt = new Date('2025-01-02T03:04:05.000Z');
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'tessera-segmentation-ingest-test-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Six 2D cases, `case-0`..`case-4` with a mask (a square whose side grows with the index), `case-5` without. */
async function sliceTree(): Promise<Map<string, Uint8Array | null>> {
  const files = new Map<string, Uint8Array | null>();
  for (let index = 0; index < 6; index += 1) {
    files.set(`images/case-${index}.png`, await greyPng(16, 16, (x, y) => (x + y * 16 + index * 7) % 256));
    if (index < 5) files.set(`masks/case-${index}_mask.png`, await greyPng(16, 16, (x, y) => (x < 4 + index * 2 && y < 8 ? 255 : 0)));
  }
  return files;
}

/** A 4x3x2 NIfTI volume in LAS (x runs to the left): voxel (i, j, k) holds 100 i + 10 j + k. */
function lasVolume(mask?: (i: number, j: number, k: number) => number): Uint8Array {
  const shape = [4, 3, 2];
  const data = mask === undefined ? new Float32Array(24) : new Uint8Array(24);
  for (let k = 0; k < 2; k += 1) for (let j = 0; j < 3; j += 1) for (let i = 0; i < 4; i += 1) data[i + 4 * (j + 3 * k)] = mask ? mask(i, j, k) : 100 * i + 10 * j + k;
  const affine = affineFromRows([[-2, 0, 0, 10], [0, 2, 0, -5], [0, 0, 3, 1]]);
  return gzipSync(encodeNifti1({ data, shape, affine }));
}

function options(source: string, extra: Partial<SegmentationIngestOptions> = {}): SegmentationIngestOptions {
  return { name: 'lungs', source, size: { height: 8, width: 8 }, createdAt, samplesPerShard: 2, ...extra };
}

async function ingestError(store: MemoryObjectStore, extra: Partial<SegmentationIngestOptions> & { source: string }): Promise<Error & { kind?: string; file?: string; field?: string }> {
  const error: unknown = await ingestSegmentationDataset(store, options(extra.source, extra)).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!isSegmentationIngestError(error)) throw new Error(`expected a SegmentationIngestError, got ${String(error)}`);
  return error;
}

describe('ingestSegmentationDataset', () => {
  it('packs 2D pairs into per-split shards, manifest last, and ranks read back the split in order', async () => {
    await writeTree(path.join(dir, 'src'), await sliceTree());
    const store = new MemoryObjectStore();
    const puts: string[] = [];
    const put = store.put.bind(store);
    store.put = (key, data) => {
      puts.push(key);
      return put(key, data);
    };
    const { manifest, manifestKey, reused } = await ingestSegmentationDataset(store, options(path.join(dir, 'src'), { validFraction: 0.4 }));
    expect(reused).toBe(false);
    expect(puts.at(-1)).toBe(manifestKey);
    expect(await readSegmentationManifest(store, manifestKey)).toEqual(manifest);
    const info = manifest.segmentation;
    expect(info).toMatchObject({ dims: 2, source: 'png', splits: { train: 3, valid: 2, test: 1 }, size: { height: 8, width: 8 }, classNames: ['background', 'foreground'] });
    expect(info.shards.map((shard) => [shard.split, shard.count])).toEqual([['train', 2], ['train', 1], ['valid', 2], ['test', 1]]);
    expect(manifest.summary).toBe('6 slices, 8x8 (3 train, 2 valid, 1 test, unlabeled), png OT, classes foreground');
    const train = info.cases.filter((c) => c.split === 'train').map((c) => c.id);
    const ranks = await Promise.all([0, 1].map((rank) => fetchRankSegmentation(store, manifest, { split: 'train', rank, worldSize: 2 })));
    expect(ranks.flat().map((sample) => sample.id)).toEqual(train);
    const test = await fetchSegmentationCase(store, manifest, 'case-5');
    expect(test).toMatchObject({ split: 'test', shape: [1, 8, 8], spacing: [1, 2, 2], mask: undefined });
    // case-4's mask covers x < 12, y < 8 of 16x16: the left three quarters of the top half at 8x8.
    const labeled = await fetchSegmentationCase(store, manifest, 'case-4');
    expect(labeled.mask?.reduce((sum, value) => sum + value, 0)).toBe(6 * 4);
    expect(info.cases.find((c) => c.id === 'case-4')?.foregroundVoxels).toBe(24);
    expect((await ingestSegmentationDataset(store, options(path.join(dir, 'src'), { validFraction: 0.4 }))).reused).toBe(true);
  });

  it('reorients NIfTI volumes from a zip to RAS and unions a folder of label masks', async () => {
    const zip = buildZip(new Map<string, Uint8Array | null>([
      ['set/images/ct.nii.gz', lasVolume()],
      ['set/masks/ct/a.nii.gz', lasVolume((i) => (i === 0 ? 1 : 0))],
      ['set/masks/ct/b.nii.gz', lasVolume((i, j) => (j === 2 ? 5 : 0))],
    ]));
    const source = path.join(dir, 'set.zip');
    await writeTree(dir, new Map([['set.zip', zip]]));
    const store = new MemoryObjectStore();
    const { manifest } = await ingestSegmentationDataset(store, options(source, { validFraction: 0, modality: 'CT' }));
    expect(manifest.segmentation).toMatchObject({ dims: 3, source: 'nifti', units: 'HU' });
    expect(manifest.segmentation).not.toHaveProperty('size');
    const [entry] = manifest.segmentation.cases;
    // RAS: x flipped, so the affine's first column turns positive and its origin moves to the old last column.
    expect(entry).toMatchObject({ shape: [2, 3, 4], spacing: [3, 2, 2], affine: [2, 0, 0, 4, 0, 2, 0, -5, 0, 0, 3, 1, 0, 0, 0, 1] });
    const sample = await fetchSegmentationCase(store, manifest, 'ct');
    // Stored voxel (x, y, z) holds old voxel (3 - x, y, z).
    expect(sample.image[0]).toBe(300);
    expect(sample.image[1 + 4 * (2 + 3 * 1)]).toBe(200 + 20 + 1);
    expect(sample.mask?.[3]).toBe(1);
    expect(sample.mask?.[0]).toBe(0);
    expect(sample.mask?.[4 * 2]).toBe(1);
    expect(sample.mask?.reduce((sum, value) => sum + value, 0)).toBe(2 * (3 + 4 - 1));
  });

  it('stores DICOM only de-identified, with its report, and reads the volume in HU', async () => {
    const tree = new Map<string, Uint8Array | null>();
    for (let slice = 0; slice < 3; slice += 1) {
      const pixels = new Uint8Array(4 * 4 * 2);
      new Int16Array(pixels.buffer).fill(slice * 10);
      const elements: TestElement[] = [
        { tag: 0x00080018, vr: 'UI', value: `1.2.826.0.1.3680043.99.${slice}` },
        ...imageElements({ rows: 4, columns: 4, pixelRepresentation: 1, series: '1.2.826.0.1.3680043.99.100', instance: 3 - slice, position: `0\\0\\${slice * 2}`, orientation: '1\\0\\0\\0\\1\\0' }),
        { tag: 0x00281052, vr: 'DS', value: '-1024' },
        { tag: 0x00281053, vr: 'DS', value: '1' },
        { tag: 0x7fe00010, vr: 'OW', value: pixels },
      ];
      const patient: TestElement[] = [{ tag: 0x00100010, vr: 'PN', value: 'SECRET^PATIENTNAME' }, { tag: 0x00100020, vr: 'LO', value: 'MRN-0042-XYZ' }];
      const sorted = [...elements, ...patient].sort((a, b) => a.tag - b.tag);
      tree.set(`images/scan/file${slice}`, buildTestDicom({ transferSyntaxUid: '1.2.840.10008.1.2.1', elements: sorted }));
    }
    await writeTree(path.join(dir, 'src'), tree);
    const store = new MemoryObjectStore();
    const { manifest } = await ingestSegmentationDataset(store, options(path.join(dir, 'src'), { deidentifyKey: new Uint8Array(32).fill(7) }));
    expect(manifest.segmentation).toMatchObject({ source: 'dicom', modality: 'CT', units: 'HU', splits: { train: 0, valid: 0, test: 1 } });
    expect(manifest.segmentation.originals?.[0]?.files).toHaveLength(3);
    expect(manifest.segmentation.deidentification?.files).toBe(3);
    for (const key of await store.list('datasets/')) {
      const text = (await store.get(key)).toString('latin1');
      expect(text).not.toContain('SECRET^PATIENTNAME');
      expect(text).not.toContain('MRN-0042-XYZ');
      expect(text).not.toContain('1.2.826.0.1.3680043.99.100');
    }
    const report = JSON.parse((await readDatasetFile(store, manifest, 'deidentification-report.json')).toString('utf8')) as { fileCount: number };
    expect(report.fileCount).toBe(3);
    const sample = await fetchSegmentationCase(store, manifest, 'scan');
    expect(sample.shape).toEqual([3, 4, 4]);
    // Sorted by position (z = 0, 2, 4), not by the reversed InstanceNumber; HU = stored - 1024.
    expect([sample.image[0], sample.image[16], sample.image[32]]).toEqual([-1024, -1014, -1004]);
    expect(sample.spacing).toEqual([2, 0.5, 0.5]);
  });

  it('names the file at fault and stores nothing for mismatched, corrupt or unsafe input', async () => {
    const store = new MemoryObjectStore();
    const tree = await sliceTree();
    tree.set('masks/case-2_mask.png', await greyPng(15, 16, () => 0));
    await writeTree(path.join(dir, 'shape'), tree);
    expect(await ingestError(store, { source: path.join(dir, 'shape') })).toMatchObject({ kind: 'MaskShapeMismatch', file: 'masks/case-2_mask.png' });

    const corrupt = lasVolume().subarray(0, 60);
    await writeTree(path.join(dir, 'nifti'), new Map([['images/ct.nii.gz', lasVolume()], ['masks/ct.nii.gz', corrupt]]));
    const gunzip = await ingestError(store, { source: path.join(dir, 'nifti') });
    expect(gunzip).toMatchObject({ kind: 'InvalidFile', file: 'masks/ct.nii.gz', readerKind: 'GunzipFailed' });
    expect(gunzip.message).toMatch(/^masks\/ct\.nii\.gz: gzip stream is corrupt/);

    const small = gzipSync(encodeNifti1({ data: new Uint8Array(8), shape: [2, 2, 2], affine: affineFromRows([[-2, 0, 0, 10], [0, 2, 0, -5], [0, 0, 3, 1]]) }));
    await writeTree(path.join(dir, 'nifti-shape'), new Map([['images/ct.nii.gz', lasVolume()], ['masks/ct.nii.gz', small]]));
    const mismatch = await ingestError(store, { source: path.join(dir, 'nifti-shape') });
    expect(mismatch).toMatchObject({ kind: 'MaskShapeMismatch', file: 'masks/ct.nii.gz', imageFile: 'images/ct.nii.gz' });

    await writeTree(dir, new Map([['escape.zip', buildZip(new Map([['images/a.png', tree.get('images/case-0.png') ?? null], ['../evil.png', new Uint8Array(1)]]))]]));
    expect(await ingestError(store, { source: path.join(dir, 'escape.zip') })).toMatchObject({ kind: 'UnsafeZipPath', file: '../evil.png' });

    const dicom = buildTestDicom({ transferSyntaxUid: '1.2.840.10008.1.2.1', elements: [...imageElements({ rows: 4, columns: 4 }), { tag: 0x7fe00010, vr: 'OW', value: new Uint8Array(32) }] });
    await writeTree(path.join(dir, 'dicom'), new Map([['images/scan/one', dicom], ['images/scan/two', dicom.subarray(0, dicom.length - 10)]]));
    const truncated = await ingestError(store, { source: path.join(dir, 'dicom') });
    expect(truncated).toMatchObject({ kind: 'InvalidFile', file: 'images/scan/two' });
    expect(await store.list('')).toEqual([]);
  });
});
