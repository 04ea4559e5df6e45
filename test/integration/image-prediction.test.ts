import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job } from '@tessera/client/tessera-client';
import { parsePredictionsCsv } from '@tessera/core/prediction/predictions-csv';
import { buildZip, syntheticImage } from '@tessera/storage/datasets/image-folder-fixtures';
import { objectStoreConfigFromEnv, openObjectStore } from '@tessera/storage/open-object-store';
import type { ObjectStore } from '@tessera/storage/object-store';
import { startTestCluster, type TestCluster } from './support/test-cluster.ts';

const run = promisify(execFile);
const CLI = path.resolve(import.meta.dirname, '../../packages/client/src/cli/main.ts');

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

// syntheticImage(seed) is a solid colour ((37s, 91s, 13s) mod 256): channels all below 90 make a dark image, all
// above 165 a bright one (as in image-job.test.ts).
const seedsWhere = (test: (channels: number[]) => boolean, count: number): number[] => {
  const out: number[] = [];
  for (let seed = 1; out.length < count; seed += 1) {
    if (test([(seed * 37) % 256, (seed * 91) % 256, (seed * 13) % 256])) out.push(seed);
  }
  return out;
};
const dark = seedsWhere((c) => Math.max(...c) < 90, 36);
const bright = seedsWhere((c) => Math.min(...c) > 165, 36);
const size = { width: 16, height: 16 };

/** train/ 24 per class, valid/ 6 per class (file names are seeds, distinct across classes). */
async function labeledZip(): Promise<Buffer> {
  const files = new Map<string, Uint8Array | null>();
  for (const [className, seeds] of Object.entries({ dark, bright })) {
    for (const [i, seed] of seeds.slice(0, 30).entries()) files.set(`${i < 24 ? 'train' : 'valid'}/${className}/${seed}.png`, await syntheticImage(seed, 'png', size));
  }
  return buildZip(files);
}

/** Kaggle's test1/ layout: 12 unseen images numbered 1..12, dark ones odd and bright ones even; the truth by id. */
async function unlabeledZip(): Promise<{ zip: Buffer; truth: Map<string, string> }> {
  const files = new Map<string, Uint8Array | null>([['test1/', null]]);
  const truth = new Map<string, string>();
  for (let id = 1; id <= 12; id += 1) {
    const seed = (id % 2 === 1 ? dark : bright)[30 + Math.floor((id - 1) / 2)] as number;
    files.set(`test1/${id}.png`, await syntheticImage(seed, 'png', size));
    truth.set(String(id), id % 2 === 1 ? 'dark' : 'bright');
  }
  return { zip: buildZip(files), truth };
}

describe('image-prediction jobs on 2 workers', () => {
  let tc: TestCluster;
  let objects: ObjectStore;
  let trained: Job;
  let truth: Map<string, string>;

  beforeAll(async () => {
    tc = await startTestCluster({ workers: 2, label: 'predict' });
    objects = await openObjectStore(objectStoreConfigFromEnv(tc.env, { dataDir: tc.dataDir }));
    await tc.client.uploadDataset({ name: 'dark-bright', kind: 'image-folder', fileName: 'dark-bright.zip', bytes: await labeledZip(), imageHeight: 16, imageWidth: 16 });
    const unlabeled = await unlabeledZip();
    truth = unlabeled.truth;
    const test1 = await tc.client.uploadDataset({ name: 'dark-bright-test1', kind: 'image-folder', fileName: 'test1.zip', bytes: unlabeled.zip, imageHeight: 16, imageWidth: 16 });
    expect(test1.summary).toBe('12 images (12 test, unlabeled), 16x16 RGB');
    await tc.client.uploadDataset({ name: 'dark-bright-test1-8px', kind: 'image-folder', fileName: 'test1.zip', bytes: unlabeled.zip, imageHeight: 8, imageWidth: 8 });

    // The training job goes in as a YAML spec file through the CLI, as a user submits an image job.
    const spec = path.join(tc.dataDir, 'small-vgg.yaml');
    await writeFile(spec, [
      'name: dark-vs-bright',
      'workload: image-classification',
      'dataset: dark-bright',
      'model: { name: small-vgg, options: { inputShape: [16, 16, 3], blocks: [8, 16], denseUnits: 16, dropout: 0.25 } }',
      'training: { batchSize: 8, epochs: 6, learningRate: 0.003, seed: 2 }',
      'resources: { minWorkers: 2 }',
      'checkpoint: { everyEpochs: 3 }',
      '',
    ].join('\n'));
    const submit = await tessera(tc.dataDir, ['submit', spec, '--watch']);
    expect(submit.code, submit.stderr).toBe(0);
    const jobId = /submitted (job-\S+)/.exec(submit.stdout)?.[1] ?? '';
    trained = await tc.client.getJob(jobId);
    expect(trained.state, trained.reason).toBe('JOB_STATE_SUCCEEDED');
    expect(trained.checkpointKey).toBe(`jobs/${jobId}/checkpoints/36/manifest.json`);
  });
  afterAll(async () => {
    await tc?.close();
  });

  it('classifies an unlabeled test1/ folder from the CLI into a Kaggle-style CSV in the store, and downloads it', async () => {
    const file = path.join(tc.dataDir, 'submission.csv');
    const cli = await tessera(tc.dataDir, ['predict', '--checkpoint', trained.id, '--dataset', 'dark-bright-test1', '--workers', '2', '--download', file]);
    expect(cli.code, cli.stderr).toBe(0);
    const jobId = /submitted (job-\S+)/.exec(cli.stdout)?.[1] ?? '';
    const key = `jobs/${jobId}/predictions.csv`;
    expect(cli.stdout).toContain(`predictions will be at ${key}`);
    expect(cli.stdout).toContain(`saved 12 predictions to ${file}`);

    const job = await tc.client.getJob(jobId);
    expect(job.state, job.reason).toBe('JOB_STATE_SUCCEEDED');
    expect(job.workerIds).toHaveLength(2);
    expect(job.resultKey).toBe(key);
    expect(job.reason).toBe(`predicted 12 images; predictions at ${key}`);

    const stored = (await objects.get(key)).toString('utf8');
    expect(await readFile(file, 'utf8')).toBe(stored);
    const rows = parsePredictionsCsv(stored);
    expect(stored.split('\n')[0]).toBe('id,label,probability');
    // Ids are file names without extension, in numeric order whatever rank predicted them.
    expect(rows.map((r) => r.id)).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11', '12']);
    expect(rows.every((r) => (r.label === 'dark' || r.label === 'bright') && r.probability >= 0.5 && r.probability <= 1)).toBe(true);
    const right = rows.filter((r) => truth.get(r.id) === r.label).length;
    console.info(`test1 predictions: ${right}/12 right; ${rows.map((r) => `${r.id}:${r.label}:${r.probability.toFixed(3)}`).join(' ')}`);
    expect(right).toBeGreaterThanOrEqual(10);
    // The parts each rank left for rank 0 are gone.
    expect(await objects.list(`jobs/${jobId}/prediction-parts/`)).toEqual([]);

    const updates: string[] = [];
    await tc.client.waitForJob(jobId, (u) => (u.event ? updates.push(u.event.message) : undefined));
    expect(updates).toContain(`classifying with ${trained.checkpointKey} (step 36 of job ${trained.id}); predictions go to ${key}`);
    expect(updates).toContain(`wrote 12 predictions (test split) to ${key}`);
  });

  it('classifies a labeled split with an earlier checkpoint, scoring it against the folder labels', async () => {
    const submitted = await tc.client.submitJob({
      name: 'valid-at-18', workload: 'image-prediction', source: { jobId: trained.id, step: 18 }, dataset: 'dark-bright', split: 'valid',
      output: { key: 'submissions/valid-18.csv' }, batchSize: 5, resources: { minWorkers: 2 },
    });
    const job = await tc.client.waitForJob(submitted.id);
    expect(job.state, job.reason).toBe('JOB_STATE_SUCCEEDED');
    expect(job.reason).toMatch(/^predicted 12 images; predictions at submissions\/valid-18\.csv; accuracy \d+\.\d\d% against the data set's labels$/);
    const rows = parsePredictionsCsv((await tc.client.readJobResult(job.id)).toString('utf8'));
    const expectedIds = [...dark.slice(24, 30), ...bright.slice(24, 30)].sort((a, b) => a - b).map(String);
    expect(rows.map((r) => r.id)).toEqual(expectedIds);
    const accuracy = job.latestMetrics['predict/accuracy'] ?? -1;
    const right = rows.filter((r) => r.label === (dark.includes(Number(r.id)) ? 'dark' : 'bright')).length;
    expect(accuracy).toBeCloseTo(right / 12, 6);
    expect(job.latestMetrics['predict/images']).toBe(12);
  });

  it('fails a job naming a missing checkpoint, an unknown source job or the wrong image size, and training on unlabeled images, with a clear reason', async () => {
    const predict = async (source: { jobId: string; step?: number }, dataset = 'dark-bright-test1') => {
      const submitted = await tc.client.submitJob({ name: 'bad', workload: 'image-prediction', source, dataset });
      return tc.client.waitForJob(submitted.id);
    };
    const missingStep = await predict({ jobId: trained.id, step: 999 });
    expect(missingStep.state).toBe('JOB_STATE_FAILED');
    expect(missingStep.reason).toBe(`source: job ${trained.id} has no complete checkpoint at step 999; it has steps 36, 18`);
    expect(missingStep.workerIds).toEqual([]);

    const unknown = await predict({ jobId: 'job-doesnotexist' });
    expect(unknown.state).toBe('JOB_STATE_FAILED');
    expect(unknown.reason).toBe('source.jobId: job job-doesnotexist not found');

    const wrongSize = await predict({ jobId: trained.id }, 'dark-bright-test1-8px');
    expect(wrongSize.state).toBe('JOB_STATE_FAILED');
    expect(wrongSize.reason).toContain(`image size mismatch: the model of job ${trained.id} (step 36) takes 16x16x3 images but data set dark-bright-test1-8px holds 8x8x3`);

    const trainOnUnlabeled = await tc.client.submitJob({ name: 'no-labels', workload: 'image-classification', dataset: 'dark-bright-test1', model: { name: 'small-vgg', options: { inputShape: [16, 16, 3] } } });
    const noLabels = await tc.client.waitForJob(trainOnUnlabeled.id);
    expect(noLabels.state).toBe('JOB_STATE_FAILED');
    expect(noLabels.reason).toContain('dataset: dark-bright-test1 holds only unlabeled images (no train/<class>/ folders): it can be predicted (image-prediction), not trained on');

    const noResult = await tc.client.readJobResult(missingStep.id).then(() => undefined, (err: Error & { kind: string }) => err);
    expect(noResult?.kind).toBe('FailedPrecondition');
    expect(noResult?.message).toContain('it is FAILED');
    const training = await tc.client.readJobResult(trained.id).then(() => undefined, (err: Error & { kind: string }) => err);
    expect(training?.message).toBe(`job ${trained.id} has no result file: image-classification jobs write none (their checkpoints are their result)`);
  });
});
