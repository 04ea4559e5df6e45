import { cp, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readNifti, toCanonical } from '@tessera/medical/nifti/nifti-reader';
import { listSegmentationPairs, loadSegmentationPair, requireAllPaired } from '@tessera/medical/tiff/segmentation-pairs';
import { ingestSegmentationDataset } from '@tessera/storage/datasets/segmentation-ingest';
import { resizeMask, resizeSlice } from '@tessera/storage/datasets/segmentation-resize';
import { fetchRankSegmentation, fetchSegmentationCase } from '@tessera/storage/datasets/segmentation-shard-fetch';
import { MemoryObjectStore } from '@tessera/storage/memory-object-store';
import { datasetMirror } from './support/datasets.ts';

const lungCt = path.join(datasetMirror(), 'lung-ct');
const createdAt = new Date('2025-01-02T03:04:05.000Z');
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'tessera-segmentation-ingest-it-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/**
 * Index of the first element where `a` and `b` differ (-1 when equal, the shorter length when only lengths differ):
 * vitest's deep equality over millions of voxels takes seconds, which also starves the in-process S3 server.
 */
function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  for (let index = 0; index < Math.min(a.length, b.length); index += 1) if (a[index] !== b[index]) return index;
  return a.length === b.length ? -1 : Math.min(a.length, b.length);
}

describe('segmentation ingest of lung-ct/montgomery-cxr (138 PNG pairs)', () => {
  it('stores 138 cases at 64x64 with exactly 28 held out, the same split and bytes on a second ingest, and the pixels of a direct load', async () => {
    const source = path.join(lungCt, 'montgomery-cxr');
    const first = await ingestSegmentationDataset(new MemoryObjectStore(), { name: 'montgomery', source, size: { height: 64, width: 64 }, createdAt });
    const info = first.manifest.segmentation;
    expect(info).toMatchObject({ dims: 2, source: 'png', splits: { train: 110, valid: 28, test: 0 }, size: { height: 64, width: 64 } });
    // The layout pairs exactly what the medical package's pair listing pairs.
    const pairs = requireAllPaired(await listSegmentationPairs(source));
    expect(info.cases.map((c) => c.id).sort()).toEqual(pairs.map((pair) => pair.id));

    // A second ingest, into the store the checks below read: same bytes, same split.
    const store = new MemoryObjectStore();
    const { manifest } = await ingestSegmentationDataset(store, { name: 'montgomery', source, size: { height: 64, width: 64 }, createdAt });
    expect(manifest.sha256).toBe(first.manifest.sha256);
    expect(manifest.segmentation.cases.filter((c) => c.split === 'valid').map((c) => c.id)).toEqual(info.cases.filter((c) => c.split === 'valid').map((c) => c.id));
    const pair = pairs.find((candidate) => candidate.id === 'MCUCXR_0001_0');
    if (pair === undefined) throw new Error('MCUCXR_0001_0 is missing');
    const direct = await loadSegmentationPair(pair);
    const stored = await fetchSegmentationCase(store, manifest, pair.id);
    expect(stored.shape).toEqual([1, 64, 64]);
    expect(firstDifference(stored.image, resizeSlice(direct.image, direct, { height: 64, width: 64 }))).toBe(-1);
    expect(firstDifference(stored.mask ?? [], resizeMask(direct.mask, direct, { height: 64, width: 64 }))).toBe(-1);
    // Lungs cover a fifth to a third of a chest X-ray.
    const lung = (stored.mask ?? new Uint8Array(0)).reduce((sum, value) => sum + value, 0) / (64 * 64);
    expect(lung).toBeGreaterThan(0.15);
    expect(lung).toBeLessThan(0.4);
    const valid = await Promise.all([0, 1].map((rank) => fetchRankSegmentation(store, manifest, { split: 'valid', rank, worldSize: 2 })));
    expect(valid.map((part) => part.length)).toEqual([14, 14]);
  });
});

describe('segmentation ingest of lung-ct/kaggle-2d-reencoded (10 RGB TIFF pairs)', () => {
  it('reads the TIFFs as luma and masks as 0/1 at 128x128', async () => {
    const source = path.join(lungCt, 'kaggle-2d-reencoded');
    const store = new MemoryObjectStore();
    const { manifest } = await ingestSegmentationDataset(store, { name: 'kaggle', source, size: { height: 128, width: 128 }, createdAt });
    expect(manifest.segmentation).toMatchObject({ source: 'tiff', splits: { train: 8, valid: 2, test: 0 } });
    const [pair] = requireAllPaired(await listSegmentationPairs(source));
    if (pair === undefined) throw new Error('no Kaggle pair');
    const direct = await loadSegmentationPair(pair);
    const stored = await fetchSegmentationCase(store, manifest, pair.id);
    expect(firstDifference(stored.image, resizeSlice(direct.image, direct, { height: 128, width: 128 }))).toBe(-1);
    expect(stored.mask?.every((value) => value === 0 || value === 1)).toBe(true);
  });
});

describe('segmentation ingest of NIfTI volumes', () => {
  it('unions the five TotalSegmentator lobe masks on the CT grid, from explicit pairs or an images/masks folder alike', async () => {
    const source = path.join(lungCt, 'fallback-totalsegmentator-example');
    const lobes = (await readdir(path.join(source, 'lung_masks'))).filter((name) => name.endsWith('.nii.gz')).sort();
    expect(lobes).toHaveLength(5);
    const store = new MemoryObjectStore();
    const options = { name: 'totalseg', createdAt, modality: 'CT', validFraction: 0 } as const;
    const { manifest } = await ingestSegmentationDataset(store, {
      ...options,
      source,
      pairs: [{ id: 'example_ct_sm', image: 'example_ct_sm.nii.gz', masks: lobes.map((name) => `lung_masks/${name}`) }],
    });
    const image = toCanonical(await readNifti(path.join(source, 'example_ct_sm.nii.gz')));
    const [nx, ny, nz] = image.shape;
    expect(manifest.segmentation).toMatchObject({ dims: 3, source: 'nifti', units: 'HU', splits: { train: 1, valid: 0, test: 0 } });
    const sample = await fetchSegmentationCase(store, manifest, 'example_ct_sm');
    expect(sample.shape).toEqual([nz, ny, nx]);
    expect(firstDifference(sample.image, image.data)).toBe(-1);
    const union = new Uint8Array(image.data.length);
    for (const name of lobes) {
      const lobe = toCanonical(await readNifti(path.join(source, 'lung_masks', name)));
      lobe.data.forEach((value, at) => {
        if (value !== 0) union[at] = 1;
      });
    }
    expect(union.some((value) => value === 1)).toBe(true);
    expect(firstDifference(sample.mask ?? [], union)).toBe(-1);

    const laidOut = path.join(dir, 'totalseg');
    await mkdir(path.join(laidOut, 'images'), { recursive: true });
    await cp(path.join(source, 'example_ct_sm.nii.gz'), path.join(laidOut, 'images', 'example_ct_sm.nii.gz'));
    await cp(path.join(source, 'lung_masks'), path.join(laidOut, 'masks', 'example_ct_sm'), { recursive: true });
    const again = await ingestSegmentationDataset(new MemoryObjectStore(), { ...options, source: laidOut });
    expect(again.manifest.sha256).toBe(manifest.sha256);
  });

  it('reads the MNI152 T1 with its brain mask', async () => {
    const source = path.join(datasetMirror(), 'nifti', 'brain-mri-mni152');
    const store = new MemoryObjectStore();
    const { manifest } = await ingestSegmentationDataset(store, {
      name: 'mni152',
      source,
      createdAt,
      modality: 'MR',
      className: 'brain',
      validFraction: 0,
      pairs: [{ id: 'mni152', image: 'MNI152_T1_2mm.nii.gz', masks: ['MNI152_T1_2mm_Brain_Mask.nii.gz'] }],
    });
    expect(manifest.segmentation).toMatchObject({ units: 'grey', modality: 'MR', classNames: ['background', 'brain'] });
    const [entry] = manifest.segmentation.cases;
    expect(entry?.shape).toEqual([91, 109, 91]);
    expect(entry?.spacing).toEqual([2, 2, 2]);
    const mask = toCanonical(await readNifti(path.join(source, 'MNI152_T1_2mm_Brain_Mask.nii.gz')));
    const sample = await fetchSegmentationCase(store, manifest, 'mni152');
    expect(sample.mask?.reduce((sum, value) => sum + value, 0)).toBe(mask.data.reduce((sum, value) => sum + (value !== 0 ? 1 : 0), 0));
  });
});
