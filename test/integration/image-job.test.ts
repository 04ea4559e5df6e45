import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job, JobUpdate } from '@tessera/client/tessera-client';
import { buildZip, syntheticImage } from '@tessera/storage/datasets/image-folder-fixtures';
import { objectStoreConfigFromEnv, openObjectStore } from '@tessera/storage/open-object-store';
import { startTestCluster, type TestCluster } from './support/test-cluster.ts';

// syntheticImage(seed) is a solid colour ((37s, 91s, 13s) mod 256): seeds whose channels are all below 90 make dark
// images, all above 165 bright ones, so the two classes are easy for a tiny CNN and hard for a broken pipeline.
const seedsWhere = (test: (channels: number[]) => boolean, count: number): number[] => {
  const out: number[] = [];
  for (let seed = 1; out.length < count; seed += 1) {
    if (test([(seed * 37) % 256, (seed * 91) % 256, (seed * 13) % 256])) out.push(seed);
  }
  return out;
};
const TRAIN_PER_CLASS = 24;
const VALID_PER_CLASS = 6;

async function darkAndBrightZip(): Promise<Buffer> {
  const files = new Map<string, Uint8Array | null>();
  const size = { width: 16, height: 16 };
  const classes = {
    dark: seedsWhere((c) => Math.max(...c) < 90, TRAIN_PER_CLASS + VALID_PER_CLASS),
    bright: seedsWhere((c) => Math.min(...c) > 165, TRAIN_PER_CLASS + VALID_PER_CLASS),
  };
  for (const [className, seeds] of Object.entries(classes)) {
    for (const [i, seed] of seeds.entries()) {
      const split = i < TRAIN_PER_CLASS ? 'train' : 'valid';
      files.set(`${split}/${className}/${seed}.png`, await syntheticImage(seed, 'png', size));
    }
  }
  return buildZip(files);
}

const tinySpec = (name: string, inputShape: [number, number, number] = [16, 16, 3]) => ({
  name,
  workload: 'image-classification',
  dataset: 'dark-bright',
  model: { name: 'small-vgg', options: { inputShape, blocks: [8, 16], denseUnits: 16, dropout: 0.25 } },
  training: { batchSize: 8, epochs: 6, learningRate: 0.003, seed: 2 },
  resources: { minWorkers: 2 },
  checkpoint: { everyEpochs: 3 },
});

describe('image-classification job on 2 workers', () => {
  let tc: TestCluster;

  beforeAll(async () => {
    tc = await startTestCluster({ workers: 2, label: 'imgjob' });
    const dataset = await tc.client.uploadDataset({ name: 'dark-bright', kind: 'image-folder', fileName: 'dark-bright.zip', bytes: await darkAndBrightZip(), imageHeight: 16, imageWidth: 16 });
    expect(dataset.summary).toBe('60 images (48 train, 12 valid), 2 classes, 16x16 RGB');
  });
  afterAll(async () => {
    await tc?.close();
  });

  it('trains the small VGG on rank-local shards to SUCCEEDED with validation metrics every epoch and a checkpoint', async () => {
    const submitted = await tc.client.submitJob(tinySpec('dark-vs-bright'));
    const updates: JobUpdate[] = [];
    const final: Job = await tc.client.waitForJob(submitted.id, (u) => updates.push(u));
    expect(final.state, final.reason).toBe('JOB_STATE_SUCCEEDED');
    expect(final.reason).toMatch(/valid accuracy \d+\.\d\d%/);
    expect(final.workerIds).toHaveLength(2);
    // 24 train images per rank, 4 per rank per step: 6 steps an epoch.
    expect(Number(final.totalSteps)).toBe(36);
    expect(Number(final.step)).toBe(36);

    const validAccuracy = updates.flatMap((u) => (u.metric?.split === 'valid' && u.metric.name === 'accuracy' ? [u.metric.value] : []));
    expect(validAccuracy).toHaveLength(6);
    expect(validAccuracy.every((a) => a >= 0 && a <= 1)).toBe(true);
    expect(final.latestMetrics['valid/accuracy']).toBeGreaterThanOrEqual(0.9);
    expect(final.latestMetrics['valid/loss']).toBeLessThan(Math.log(2));
    expect(final.latestMetrics['train/loss']).toBeGreaterThan(0);
    console.info(`dark vs bright, 2 workers: valid accuracy by epoch ${validAccuracy.map((a) => a.toFixed(3)).join(' ')}; final valid loss ${final.latestMetrics['valid/loss']?.toFixed(4)}`);

    const infos = updates.flatMap((u) => (u.event?.kind === 'info' ? [u.event.message] : []));
    expect(infos.filter((m) => /rank \d\/2 starting on wasm/.test(m))).toHaveLength(2);

    expect(final.checkpointKey).toMatch(new RegExp(`^jobs/${final.id}/checkpoints/36/manifest.json$`));
    const objects = await openObjectStore(objectStoreConfigFromEnv(tc.env, { dataDir: tc.dataDir }));
    const folder = path.posix.dirname(final.checkpointKey);
    const modelJson = JSON.parse((await objects.get(`${folder}/model.json`)).toString('utf8')) as { format: string; userDefinedMetadata: { labelMapping: string[] } };
    expect(modelJson.format).toBe('layers-model');
    expect([...modelJson.userDefinedMetadata.labelMapping].sort()).toEqual(['bright', 'dark']);
  });

  it('fails a job whose model input does not match the data set, naming the field', async () => {
    const submitted = await tc.client.submitJob(tinySpec('wrong-size', [32, 32, 3]));
    const final = await tc.client.waitForJob(submitted.id);
    expect(final.state).toBe('JOB_STATE_FAILED');
    expect(final.reason).toContain('model.options.inputShape is [32, 32, 3] but data set dark-bright holds 16x16x3 images');
  });

  it('refuses an image spec with INVALID_ARGUMENT naming the image field at fault', async () => {
    const rejection = async (call: Promise<unknown>) => call.then(() => ({ kind: '', message: 'accepted' }), (err: Error & { kind: string }) => err);
    const augment = await rejection(tc.client.submitJob({ ...tinySpec('bad'), data: { augment: { rotationRange: -5 } } }));
    expect(augment.kind).toBe('InvalidArgument');
    expect(augment.message).toContain('data.augment.rotationRange');
    const model = await rejection(tc.client.submitJob({ ...tinySpec('bad'), model: { name: 'mlp' } }));
    expect(model.message).toContain('model.name');
    expect(model.message).toContain('small-vgg, vgg16-notop');
  });
});
