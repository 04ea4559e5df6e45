import { readdir, readFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basicProfileTable } from '@tessera/medical/dicom/deidentify-profile-table';
import { parseDicomFile } from '@tessera/medical/dicom/dicom-file';
import { groupDicomSeries } from '@tessera/medical/dicom/dicom-series';
import { buildDicomVolume } from '@tessera/medical/dicom/dicom-volume';
import type { DicomVolume } from '@tessera/medical/dicom/dicom-volume';
import { affineFromRows } from '@tessera/medical/nifti/nifti-affine';
import { applyCanonical, planCanonical } from '@tessera/medical/nifti/nifti-orientation';
import type { CanonicalPlan } from '@tessera/medical/nifti/nifti-orientation';
import { encodeNifti1 } from '@tessera/medical/nifti/nifti-writer';
import { readDatasetFile } from '@tessera/storage/datasets/dataset-objects';
import { buildZip } from '@tessera/storage/datasets/image-folder-fixtures';
import { ingestSegmentationDataset } from '@tessera/storage/datasets/segmentation-ingest';
import { readSegmentationManifest } from '@tessera/storage/datasets/segmentation-manifest';
import { fetchSegmentationCase } from '@tessera/storage/datasets/segmentation-shard-fetch';
import { datasetMirror } from './support/datasets.ts';
import type { TestS3Server } from './support/s3-server.ts';
import { openTestS3Store, startTestS3Server, uniqueBucketName } from './support/s3-server.ts';

interface DcmjsElement {
  readonly vr: string;
  readonly Value?: readonly unknown[];
}
type DcmjsDataset = Record<string, DcmjsElement>;
const dcmjs = createRequire(import.meta.url)('dcmjs') as { data: { DicomMessage: { readFile(buffer: ArrayBuffer): { meta: DcmjsDataset; dict: DcmjsDataset } } } };

const SERIES = { head: 'ct-series-ge-head', pcir: 'ct-series-pcir-16px' } as const;
const PROFILE_TAGS = new Set(basicProfileTable.map(([tag]) => tag));
const TEXT_VRS = new Set(['AE', 'AS', 'CS', 'DA', 'DS', 'DT', 'IS', 'LO', 'LT', 'PN', 'SH', 'ST', 'TM', 'UC', 'UI', 'UR', 'UT']);
const key = new Uint8Array(32).fill(42);
// Values the de-identifier writes itself: PS3.15 markers and dummies.
const PROFILE_WORDS = new Set(['REMOVED', 'MODIFIED', 'UNMODIFIED', 'YES', 'ANONYMIZED', 'ANONYMOUS', '19000101', '000000']);

let server: TestS3Server | undefined;
let dir: string;
beforeAll(async () => {
  server = await startTestS3Server();
  dir = await mkdtemp(path.join(os.tmpdir(), 'tessera-dicom-deidentify-it-'));
});
afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

function isPrivate(tag: string): boolean {
  return Number.parseInt(tag.slice(0, 4), 16) % 2 === 1;
}

function textOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'object' && value !== null && 'Alphabetic' in value && typeof value.Alphabetic === 'string') return value.Alphabetic.trim();
  if (typeof value === 'number') return String(value);
  return undefined;
}

/** Every text value in a data set, nested sequences included, split by whether the profile covers its attribute. */
function collectValues(dataset: DcmjsDataset, into: { profiled: Map<string, string>; kept: Set<string>; byTag?: Map<string, Set<string>> }): void {
  for (const [tag, element] of Object.entries(dataset)) {
    for (const value of element.Value ?? []) {
      if (element.vr === 'SQ') {
        collectValues(value as DcmjsDataset, into);
        continue;
      }
      const text = TEXT_VRS.has(element.vr) ? textOf(value) : undefined;
      if (text === undefined || text === '') continue;
      // Private attributes fall under the profile's "private attributes: X" row.
      if (PROFILE_TAGS.has(tag) || isPrivate(tag)) into.profiled.set(text, tag);
      else into.kept.add(text);
      if (PROFILE_TAGS.has(tag) || isPrivate(tag)) into.byTag?.set(tag, new Set([...(into.byTag.get(tag) ?? []), text]));
    }
  }
}

async function originalFiles(series: string): Promise<{ name: string; bytes: Buffer }[]> {
  const folder = path.join(datasetMirror(), 'dicom', series);
  const names = (await readdir(folder)).sort();
  return Promise.all(names.map(async (name) => ({ name, bytes: await readFile(path.join(folder, name)) })));
}

async function volumeOf(files: readonly { name: string; bytes: Uint8Array }[]): Promise<DicomVolume> {
  const [series] = groupDicomSeries(files.map((file) => parseDicomFile(new Uint8Array(file.bytes), file.name)));
  if (series === undefined) throw new Error('no series');
  return buildDicomVolume(series);
}

/** The volume's grid as ingest stores it: DICOM LPS turned to RAS, then the closest canonical orientation. */
function canonicalPlan(volume: DicomVolume): CanonicalPlan {
  const ras = affineFromRows([0, 1, 2].map((row) => [0, 1, 2, 3].map((col) => (row < 2 ? -1 : 1) * (volume.affine[row * 4 + col] ?? 0))));
  return planCanonical(ras, volume.dims);
}

/**
 * Index of the first element where `a` and `b` differ (-1 when equal, the shorter length when only lengths differ):
 * vitest's deep equality over millions of voxels takes seconds, which also starves the in-process S3 server.
 */
function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  for (let index = 0; index < Math.min(a.length, b.length); index += 1) if (a[index] !== b[index]) return index;
  return a.length === b.length ? -1 : Math.min(a.length, b.length);
}

describe('DICOM de-identification on segmentation ingest into S3', () => {
  it('leaves no original value of a profile attribute anywhere in the store, remaps UIDs consistently and keeps the pixels', async () => {
    const originals = { head: await originalFiles(SERIES.head), pcir: await originalFiles(SERIES.pcir) };
    const volumes = { head: await volumeOf(originals.head), pcir: await volumeOf(originals.pcir) };
    // A mask for the small series on its canonical grid (body: above -500 HU), so one case is labeled.
    const pcirPlan = canonicalPlan(volumes.pcir);
    const pcirCanonical = applyCanonical(volumes.pcir.data, volumes.pcir.dims, pcirPlan);
    const mask = Uint8Array.from(pcirCanonical, (hu) => (hu > -500 ? 1 : 0));
    const entries = new Map<string, Uint8Array | null>([
      ...originals.head.map((file) => [`upload/images/head/${file.name}`, file.bytes] as const),
      ...originals.pcir.map((file) => [`upload/images/pcir/${file.name}`, file.bytes] as const),
      ['upload/masks/pcir.nii.gz', encodeNifti1({ data: mask, shape: pcirPlan.shape, affine: pcirPlan.affine })],
    ]);
    const zip = path.join(dir, 'upload.zip');
    await writeFile(zip, buildZip(entries));

    const s3 = await openTestS3Store(server as TestS3Server, uniqueBucketName('deid'), 'tessera');
    try {
      const options = { name: 'ct-deid', source: zip, deidentifyKey: key, validFraction: 0 };
      const { manifest, manifestKey } = await ingestSegmentationDataset(s3.store, options);
      expect(manifest.segmentation).toMatchObject({ source: 'dicom', modality: 'CT', units: 'HU', splits: { train: 1, valid: 0, test: 1 } });
      expect(await readSegmentationManifest(s3.store, manifestKey)).toEqual(manifest);

      // Original values of every attribute the profile lists (and of private ones), as text.
      const values = { profiled: new Map<string, string>(), kept: new Set<string>(), byTag: new Map<string, Set<string>>() };
      for (const file of [...originals.head, ...originals.pcir]) {
        const { meta, dict } = dcmjs.data.DicomMessage.readFile(new Uint8Array(file.bytes).buffer);
        collectValues(meta, values);
        collectValues(dict, values);
      }
      // Skipped from the byte scan, because finding them proves nothing: values under 4 characters ('M', '2', 'S'),
      // numbers under 6 ('0.5', '3.004') and runs of one character ('000000', also the profile's TM dummy) occur by
      // chance in 2.25 UIDs, hex hashes, JSON numbers and float32 pixel bytes; values inside one an attribute outside
      // the profile carries rightly stay (GE's private 'LightSpeed Ultr' inside ManufacturerModelName 'LightSpeed
      // Ultra'); and the words the
      // profile itself writes ('REMOVED' in (0028,0303), which the head CT's PatientName happens to be). Every value,
      // short ones included, is also compared tag by tag in each stored file below.
      const searched = [...values.profiled].filter(([text]) => {
        if (text.length < 4 || /^(.)\1*$/.test(text) || [...values.kept].some((kept) => kept.includes(text)) || PROFILE_WORDS.has(text)) return false;
        return !/^[-+]?[\d.]+$/.test(text) || text.length >= 6;
      });
      expect(searched.length).toBeGreaterThan(40);
      expect(searched.map(([text]) => text)).toEqual(expect.arrayContaining(['Doe^Peter', '98890234', 'QMNx85rKkkg', '20010101', 'GEMS_IDEN_01']));
      const keys = await s3.store.list('');
      expect(keys.length).toBe(manifest.shards.length + 1);
      for (const objectKey of keys) {
        const text = (await s3.store.get(objectKey)).toString('latin1');
        const leaked = searched.filter(([value]) => text.includes(value)).map(([value, tag]) => `${tag}=${value}`);
        expect(leaked, objectKey).toEqual([]);
      }

      // UIDs: new, shared within a series, unique per instance, and the same on a second ingest with the same key.
      const originalUids = new Set([...values.profiled].filter(([, tag]) => tag.startsWith('0020000') || tag === '00080018').map(([text]) => text));
      for (const id of ['head', 'pcir'] as const) {
        const names = manifest.segmentation.originals?.find((entry) => entry.id === id)?.files ?? [];
        expect(names).toHaveLength(originals[id].length);
        const stored = await Promise.all(names.map(async (name) => ({ name, bytes: new Uint8Array(await readDatasetFile(s3.store, manifest, name)) })));
        const parsed = stored.map((file) => dcmjs.data.DicomMessage.readFile(new Uint8Array(file.bytes).buffer));
        const uid = (tag: string): string[] => parsed.map(({ meta, dict }) => textOf((dict[tag] ?? meta[tag])?.Value?.[0]) ?? '');
        for (const tag of ['0020000D', '0020000E', '00200052']) {
          expect(new Set(uid(tag)).size, tag).toBe(1);
          expect(originalUids.has(uid(tag)[0] ?? '')).toBe(false);
          expect(uid(tag)[0]).toMatch(/^2\.25\.\d+$/);
        }
        expect(new Set(uid('00080018')).size).toBe(names.length);
        // Tag by tag: no profile (or private) attribute of a stored file carries a value the originals had for it,
        // short ones included, unless it is the profile's own dummy.
        for (const { meta, dict } of parsed) {
          const stored = { profiled: new Map<string, string>(), kept: new Set<string>(), byTag: new Map<string, Set<string>>() };
          collectValues(meta, stored);
          collectValues(dict, stored);
          const kept = [...stored.byTag].flatMap(([tag, texts]) => [...texts].filter((text) => values.byTag.get(tag)?.has(text) && !PROFILE_WORDS.has(text)).map((text) => `${tag}=${text}`));
          expect(kept).toEqual([]);
        }
        expect(uid('00020003')).toEqual(uid('00080018'));
        // Pixels: the stored files decode to the original volume, and the packed sample is that volume on the RAS grid.
        const volume = await volumeOf(stored);
        expect(firstDifference(volume.data, volumes[id].data)).toBe(-1);
        const sample = await fetchSegmentationCase(s3.store, manifest, id);
        expect(firstDifference(sample.image, applyCanonical(volumes[id].data, volumes[id].dims, canonicalPlan(volumes[id])))).toBe(-1);
      }
      const labeled = await fetchSegmentationCase(s3.store, manifest, 'pcir');
      expect(firstDifference(labeled.mask ?? [], mask)).toBe(-1);

      const again = await ingestSegmentationDataset(s3.store, options);
      expect(again).toMatchObject({ reused: true, manifestKey });
    } finally {
      await s3.dispose();
    }
  });
});
