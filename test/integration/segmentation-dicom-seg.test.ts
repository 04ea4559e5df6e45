import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SegmentationPredictionSummary } from '@tessera/core/prediction/segmentation-summary';
import { dicomCanonicalPlan } from '@tessera/medical/dicom/dicom-canonical-plan';
import { parseDicomFile } from '@tessera/medical/dicom/dicom-file';
import { groupDicomSeries } from '@tessera/medical/dicom/dicom-series';
import { buildDicomVolume } from '@tessera/medical/dicom/dicom-volume';
import { entry } from '@tessera/medical/nifti/nifti-affine';
import type { Affine } from '@tessera/medical/nifti/nifti-affine';
import { applyCanonical } from '@tessera/medical/nifti/nifti-orientation';
import { decodeNiftiBytes } from '@tessera/medical/nifti/nifti-reader';
import { encodeNifti1 } from '@tessera/medical/nifti/nifti-writer';
import { readDatasetFile } from '@tessera/storage/datasets/dataset-objects';
import { buildZip } from '@tessera/storage/datasets/image-folder-fixtures';
import { ingestSegmentationDataset } from '@tessera/storage/datasets/segmentation-ingest';
import type { SegmentationManifest } from '@tessera/storage/datasets/segmentation-manifest';
import { objectStoreConfigFromEnv, openObjectStore } from '@tessera/storage/open-object-store';
import type { ObjectStore } from '@tessera/storage/object-store';
import { datasetMirror } from './support/datasets.ts';
import { startTestCluster, type TestCluster } from './support/test-cluster.ts';

type Natural = Record<string, unknown>;
const dcmjs = createRequire(import.meta.url)('dcmjs') as {
  data: { DicomMessage: { readFile(buffer: ArrayBuffer): { dict: unknown } }; DicomMetaDictionary: { naturalizeDataset(dataset: unknown): Natural } };
};
const natural = (bytes: Uint8Array): Natural => dcmjs.data.DicomMetaDictionary.naturalizeDataset(dcmjs.data.DicomMessage.readFile(bytes.slice().buffer).dict);
const items = (value: unknown): Natural[] => value as Natural[];
const only = (value: unknown): Natural => items(value)[0] ?? {};
const text = (value: unknown): string => (typeof value === 'string' ? value : ((only(value).Alphabetic as string | undefined) ?? ''));

/** World (RAS mm) to voxel of a NIfTI affine: the inverse of its 3x3 part, by cofactors. */
function worldToVoxel(affine: Affine): (ras: readonly number[]) => number[] {
  const m = (r: number, c: number): number => entry(affine, r, c);
  const cof = (r: number, c: number): number => {
    const rows = [0, 1, 2].filter((x) => x !== r);
    const cols = [0, 1, 2].filter((x) => x !== c);
    const [r0 = 0, r1 = 0] = rows;
    const [c0 = 0, c1 = 0] = cols;
    return ((r + c) % 2 === 0 ? 1 : -1) * (m(r0, c0) * m(r1, c1) - m(r0, c1) * m(r1, c0));
  };
  const det = m(0, 0) * cof(0, 0) + m(0, 1) * cof(0, 1) + m(0, 2) * cof(0, 2);
  return (ras) => {
    const d = [0, 1, 2].map((r) => (ras[r] ?? 0) - m(r, 3));
    return [0, 1, 2].map((i) => [0, 1, 2].reduce((sum, j) => sum + (cof(j, i) / det) * (d[j] ?? 0), 0));
  };
}

describe('DICOM SEG output of segmentation-prediction jobs', () => {
  let tc: TestCluster;
  let objects: ObjectStore;
  let manifest: SegmentationManifest;
  let dir: string;
  const folder = path.join(datasetMirror(), 'dicom', 'ct-series-pcir-16px');

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'tessera-dicom-seg-it-'));
    tc = await startTestCluster({ workers: 1, label: 'dicomseg' });
    objects = await openObjectStore(objectStoreConfigFromEnv(tc.env, { dataDir: tc.dataDir }));
    // The 16x16x5 PCIR CT with a tissue mask (above 0 HU) on its canonical RAS grid, as an uploader would bring it.
    const originals = await Promise.all((await readdir(folder)).sort().map(async (name) => ({ name, bytes: new Uint8Array(await readFile(path.join(folder, name))) })));
    const [series] = groupDicomSeries(originals.map((file) => parseDicomFile(file.bytes, file.name)));
    if (series === undefined) throw new Error('no series');
    const volume = await buildDicomVolume(series);
    const plan = dicomCanonicalPlan(volume);
    const mask = Uint8Array.from(applyCanonical(volume.data, volume.dims, plan), (hu) => (hu > 0 ? 1 : 0));
    const zip = path.join(dir, 'pcir.zip');
    await writeFile(zip, buildZip(new Map([...originals.map((file) => [`images/pcir/${file.name}`, file.bytes] as const), ['masks/pcir.nii.gz', encodeNifti1({ data: mask, shape: plan.shape, affine: plan.affine })]])));
    manifest = (await ingestSegmentationDataset(objects, { name: 'pcir-dicom', source: zip, validFraction: 0, className: 'tissue' })).manifest;
    await tc.client.registerDataset('pcir-dicom', manifest.sha256);
  });
  afterAll(async () => {
    await tc?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('writes <prefix>/seg/<case>.dcm over the stored de-identified series, frames equal to the NIfTI mask in DICOM order', async () => {
    const trained = await tc.client.waitForJob(
      (
        await tc.client.submitJob({
          name: 'pcir-tissue',
          workload: 'segmentation',
          dataset: 'pcir-dicom',
          model: { name: 'unet3d', options: { inputShape: [8, 16, 16, 1], depth: 2, baseFilters: 4 } },
          data: { intensity: { kind: 'window', preset: 'lung' }, patches: { perVolume: 2, foregroundFraction: 0.5, predictionOverlap: 0 } },
          training: { batchSize: 2, epochs: 10, learningRate: 0.01, seed: 1 },
          resources: { minWorkers: 1 },
          checkpoint: { everyEpochs: 1 },
        })
      ).id,
    );
    expect(trained.state, trained.reason).toBe('JOB_STATE_SUCCEEDED');
    const prefix = 'runs/pcir';
    const submitted = await tc.client.submitJob({ name: 'pcir-seg', workload: 'segmentation-prediction', source: { jobId: trained.id }, dataset: 'pcir-dicom', output: { prefix } });
    const events: string[] = [];
    const job = await tc.client.waitForJob(submitted.id, (u) => (u.event ? events.push(u.event.message) : undefined));
    expect(job.state, job.reason).toBe('JOB_STATE_SUCCEEDED');
    const summary = JSON.parse((await tc.client.readJobResult(job.id)).toString('utf8')) as SegmentationPredictionSummary;
    expect(summary.cases).toEqual([expect.objectContaining({ id: 'pcir', dicomSeg: `${prefix}/seg/pcir.dcm` })]);
    expect(events).toContain(`wrote 1 masks and overlays and 1 DICOM SEGs (train split) under ${prefix}/; summary at ${prefix}/summary.json`);

    const bytes = new Uint8Array(await objects.get(`${prefix}/seg/pcir.dcm`));
    const seg = natural(bytes);
    expect(seg).toMatchObject({ SOPClassUID: '1.2.840.10008.5.1.4.1.1.66.4', Modality: 'SEG', SegmentationType: 'BINARY' });

    // It references exactly the stored (de-identified) instances, in slice order, and shares their frame of reference.
    const names = manifest.segmentation.originals?.find((c) => c.id === 'pcir')?.files ?? [];
    const stored = await Promise.all(names.map(async (name) => new Uint8Array(await readDatasetFile(objects, manifest, name))));
    const headers = stored.map((file, index) => parseDicomFile(file, names[index] ?? ''));
    const storedUids = headers.map((file) => file.header.sopInstanceUid);
    expect(items(only(seg.ReferencedSeriesSequence).ReferencedInstanceSequence).map((r) => r.ReferencedSOPInstanceUID)).toEqual(storedUids);
    expect(only(seg.ReferencedSeriesSequence).SeriesInstanceUID).toBe(headers[0]?.header.seriesInstanceUid);
    expect(seg.StudyInstanceUID).toBe(headers[0]?.header.studyInstanceUid);
    expect(seg.FrameOfReferenceUID).toBe(headers[0]?.dataSet.string('x00200052'));

    // Frames against the job's NIfTI mask, looked up through world coordinates: each DICOM pixel's LPS position from
    // its file's header, turned to RAS and into the NIfTI's voxel grid by the NIfTI's own affine.
    const nifti = decodeNiftiBytes(new Uint8Array(await objects.get(`${prefix}/masks/pcir.nii.gz`)), 'pcir.nii.gz');
    const [nx = 0, ny = 0] = nifti.shape;
    const toVoxel = worldToVoxel(nifti.affine);
    const { rows, columns } = headers[0]?.header ?? { rows: 0, columns: 0 };
    const expected = headers.map(({ header }) => {
      const origin = header.imagePositionPatient ?? [0, 0, 0];
      const { row, column } = header.imageOrientationPatient ?? { row: [1, 0, 0], column: [0, 1, 0] };
      const [dr = 1, dc = 1] = header.pixelSpacing ?? [];
      return Uint8Array.from({ length: rows * columns }, (_, p) => {
        const [j, i] = [Math.floor(p / columns), p % columns];
        const lps = [0, 1, 2].map((a) => (origin[a] ?? 0) + (row[a] ?? 0) * dc * i + (column[a] ?? 0) * dr * j);
        const [x = 0, y = 0, z = 0] = toVoxel([-(lps[0] ?? 0), -(lps[1] ?? 0), lps[2] ?? 0]).map(Math.round);
        return nifti.data[x + nx * (y + ny * z)] ?? Number.NaN;
      });
    });
    const predictedVoxels = expected.reduce((sum, slice) => sum + slice.reduce((s, v) => s + v, 0), 0);
    expect(predictedVoxels).toBe(summary.cases[0]?.predictedVoxels);
    // Only a mixed mask tells orientations apart (an all-foreground one reads the same in any voxel order).
    expect(predictedVoxels).toBeGreaterThan(0);
    expect(predictedVoxels).toBeLessThan(rows * columns * headers.length);
    console.info(`pcir tissue after 10 epochs: ${predictedVoxels} of ${rows * columns * headers.length} voxels predicted, Dice ${summary.cases[0]?.dice?.toFixed(3)}`);
    const pixels = new Uint8Array((seg.PixelData as ArrayBuffer[])[0] ?? new ArrayBuffer(0));
    const size = rows * columns;
    const framed = new Set<number>();
    items(seg.PerFrameFunctionalGroupsSequence).forEach((frame, index) => {
      const slice = storedUids.indexOf(only(only(frame.DerivationImageSequence).SourceImageSequence).ReferencedSOPInstanceUID as string);
      expect(slice).toBeGreaterThanOrEqual(0);
      framed.add(slice);
      const bits = Array.from({ length: size }, (_, p) => ((pixels[(index * size + p) >> 3] ?? 0) >> ((index * size + p) & 7)) & 1);
      expect(bits, `frame ${index} (slice ${slice})`).toEqual([...(expected[slice] ?? [])]);
    });
    // Slices without a frame hold no foreground.
    expected.forEach((slice, k) => expect(framed.has(k) || slice.every((v) => v === 0), `slice ${k}`).toBe(true));

    // The patient module is the stored files' (de-identified); the uploaded files' identifiers appear nowhere.
    const original = natural(new Uint8Array(await readFile(path.join(folder, '2062'))));
    const storedHead = natural(stored[0] ?? new Uint8Array(0));
    expect(text(seg.PatientName)).toBe(text(storedHead.PatientName));
    expect(seg.PatientID).toBe(storedHead.PatientID);
    const secrets = [text(original.PatientName), original.PatientID, original.StudyInstanceUID, original.SeriesInstanceUID, original.SOPInstanceUID] as string[];
    expect(secrets).toEqual(expect.arrayContaining(['Doe^Peter', '98890234']));
    const latin1 = Buffer.from(bytes).toString('latin1');
    expect(secrets.filter((secret) => latin1.includes(secret))).toEqual([]);
  });
});
