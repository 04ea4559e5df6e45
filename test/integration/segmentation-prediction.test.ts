import { execFile } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job } from '@tessera/client/tessera-client';
import type { SegmentationPredictionSummary } from '@tessera/core/prediction/segmentation-summary';
import { decodeNiftiBytes } from '@tessera/medical/nifti/nifti-reader';
import { decodePngSlice } from '@tessera/medical/tiff/png-slice';
import { ingestSegmentationDataset } from '@tessera/storage/datasets/segmentation-ingest';
import type { SegmentationManifest } from '@tessera/storage/datasets/segmentation-manifest';
import { objectStoreConfigFromEnv, openObjectStore } from '@tessera/storage/open-object-store';
import type { ObjectStore } from '@tessera/storage/object-store';
import { datasetMirror } from './support/datasets.ts';
import { startTestCluster, type TestCluster } from './support/test-cluster.ts';

const run = promisify(execFile);
const CLI = path.resolve(import.meta.dirname, '../../packages/client/src/cli/main.ts');
const lungCt = path.join(datasetMirror(), 'lung-ct');
const SIDE = 64;

/** Runs the CLI in its own process against the test cluster; returns exit code and output instead of throwing. */
async function tessera(dataDir: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', CLI, '--data-dir', dataDir, ...args], {
      env: { ...process.env, TESSERA_COORDINATOR: '', TESSERA_API_TOKEN: '' },
      timeout: 120_000,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** The first 20 Montgomery chest X-rays by name with their lung masks, named explicitly (the folder holds 138). */
async function montgomeryPairs(): Promise<Array<{ id: string; image: string; masks: string[] }>> {
  const files = (await readdir(path.join(lungCt, 'montgomery-cxr', 'images'))).filter((f) => f.endsWith('.png')).sort().slice(0, 20);
  return files.map((file) => ({ id: file.slice(0, -4), image: `images/${file}`, masks: [`masks/${file}`] }));
}

/** Every case of `split` in the manifest, in manifest order. */
const casesOf = (manifest: SegmentationManifest, split: string) => manifest.segmentation.cases.filter((c) => c.split === split);

describe('segmentation-prediction jobs on 2 workers', () => {
  let tc: TestCluster;
  let objects: ObjectStore;
  let montgomery: SegmentationManifest;
  let kaggle: SegmentationManifest;
  let trained: Job;

  beforeAll(async () => {
    tc = await startTestCluster({ workers: 2, label: 'segpredict' });
    objects = await openObjectStore(objectStoreConfigFromEnv(tc.env, { dataDir: tc.dataDir }));
    const size = { height: SIDE, width: SIDE };
    montgomery = (await ingestSegmentationDataset(objects, { name: 'montgomery-20', source: path.join(lungCt, 'montgomery-cxr'), pairs: await montgomeryPairs(), size, className: 'lung', seed: 3 })).manifest;
    await tc.client.registerDataset('montgomery-20', montgomery.sha256);
    kaggle = (await ingestSegmentationDataset(objects, { name: 'kaggle-2d', source: path.join(lungCt, 'kaggle-2d-reencoded'), size, className: 'lung' })).manifest;
    await tc.client.registerDataset('kaggle-2d', kaggle.sha256);
    await tc.client.uploadDataset({ name: 'not-images', fileName: 'rows.csv', bytes: Buffer.from('a,b\n1,2\n3,4\n') });
    expect(casesOf(montgomery, 'valid').length).toBeGreaterThanOrEqual(2);

    const submitted = await tc.client.submitJob({
      name: 'lungs-2d-tiny',
      workload: 'segmentation',
      dataset: 'montgomery-20',
      model: { name: 'unet2d', options: { inputShape: [SIDE, SIDE, 1], depth: 2, baseFilters: 4 } },
      training: { batchSize: 8, epochs: 2, learningRate: 0.01, seed: 2 },
      resources: { minWorkers: 2 },
      checkpoint: { everyEpochs: 1 },
    });
    trained = await tc.client.waitForJob(submitted.id);
    expect(trained.state, trained.reason).toBe('JOB_STATE_SUCCEEDED');
  });
  afterAll(async () => {
    await tc?.close();
  });

  it('predicts the valid split from the CLI: one NIfTI mask and one PNG overlay per case, and the summary downloads', async () => {
    const file = path.join(tc.dataDir, 'summary.json');
    const cli = await tessera(tc.dataDir, ['predict', '--checkpoint', trained.id, '--dataset', 'montgomery-20', '--split', 'valid', '--workers', '2', '--download', file]);
    expect(cli.code, cli.stderr).toBe(0);
    const jobId = /submitted (job-\S+)/.exec(cli.stdout)?.[1] ?? '';
    const prefix = `jobs/${jobId}/predictions`;
    expect(cli.stdout).toContain(`the summary (masks and overlays beside it) will be at ${prefix}/summary.json`);

    const job = await tc.client.getJob(jobId);
    expect(job.state, job.reason).toBe('JOB_STATE_SUCCEEDED');
    expect(job.workerIds).toHaveLength(2);
    expect(job.resultKey).toBe(`${prefix}/summary.json`);
    expect(job.reason).toMatch(new RegExp(`^predicted \\d+ cases; summary at ${prefix}/summary\\.json; mean Dice \\d\\.\\d{4}, IoU \\d\\.\\d{4} against the data set's masks$`));

    const stored = (await objects.get(`${prefix}/summary.json`)).toString('utf8');
    expect(await readFile(file, 'utf8')).toBe(stored);
    expect(cli.stdout).toContain(`saved the summary of ${casesOf(montgomery, 'valid').length} predicted valid cases, mean Dice`);
    const summary = JSON.parse(stored) as SegmentationPredictionSummary;
    const valid = casesOf(montgomery, 'valid');
    expect(summary).toMatchObject({ job: jobId, sourceJob: trained.id, dataset: 'montgomery-20', datasetSha256: montgomery.sha256, split: 'valid', threshold: 0.5 });
    expect(summary.step).toBe(Number(/checkpoints\/(\d+)\//.exec(trained.checkpointKey)?.[1]));
    expect(summary.cases.map((c) => c.id)).toEqual(valid.map((c) => c.id).sort());
    for (const c of summary.cases) {
      expect(c.dice).toBeGreaterThanOrEqual(0);
      expect(c.dice).toBeLessThanOrEqual(1);
      expect(c.iou).toBeLessThanOrEqual(c.dice as number);
      expect(c.trueVoxels).toBe(valid.find((v) => v.id === c.id)?.foregroundVoxels);
    }
    const mean = summary.cases.reduce((s, c) => s + (c.dice as number), 0) / summary.cases.length;
    expect(summary.meanDice).toBeCloseTo(mean, 12);
    expect(job.latestMetrics['predict/dice']).toBeCloseTo(mean, 6);
    console.info(`montgomery valid Dice after 2 tiny epochs: ${summary.cases.map((c) => `${c.id}:${(c.dice as number).toFixed(3)}`).join(' ')}`);

    for (const c of valid) {
      const nifti = decodeNiftiBytes(await objects.get(`${prefix}/masks/${c.id}.nii.gz`), c.id);
      expect(nifti.shape).toEqual([SIDE, SIDE, 1]);
      expect(nifti.datatype).toBe('uint8');
      nifti.affine.flat().forEach((v, i) => expect(v).toBeCloseTo(c.affine[i] as number, 4));
      const predicted = nifti.data.reduce((s, v) => s + v, 0);
      expect(predicted).toBe(summary.cases.find((s) => s.id === c.id)?.predictedVoxels);
      const png = await decodePngSlice(await objects.get(`${prefix}/overlays/${c.id}.png`), `${c.id}.png`);
      expect([png.width, png.height, png.samplesPerPixel, png.bitsPerSample]).toEqual([SIDE, SIDE, 3, 8]);
    }
    expect((await objects.list(`${prefix}/masks/`)).length).toBe(valid.length);
    expect((await objects.list(`${prefix}/overlays/`)).length).toBe(valid.length);
    expect(await objects.list(`jobs/${jobId}/prediction-parts/`)).toEqual([]);

    const events: string[] = [];
    await tc.client.waitForJob(jobId, (u) => (u.event ? events.push(u.event.message) : undefined));
    expect(events).toContain(`segmenting with ${trained.checkpointKey} (step ${summary.step} of job ${trained.id}); masks and overlays go to ${prefix}/, the summary to ${prefix}/summary.json`);
  });

  it('predicts the re-encoded Kaggle CT TIFF pairs (default split) into a chosen prefix', async () => {
    const submitted = await tc.client.submitJob({
      name: 'kaggle', workload: 'segmentation-prediction', source: { jobId: trained.id }, dataset: 'kaggle-2d', output: { prefix: 'runs/kaggle' }, batchSize: 3, resources: { minWorkers: 2 },
    });
    const job = await tc.client.waitForJob(submitted.id);
    expect(job.state, job.reason).toBe('JOB_STATE_SUCCEEDED');
    const summary = JSON.parse((await tc.client.readJobResult(job.id)).toString('utf8')) as SegmentationPredictionSummary;
    const split = kaggle.segmentation.splits.valid > 0 ? 'valid' : 'train';
    expect(summary.split).toBe(split);
    expect(summary.cases.map((c) => c.id)).toEqual(casesOf(kaggle, split).map((c) => c.id).sort());
    expect(summary.cases.every((c) => c.dice !== null && c.dice >= 0 && c.dice <= 1)).toBe(true);
    for (const c of summary.cases) {
      expect(decodeNiftiBytes(await objects.get(`runs/kaggle/masks/${c.id}.nii.gz`), c.id).shape).toEqual([SIDE, SIDE, 1]);
      expect((await decodePngSlice(await objects.get(`runs/kaggle/overlays/${c.id}.png`), `${c.id}.png`)).width).toBe(SIDE);
    }
  });

  it('fails a wrong source workload, a missing checkpoint and a data set of the wrong kind with clear reasons', async () => {
    const predict = async (source: { jobId: string; step?: number }, dataset = 'montgomery-20') => {
      const submitted = await tc.client.submitJob({ name: 'bad', workload: 'segmentation-prediction', source, dataset });
      return tc.client.waitForJob(submitted.id);
    };
    const missingStep = await predict({ jobId: trained.id, step: 999 });
    expect(missingStep.state).toBe('JOB_STATE_FAILED');
    expect(missingStep.reason).toMatch(new RegExp(`^source: job ${trained.id} has no complete checkpoint at step 999; it has steps \\d+`));
    expect(missingStep.workerIds).toEqual([]);

    const predictions = await tc.client.listJobs({ nameContains: 'kaggle' });
    const wrongSource = await predict({ jobId: predictions[0]?.id ?? '' });
    expect(wrongSource.state).toBe('JOB_STATE_FAILED');
    expect(wrongSource.reason).toBe(`source.jobId: job ${predictions[0]?.id ?? ''} is a segmentation-prediction job; segmentation predictions need a segmentation checkpoint`);

    const wrongKind = await predict({ jobId: trained.id }, 'not-images');
    expect(wrongKind.state).toBe('JOB_STATE_FAILED');
    expect(wrongKind.reason).toBe('dataset: data set not-images is a tabular-csv data set; segmentation-prediction jobs read segmentation data sets');

    const noResult = await tc.client.readJobResult(wrongKind.id).then(() => undefined, (err: Error & { kind: string }) => err);
    expect(noResult?.kind).toBe('FailedPrecondition');
  });
});
