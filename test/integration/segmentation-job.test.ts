import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobUpdate } from '@tessera/client/tessera-client';
import { ingestSegmentationDataset } from '@tessera/storage/datasets/segmentation-ingest';
import { objectStoreConfigFromEnv, openObjectStore } from '@tessera/storage/open-object-store';
import type { ObjectStore } from '@tessera/storage/object-store';
import { datasetMirror } from './support/datasets.ts';
import { startTestCluster, type TestCluster } from './support/test-cluster.ts';

const lungCt = path.join(datasetMirror(), 'lung-ct');
const SIDE = 64;

const lungs2d = (name: string, inputShape: [number, number, number] = [SIDE, SIDE, 1]) => ({
  name,
  workload: 'segmentation',
  dataset: 'montgomery',
  model: { name: 'unet2d', options: { inputShape, depth: 3, baseFilters: 8 } },
  data: { intensity: { kind: 'range', min: 0, max: 255 }, augment: { rotationRange: 5, zoomRange: 0.05 } },
  training: { batchSize: 16, epochs: 2, learningRate: 0.003, seed: 1 },
  resources: { minWorkers: 2 },
  checkpoint: { everyEpochs: 1 },
});

describe('segmentation jobs on 2 workers', () => {
  let tc: TestCluster;
  let objects: ObjectStore;

  beforeAll(async () => {
    tc = await startTestCluster({ workers: 2, label: 'segjob' });
    objects = await openObjectStore(objectStoreConfigFromEnv(tc.env, { dataDir: tc.dataDir }));
    const montgomery = await ingestSegmentationDataset(objects, { name: 'montgomery', source: path.join(lungCt, 'montgomery-cxr'), size: { height: SIDE, width: SIDE }, className: 'lung' });
    expect(montgomery.manifest.segmentation.splits).toEqual({ train: 110, valid: 28, test: 0 });
    await tc.client.registerDataset('montgomery', montgomery.manifest.sha256);
    // One CT, so three copies of it: two train cases (one per rank) and one valid case. Mechanics only: its masks
    // (five lobes, unioned at ingest) are TotalSegmentator's output, and the valid case is a train case.
    const source = path.join(lungCt, 'fallback-totalsegmentator-example');
    const lobes = (await readdir(path.join(source, 'lung_masks'))).filter((name) => name.endsWith('.nii.gz')).sort();
    const copies = ['ct-a', 'ct-b', 'ct-c'].map((id) => ({ id, image: 'example_ct_sm.nii.gz', masks: lobes.map((lobe) => `lung_masks/${lobe}`) }));
    const ct = await ingestSegmentationDataset(objects, { name: 'lung-ct-3d', source, pairs: copies, modality: 'CT', className: 'lung', validFraction: 1 / 3 });
    expect(ct.manifest.segmentation).toMatchObject({ dims: 3, units: 'HU', splits: { train: 2, valid: 1, test: 0 } });
    await tc.client.registerDataset('lung-ct-3d', ct.manifest.sha256);
  });
  afterAll(async () => {
    await tc?.close();
  });

  it('trains a 2D U-Net on the Montgomery chest X-rays to SUCCEEDED with valid Dice and IoU every epoch', async () => {
    const submitted = await tc.client.submitJob(lungs2d('lungs-2d'));
    const updates: JobUpdate[] = [];
    const final = await tc.client.waitForJob(submitted.id, (u) => updates.push(u));
    expect(final.state, final.reason).toBe('JOB_STATE_SUCCEEDED');
    expect(final.reason).toMatch(/^completed \d+ steps; valid Dice \d\.\d{4}, IoU \d\.\d{4}; valid loss \d+\.\d{4}$/);
    expect(final.workerIds).toHaveLength(2);
    // 55 train slices per rank, 8 per rank per step: 7 steps an epoch.
    expect(Number(final.totalSteps)).toBe(14);
    const dice = updates.flatMap((u) => (u.metric?.split === 'valid' && u.metric.name === 'dice' ? [u.metric.value] : []));
    const iou = updates.flatMap((u) => (u.metric?.split === 'valid' && u.metric.name === 'iou' ? [u.metric.value] : []));
    expect(dice).toHaveLength(2);
    expect(iou).toHaveLength(2);
    for (const [i, d] of dice.entries()) {
      expect(d).toBeGreaterThan(0);
      expect(d).toBeLessThanOrEqual(1);
      // IoU = Dice / (2 - Dice) per case, so the mean IoU is at most the mean Dice.
      expect(iou[i]).toBeLessThanOrEqual(d);
    }
    expect(final.latestMetrics['valid/loss']).toBeGreaterThan(0);
    expect(final.checkpointKey).toMatch(new RegExp(`^jobs/${final.id}/checkpoints/14/manifest.json$`));
    console.info(`montgomery 64x64, 2 workers, 2 epochs: valid Dice ${dice.map((d) => d.toFixed(3)).join(' ')}, IoU ${iou.map((d) => d.toFixed(3)).join(' ')}`);
  });

  it('fails a 2D job whose model input is not the stored slice size, naming model.options.inputShape', async () => {
    const final = await tc.client.waitForJob((await tc.client.submitJob(lungs2d('wrong-size', [128, 128, 1]))).id);
    expect(final.state).toBe('JOB_STATE_FAILED');
    expect(final.reason).toContain('model.options.inputShape is [128, 128, 1] but data set montgomery holds 64x64 slices');
  });

  it('trains a 3D U-Net on 16³ patches of the TotalSegmentator CT to SUCCEEDED with a whole-volume Dice', async () => {
    const submitted = await tc.client.submitJob({
      name: 'lungs-3d',
      workload: 'segmentation',
      dataset: 'lung-ct-3d',
      model: { name: 'unet3d', options: { inputShape: [16, 16, 16, 1], depth: 2, baseFilters: 4 } },
      data: { intensity: { kind: 'window', preset: 'lung' }, augment: { horizontalFlip: true }, patches: { perVolume: 4, foregroundFraction: 0.5, predictionOverlap: 0 } },
      // Scored every epoch: the whole CT in 112 passes of 16³, which starved the worker's gRPC stream to the
      // coordinator until the sliding window yielded to the event loop between passes.
      training: { batchSize: 4, epochs: 2, learningRate: 0.003, seed: 1 },
      resources: { minWorkers: 2 },
    });
    const updates: JobUpdate[] = [];
    const final = await tc.client.waitForJob(submitted.id, (u) => updates.push(u));
    expect(final.state, final.reason).toBe('JOB_STATE_SUCCEEDED');
    // One volume per rank, 4 patches each, 2 per rank per step: 2 steps an epoch.
    expect(Number(final.totalSteps)).toBe(4);
    const dice = final.latestMetrics['valid/dice'];
    expect(updates.filter((u) => u.metric?.split === 'valid' && u.metric.name === 'dice')).toHaveLength(2);
    expect(dice).toBeGreaterThanOrEqual(0);
    expect(dice).toBeLessThanOrEqual(1);
    expect(updates.some((u) => u.metric?.split === 'valid' && u.metric.name === 'iou')).toBe(true);
    console.info(`TotalSegmentator CT, 16³ patches, 2 workers, 2 epochs: whole-volume valid Dice ${dice?.toFixed(3)}`);
  });
});
