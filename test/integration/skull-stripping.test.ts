import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SegmentationPredictionSummary } from '@tessera/core/prediction/segmentation-summary';
import { decodeNiftiBytes, readNifti, toCanonical } from '@tessera/medical/nifti/nifti-reader';
import { ingestSegmentationDataset } from '@tessera/storage/datasets/segmentation-ingest';
import type { SegmentationManifest } from '@tessera/storage/datasets/segmentation-manifest';
import { objectStoreConfigFromEnv, openObjectStore } from '@tessera/storage/open-object-store';
import type { ObjectStore } from '@tessera/storage/object-store';
import { datasetMirror } from './support/datasets.ts';
import { startTestCluster, type TestCluster } from './support/test-cluster.ts';

/**
 * Skull stripping on the MNI152 T1 template (2 mm, 91x109x91) with its brain mask, end to end on 2 workers: train a
 * patch-based 3D U-Net on patches of the one volume (both ranks draw their own patches of it), then predict the whole
 * volume patch by patch and score it against the provided mask. One template is not a training set: this checks the
 * mechanics (ingest, 3D patches on 2 ranks, sliding-window prediction, NIfTI output in the template's grid, Dice),
 * and that a few epochs already separate brain from skull better than chance.
 */
const mni = path.join(datasetMirror(), 'nifti', 'brain-mri-mni152');

describe('skull stripping on the MNI152 T1 on 2 workers (mechanics)', () => {
  let tc: TestCluster;
  let objects: ObjectStore;
  let manifest: SegmentationManifest;

  beforeAll(async () => {
    tc = await startTestCluster({ workers: 2, label: 'skull' });
    objects = await openObjectStore(objectStoreConfigFromEnv(tc.env, { dataDir: tc.dataDir }));
    manifest = (
      await ingestSegmentationDataset(objects, {
        name: 'mni152-brain',
        source: mni,
        pairs: [{ id: 'mni152', image: 'MNI152_T1_2mm.nii.gz', masks: ['MNI152_T1_2mm_Brain_Mask.nii.gz'] }],
        className: 'brain',
      })
    ).manifest;
    await tc.client.registerDataset('mni152-brain', manifest.sha256);
  });
  afterAll(async () => {
    await tc?.close();
  });

  it('trains on patches on both ranks, predicts the whole volume as NIfTI in the template grid and reports Dice', async () => {
    expect(manifest.segmentation).toMatchObject({ dims: 3, source: 'nifti', classNames: ['background', 'brain'], splits: { train: 1, valid: 0, test: 0 } });
    const [only] = manifest.segmentation.cases;
    expect(only?.shape).toEqual([91, 109, 91]);

    const training = await tc.client.submitJob({
      name: 'skull-stripping-tiny',
      workload: 'segmentation',
      dataset: 'mni152-brain',
      model: { name: 'unet3d', options: { inputShape: [16, 16, 16, 1], depth: 2, baseFilters: 4 } },
      data: { intensity: { kind: 'zscore', threshold: 0 }, patches: { perVolume: 32, foregroundFraction: 0.5, predictionOverlap: 0 } },
      loss: { kind: 'bce-dice', crossEntropyWeight: 1 },
      training: { batchSize: 8, epochs: 8, learningRate: 0.01, seed: 1 },
      resources: { minWorkers: 2 },
      checkpoint: { everyEpochs: 4 },
    });
    const events: string[] = [];
    const trained = await tc.client.waitForJob(training.id, (u) => (u.event ? events.push(u.event.message) : undefined));
    expect(trained.state, trained.reason).toBe('JOB_STATE_SUCCEEDED');
    expect(trained.workerIds).toHaveLength(2);
    expect(events.filter((m) => /joined as rank [01] of 2/.test(m))).toHaveLength(2);
    // Both ranks drew patches of the one volume: rank 1 holds it too (32 patches per rank per epoch, 8 steps of 8).
    expect(Number(trained.totalSteps)).toBe(8 * Math.ceil(64 / 8));
    expect(trained.latestMetrics['train/loss']).toBeGreaterThan(0);

    const predicting = await tc.client.submitJob({
      name: 'skull-stripping-predict',
      workload: 'segmentation-prediction',
      source: { jobId: trained.id },
      dataset: 'mni152-brain',
      split: 'train',
      resources: { minWorkers: 2 },
    });
    const predicted = await tc.client.waitForJob(predicting.id);
    expect(predicted.state, predicted.reason).toBe('JOB_STATE_SUCCEEDED');
    const summary = JSON.parse((await tc.client.readJobResult(predicted.id)).toString('utf8')) as SegmentationPredictionSummary;
    const [scored] = summary.cases;
    expect(summary.cases).toHaveLength(1);
    const dice = scored?.dice ?? Number.NaN;
    console.info(`MNI152 brain mask Dice after 8 tiny epochs on 2 workers: ${dice.toFixed(4)} (IoU ${(scored?.iou ?? Number.NaN).toFixed(4)})`);

    // The mask comes back in the template's own (canonical) grid, with its affine, against which Dice is computed.
    const mask = decodeNiftiBytes(await objects.get(`jobs/${predicted.id}/predictions/masks/mni152.nii.gz`), 'mni152.nii.gz');
    const truth = toCanonical(await readNifti(path.join(mni, 'MNI152_T1_2mm_Brain_Mask.nii.gz')));
    expect(mask.shape).toEqual(truth.shape);
    mask.affine.flat().forEach((v, i) => expect(v).toBeCloseTo(truth.affine.flat()[i] as number, 3));
    let both = 0;
    let predictedVoxels = 0;
    let trueVoxels = 0;
    mask.data.forEach((v, i) => {
      const t = (truth.data[i] ?? 0) > 0 ? 1 : 0;
      predictedVoxels += v;
      trueVoxels += t;
      both += v * t;
    });
    expect(predictedVoxels).toBe(scored?.predictedVoxels);
    expect(trueVoxels).toBe(scored?.trueVoxels);
    expect(dice).toBeCloseTo((2 * both) / (predictedVoxels + trueVoxels), 6);
    // The brain is 29% of the template's voxels: calling every voxel brain scores 0.45 (0.80 here, same seed each run).
    expect(dice).toBeGreaterThan(0.6);
  }, 600_000);
});
