import { describe, expect, it } from 'vitest';
import { encodeSegmentationShard, type SegmentationSample } from '@tessera/core/data/segmentation-shard-format';
import { encodeVolumeMaskNiftiGz } from '@tessera/medical/nifti/volume-mask-nifti';
import { MemoryObjectStore } from '@tessera/storage/memory-object-store';
import { datasetManifestKey, putDatasetManifest, uploadDataset } from '@tessera/storage/datasets/dataset-objects';
import type { SegmentationInfo } from '@tessera/storage/datasets/segmentation-manifest';
import { MemoryJobStore } from '../store/memory-job-store.ts';
import { listSegmentationCases, readSegmentationCase } from './segmentation-cases.ts';

const IDENTITY = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1];

/** A 2-case CT set: `ct-a` 2x3x4 (train, labeled) and `ct-b` 1x2x2 (test, unlabeled), one shard each. */
async function fixture() {
  const store = new MemoryJobStore();
  const objects = new MemoryObjectStore();
  const a: SegmentationSample = {
    id: 'ct-a', split: 'train', shape: [2, 3, 4], spacing: [2.5, 0.7, 0.7],
    image: Float32Array.from({ length: 24 }, (_, i) => i * 10 - 1000),
    mask: Uint8Array.from({ length: 24 }, (_, i) => (i % 3 === 0 ? 1 : 0)),
  };
  const b: SegmentationSample = { id: 'ct-b', split: 'test', shape: [1, 2, 2], spacing: [1, 1, 1], image: Float32Array.of(-5, 5, 50, 500), mask: undefined };
  const { manifest } = await uploadDataset(objects, {
    name: 'lungs', kind: 'segmentation', summary: '2 cases',
    files: [{ name: 'train-0.bin', bytes: encodeSegmentationShard([a]) }, { name: 'test-0.bin', bytes: encodeSegmentationShard([b]) }],
  });
  const segmentation: SegmentationInfo = {
    format: 1, dims: 3, classNames: ['background', 'lung'], source: 'nifti', modality: 'CT', units: 'HU',
    splits: { train: 1, valid: 0, test: 1 },
    cases: [
      { id: 'ct-a', split: 'train', shard: 0, shape: a.shape, spacing: a.spacing, affine: IDENTITY, foregroundVoxels: 8 },
      { id: 'ct-b', split: 'test', shard: 1, shape: b.shape, spacing: b.spacing, affine: IDENTITY, foregroundVoxels: 0 },
    ],
    shards: [{ index: 0, split: 'train', count: 1 }, { index: 1, split: 'test', count: 1 }],
    validFraction: 0, seed: 1,
  };
  await putDatasetManifest(objects, { ...manifest, segmentation } as typeof manifest);
  const dataset = { name: 'lungs', sha256: manifest.sha256, kind: 'segmentation', sizeBytes: manifest.sizeBytes, manifestKey: datasetManifestKey('lungs', manifest.sha256), summary: '', createdAt: new Date() };
  await store.upsertDataset(dataset);
  const job = (spec: object, datasetName = 'lungs') => store.createJob({ name: 'j', spec, datasetName, datasetSha256: manifest.sha256, minWorkers: 1, maxWorkers: 1 });
  const predict = await job({ workload: 'segmentation-prediction', name: 'p', dataset: 'lungs', source: { jobId: 'job-x' }, output: {} });
  return { store, objects, a, b, sha256: manifest.sha256, predict, job };
}

describe('listSegmentationCases', () => {
  it('lists the manifest\'s cases, and each case\'s Dice and IoU once the prediction job wrote its summary', async () => {
    const { store, objects, sha256, predict } = await fixture();
    const plain = await listSegmentationCases(store, objects, { dataset: 'lungs', sha256: '', predictionJobId: '' });
    expect(plain).toMatchObject({ dataset: 'lungs', sha256, dims: 3, units: 'HU', modality: 'CT', classNames: ['background', 'lung'], hasSummary: false });
    expect(plain.cases.map((c) => [c.id, c.split, c.shape, c.scored])).toEqual([['ct-a', 'train', [2, 3, 4], false], ['ct-b', 'test', [1, 2, 2], false]]);

    expect((await listSegmentationCases(store, objects, { dataset: 'lungs', sha256, predictionJobId: predict.id })).hasSummary).toBe(false);
    const summary = { split: 'train', meanDice: 0.8, meanIou: 0.7, cases: [{ id: 'ct-a', dice: 0.8, iou: 0.7 }, { id: 'ct-b', dice: null, iou: null }] };
    await objects.put(`jobs/${predict.id}/predictions/summary.json`, Buffer.from(JSON.stringify(summary)));
    const scored = await listSegmentationCases(store, objects, { dataset: 'lungs', sha256, predictionJobId: predict.id });
    expect(scored).toMatchObject({ hasSummary: true, predictionSplit: 'train', meanDice: 0.8, meanIou: 0.7 });
    expect(scored.cases.map((c) => [c.id, c.scored, c.dice, c.iou])).toEqual([['ct-a', true, 0.8, 0.7], ['ct-b', false, 0, 0]]);
  });

  it('names the data set, job or field at fault', async () => {
    const { store, objects, job } = await fixture();
    const list = (over: object) => listSegmentationCases(store, objects, { dataset: 'lungs', sha256: '', predictionJobId: '', ...over });
    await expect(list({ dataset: 'nope' })).rejects.toMatchObject({ error: { kind: 'DatasetNotFound', name: 'nope' } });
    await expect(list({ sha256: 'xyz' })).rejects.toMatchObject({ error: { kind: 'InvalidArgument', field: 'sha256' } });
    await expect(list({ predictionJobId: 'job-missing' })).rejects.toMatchObject({ error: { kind: 'JobNotFound', jobId: 'job-missing' } });
    const training = await job({ workload: 'segmentation', name: 't', dataset: 'lungs' });
    await expect(list({ predictionJobId: training.id })).rejects.toMatchObject({ error: { kind: 'InvalidArgument', field: 'prediction_job_id' } });
    const elsewhere = await job({ workload: 'segmentation-prediction', name: 'q', dataset: 'other', source: { jobId: 'job-x' }, output: {} }, 'other');
    await expect(list({ predictionJobId: elsewhere.id })).rejects.toThrow(/predicted data set other/);
    await store.upsertDataset({ name: 'sonar', sha256: 'a'.repeat(64), kind: 'tabular-csv', sizeBytes: 1, manifestKey: 'k', summary: '', createdAt: new Date() });
    await expect(list({ dataset: 'sonar' })).rejects.toMatchObject({ error: { kind: 'InvalidArgument', field: 'dataset' } });
  });
});

describe('readSegmentationCase', () => {
  it('returns the image and true mask from the shard, and the predicted mask from the job\'s NIfTI', async () => {
    const { store, objects, a, predict } = await fixture();
    const plain = await readSegmentationCase(store, objects, { dataset: 'lungs', sha256: '', caseId: 'ct-a', predictionJobId: '' });
    expect(plain.header).toMatchObject({ hasMask: true, hasPrediction: false, units: 'HU', case: { id: 'ct-a', shape: [2, 3, 4], spacing: [2.5, 0.7, 0.7] } });
    expect(Array.from(new Float32Array(new Uint8Array(plain.image).buffer))).toEqual(Array.from(a.image));
    expect(Array.from(plain.mask!)).toEqual(Array.from(a.mask!));

    const predicted = Uint8Array.from({ length: 24 }, (_, i) => (i < 12 ? 1 : 0));
    await objects.put(`jobs/${predict.id}/predictions/masks/ct-a.nii.gz`, await encodeVolumeMaskNiftiGz(predicted, a.shape, IDENTITY));
    const withPrediction = await readSegmentationCase(store, objects, { dataset: 'lungs', sha256: '', caseId: 'ct-a', predictionJobId: predict.id });
    expect(withPrediction.header.hasPrediction).toBe(true);
    expect(Array.from(withPrediction.prediction!)).toEqual(Array.from(predicted));

    const test = await readSegmentationCase(store, objects, { dataset: 'lungs', sha256: '', caseId: 'ct-b', predictionJobId: predict.id });
    expect(test.header).toMatchObject({ hasMask: false, hasPrediction: false, case: { split: 'test' } });
    expect(test.mask).toBeUndefined();
  });

  it('names an unknown case, and calls a predicted mask on another grid damaged', async () => {
    const { store, objects, predict } = await fixture();
    await expect(readSegmentationCase(store, objects, { dataset: 'lungs', sha256: '', caseId: 'ct-z', predictionJobId: '' }))
      .rejects.toMatchObject({ error: { kind: 'CaseNotFound', caseId: 'ct-z' } });
    await objects.put(`jobs/${predict.id}/predictions/masks/ct-a.nii.gz`, await encodeVolumeMaskNiftiGz(new Uint8Array(24), [3, 2, 4], IDENTITY));
    await expect(readSegmentationCase(store, objects, { dataset: 'lungs', sha256: '', caseId: 'ct-a', predictionJobId: predict.id }))
      .rejects.toMatchObject({ error: { kind: 'CorruptData', message: "its grid is 4x2x3, the case's is 4x3x2 (width x height x depth)" } });
  });
});
