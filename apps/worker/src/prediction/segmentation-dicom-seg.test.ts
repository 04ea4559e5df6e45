import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dicomCanonicalPlan } from '@tessera/medical/dicom/dicom-canonical-plan';
import { parseDicomFile } from '@tessera/medical/dicom/dicom-file';
import { groupDicomSeries } from '@tessera/medical/dicom/dicom-series';
import { mirrorFile } from '@tessera/medical/dicom/dicom-test-files';
import { buildDicomVolume } from '@tessera/medical/dicom/dicom-volume';
import { applyCanonical } from '@tessera/medical/nifti/nifti-orientation';
import { encodeNifti1 } from '@tessera/medical/nifti/nifti-writer';
import { readDatasetFile } from '@tessera/storage/datasets/dataset-objects';
import { buildZip } from '@tessera/storage/datasets/image-folder-fixtures';
import { ingestSegmentationDataset } from '@tessera/storage/datasets/segmentation-ingest';
import type { SegmentationCase, SegmentationManifest } from '@tessera/storage/datasets/segmentation-manifest';
import { fetchSegmentationCase } from '@tessera/storage/datasets/segmentation-shard-fetch';
import { MemoryObjectStore } from '@tessera/storage/memory-object-store';
import { writeCaseDicomSeg } from './segmentation-dicom-seg.ts';

type Natural = Record<string, unknown>;
const dcmjs = createRequire(import.meta.url)('dcmjs') as {
  data: { DicomMessage: { readFile(buffer: ArrayBuffer): { dict: unknown } }; DicomMetaDictionary: { naturalizeDataset(dataset: unknown): Natural } };
};
const natural = (bytes: Uint8Array): Natural => dcmjs.data.DicomMetaDictionary.naturalizeDataset(dcmjs.data.DicomMessage.readFile(bytes.slice().buffer).dict);
const items = (value: unknown): Natural[] => value as Natural[];
const only = (value: unknown): Natural => items(value)[0] ?? {};

/** The volume of parsed files in the given order: voxels in [slice][row][column], the files' own pixel order. */
async function volumeOf(files: readonly { name: string; bytes: Uint8Array }[]) {
  const [series] = groupDicomSeries(files.map((file) => parseDicomFile(file.bytes, file.name)));
  if (series === undefined) throw new Error('no series');
  return buildDicomVolume(series);
}

describe('writeCaseDicomSeg', () => {
  let dir: string;
  const objects = new MemoryObjectStore();
  let manifest: SegmentationManifest;
  let pcir: SegmentationCase;
  let predicted: Uint8Array;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'tessera-dicom-seg-'));
    const folder = mirrorFile('ct-series-pcir-16px');
    const originals = await Promise.all((await readdir(folder)).sort().map(async (name) => ({ name, bytes: new Uint8Array(await readFile(path.join(folder, name))) })));
    const volume = await volumeOf(originals);
    const plan = dicomCanonicalPlan(volume);
    const mask = Uint8Array.from(applyCanonical(volume.data, volume.dims, plan), (hu) => (hu > -500 ? 1 : 0));
    const zip = path.join(dir, 'upload.zip');
    const entries = new Map<string, Uint8Array | null>([
      ...originals.map((file) => [`images/pcir/${file.name}`, file.bytes] as const),
      ['masks/pcir.nii.gz', encodeNifti1({ data: mask, shape: plan.shape, affine: plan.affine })],
    ]);
    await writeFile(zip, buildZip(entries));
    manifest = (await ingestSegmentationDataset(objects, { name: 'pcir', source: zip, validFraction: 0, className: 'body', deidentifyKey: new Uint8Array(16).fill(7) })).manifest;
    pcir = manifest.segmentation.cases.find((c) => c.id === 'pcir') as SegmentationCase;
    // What a perfect model would predict: the stored mask, on the stored canonical grid.
    predicted = (await fetchSegmentationCase(objects, manifest, 'pcir')).mask ?? new Uint8Array(0);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes the canonical-grid labels as a SEG over the stored files, frames in their own slice and pixel order', async () => {
    const key = await writeCaseDicomSeg(objects, manifest, 'out', pcir, predicted, { jobId: 'job-1', skipped: (reason) => expect.fail(reason) });
    expect(key).toBe('out/seg/pcir.dcm');
    const names = manifest.segmentation.originals?.find((entry) => entry.id === 'pcir')?.files ?? [];
    const stored = await Promise.all(names.map(async (name) => ({ name, bytes: new Uint8Array(await readDatasetFile(objects, manifest, name)) })));
    // The mask made again from the stored files' own HU, in their voxel order: no inverse plan involved.
    const volume = await volumeOf(stored);
    const [columns, rows, depth] = volume.dims;
    const expected = Uint8Array.from(volume.data, (hu) => (hu > -500 ? 1 : 0));
    const seg = natural(new Uint8Array(await objects.get(key as string)));
    const sopUids = stored.map((file) => parseDicomFile(file.bytes, file.name).header.sopInstanceUid);
    expect(items(only(seg.ReferencedSeriesSequence).ReferencedInstanceSequence).map((r) => r.ReferencedSOPInstanceUID)).toEqual(sopUids);
    expect(seg.NumberOfFrames).toBe(depth);
    expect(items(seg.SegmentSequence).map((s) => s.SegmentLabel)).toEqual(['body']);
    const pixels = new Uint8Array((seg.PixelData as ArrayBuffer[])[0] ?? new ArrayBuffer(0));
    const size = rows * columns;
    items(seg.PerFrameFunctionalGroupsSequence).forEach((frame, index) => {
      expect(only(only(frame.DerivationImageSequence).SourceImageSequence).ReferencedSOPInstanceUID).toBe(sopUids[index]);
      const bits = Array.from({ length: size }, (_, p) => ((pixels[(index * size + p) >> 3] ?? 0) >> ((index * size + p) & 7)) & 1);
      expect(bits, `frame ${index}`).toEqual([...expected.subarray(index * size, (index + 1) * size)]);
    });
    // A retried job writes the same instance.
    const again = await writeCaseDicomSeg(objects, manifest, 'again', pcir, predicted, { jobId: 'job-1', skipped: (reason) => expect.fail(reason) });
    expect(natural(new Uint8Array(await objects.get(again as string))).SOPInstanceUID).toBe(seg.SOPInstanceUID);
  });

  it('writes nothing for a case without DICOM originals, skips labels the classes cannot name, refuses a grid that disagrees', async () => {
    const skipped: string[] = [];
    const options = { jobId: 'job-2', skipped: (reason: string) => skipped.push(reason) };
    const withoutOriginals = { ...manifest, segmentation: { ...manifest.segmentation, originals: undefined } };
    expect(await writeCaseDicomSeg(objects, withoutOriginals, 'p', pcir, predicted, options)).toBeNull();
    expect(await writeCaseDicomSeg(objects, manifest, 'p', pcir, Uint8Array.from(predicted, (v) => v * 2), options)).toBeNull();
    expect(skipped).toEqual([expect.stringMatching(/^labels: value 2 at slice \d+, pixel \d+ names no segment \(1\.\.1\)/)]);
    expect(await objects.list('p/')).toEqual([]);
    const shifted = { ...pcir, affine: pcir.affine.map((v, i) => (i === 3 ? v + 1 : v)) };
    await expect(writeCaseDicomSeg(objects, manifest, 'p', shifted, predicted, options)).rejects.toThrow(/^case 'pcir' of pcir: its DICOM originals give a 5x16x16 grid .* the SEG would misplace the mask$/);
  });
});
