import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tensor } from '@tensorflow/tfjs-core';
import { sonarExampleSpec } from '@tessera/core/jobs/job-spec';
import { layersModelHandler } from '@tessera/core/training/training-state';
import { CHECKPOINT_FILES, type Job } from '@tessera/client/tessera-client';
import { sonarCsvPath } from './support/datasets.ts';
import { startTestCluster, type TestCluster } from './support/test-cluster.ts';

const SONAR_SHA256 = 'e90434cdbf00fcf93ffa911fe447ae25606979658e60f1d32e155c3b5240234d';

async function failure(call: Promise<unknown>): Promise<{ kind: string; message: string }> {
  try {
    await call;
  } catch (err) {
    return { kind: (err as { kind: string }).kind, message: (err as Error).message };
  }
  throw new Error('expected the call to fail');
}

describe('checkpoints, data-set preview and the job-name filter through the job API', () => {
  let tc: TestCluster;
  let job: Job;

  beforeAll(async () => {
    tc = await startTestCluster({ workers: 1, label: 'ckpt' });
    await tc.client.uploadDataset({ name: 'sonar', fileName: 'sonar.csv', bytes: await readFile(sonarCsvPath()) });
    const spec = sonarExampleSpec({ name: 'Ckpt-Sonar-Short', seed: 1 });
    spec.training.epochs = 4;
    spec.checkpoint = { everyEpochs: 2 };
    spec.resources = { ...spec.resources, minWorkers: 1, maxWorkers: 1 };
    job = await tc.client.waitForJob((await tc.client.submitJob(spec)).id);
  });
  afterAll(async () => {
    await tc?.close();
  });

  it('lists the complete checkpoints, newest first, the latest one being the job\'s', async () => {
    expect(job.state, job.reason).toBe('JOB_STATE_SUCCEEDED');
    const checkpoints = await tc.client.listCheckpoints(job.id);
    expect(checkpoints.length).toBeGreaterThanOrEqual(2);
    const steps = checkpoints.map((c) => c.step);
    expect(steps).toEqual([...steps].sort((a, b) => b - a));
    expect(checkpoints[0]).toMatchObject({ step: Number(job.totalSteps), manifestKey: job.checkpointKey });
    for (const c of checkpoints) {
      expect(c.sizeBytes).toBeGreaterThan(0);
      expect(Number.isNaN(Date.parse(c.createdAt))).toBe(false);
    }
  });

  it('downloads model.json and weights.bin that tfjs loads, and the other files whole', async () => {
    const [latest] = await tc.client.listCheckpoints(job.id);
    const files = Object.fromEntries(await Promise.all(CHECKPOINT_FILES.map(async (f) => [f, await tc.client.readCheckpointFile(job.id, latest!.step, f)] as const)));
    expect(Object.values(files).reduce((sum, b) => sum + b.length, 0)).toBe(latest!.sizeBytes);
    expect(JSON.parse(files['state.json']!.toString('utf8'))).toBeTypeOf('object');
    const tf = await import('@tensorflow/tfjs-core');
    await import('@tensorflow/tfjs-backend-cpu');
    await tf.setBackend('cpu');
    const tfl = await import('@tensorflow/tfjs-layers');
    const model = await tfl.loadLayersModel(layersModelHandler(files['model.json']!, files['weights.bin']!));
    const out = model.predict(tf.zeros([2, 60])) as Tensor;
    expect(out.shape).toEqual([2, 1]);
  });

  it('names what is wrong with a checkpoint request', async () => {
    const [latest] = await tc.client.listCheckpoints(job.id);
    expect(await failure(tc.client.readCheckpointFile(job.id, latest!.step, '../../secrets'))).toMatchObject({
      kind: 'InvalidArgument', message: expect.stringContaining('invalid file: "../../secrets" is not one of model.json, weights.bin') as string,
    });
    expect(await failure(tc.client.readCheckpointFile(job.id, -1, 'model.json'))).toMatchObject({ kind: 'InvalidArgument', message: expect.stringContaining('invalid step') as string });
    expect(await failure(tc.client.readCheckpointFile(job.id, latest!.step + 1, 'model.json'))).toEqual({
      kind: 'NotFound', message: `job ${job.id} has no complete checkpoint at step ${latest!.step + 1}`,
    });
    expect(await failure(tc.client.readCheckpointFile('job-nope', 1, 'model.json'))).toEqual({ kind: 'NotFound', message: 'job job-nope not found' });
    expect(await failure(tc.client.listCheckpoints('job-nope'))).toEqual({ kind: 'NotFound', message: 'job job-nope not found' });
  });

  it('previews Sonar with column_1..column_60 and label', async () => {
    const preview = await tc.client.previewDataset('sonar');
    expect(preview).toMatchObject({ name: 'sonar', sha256: SONAR_SHA256, kind: 'tabular-csv', totalRows: 208 });
    expect(preview.columns).toHaveLength(61);
    expect(preview.columns.slice(0, 2)).toEqual(['column_1', 'column_2']);
    expect(preview.columns.slice(-2)).toEqual(['column_60', 'label']);
    expect(preview.rows).toHaveLength(20);
    const firstLine = (await readFile(sonarCsvPath(), 'utf8')).split(/\r?\n/)[0]!;
    expect(preview.rows[0]!.cells).toEqual(firstLine.split(','));
    expect(preview.rows.every((r) => r.cells.length === 61 && /^[RM]$/.test(r.cells[60]!))).toBe(true);
    expect((await tc.client.previewDataset('sonar', { sha256: SONAR_SHA256, rows: 200 })).rows).toHaveLength(200);
    expect(await failure(tc.client.previewDataset('sonar', { rows: 201 }))).toMatchObject({ kind: 'InvalidArgument', message: expect.stringContaining('invalid rows') as string });
    expect(await failure(tc.client.previewDataset('nope'))).toEqual({ kind: 'NotFound', message: 'data set nope is not registered' });
  });

  it('filters jobs by a case-insensitive substring of the name', async () => {
    const other = await tc.client.submitJob({ ...sonarExampleSpec({ name: 'unrelated-run' }), resources: { minWorkers: 5, maxWorkers: 5 } });
    try {
      expect((await tc.client.listJobs({ nameContains: 'ckpt-sonar' })).map((j) => j.id)).toEqual([job.id]);
      expect((await tc.client.listJobs({ nameContains: 'UNRELATED' })).map((j) => j.id)).toEqual([other.id]);
      expect((await tc.client.listJobs({ nameContains: 'sonar', states: ['JOB_STATE_QUEUED'] }))).toEqual([]);
      expect((await tc.client.listJobs({ nameContains: 'no such job' }))).toEqual([]);
      expect((await tc.client.listJobs()).map((j) => j.id)).toEqual([other.id, job.id]);
    } finally {
      await tc.client.cancelJob(other.id);
    }
  });
});
