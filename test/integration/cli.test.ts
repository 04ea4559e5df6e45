import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildZip, syntheticImage, writeTree } from '@tessera/storage/datasets/image-folder-fixtures';
import { greyPng } from '@tessera/storage/datasets/segmentation-fixtures';
import { sonarCsvPath } from './support/datasets.ts';
import { startTestCluster, type TestCluster } from './support/test-cluster.ts';

const run = promisify(execFile);
const CLI = path.resolve(import.meta.dirname, '../../packages/client/src/cli/main.ts');

/** Runs the CLI as a user would, in its own process; returns exit code and output instead of throwing. */
async function tessera(dataDir: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', CLI, '--data-dir', dataDir, ...args], {
      env: { ...process.env, TESSERA_COORDINATOR: '', TESSERA_API_TOKEN: '', ...env },
      timeout: 120_000,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe('the tessera CLI against a running cluster', () => {
  let tc: TestCluster;
  beforeAll(async () => {
    tc = await startTestCluster({ workers: 2, label: 'cli' });
  });
  afterAll(async () => {
    await tc?.close();
  });

  it('uploads a data set, submits a YAML spec, watches it to the end, and lists and shows the job', async () => {
    const upload = await tessera(tc.dataDir, ['dataset', 'upload', 'sonar', sonarCsvPath()]);
    expect(upload.stdout).toContain('registered sonar@e90434cdbf00fcf93ffa911fe447ae25606979658e60f1d32e155c3b5240234d');
    const spec = path.join(tc.dataDir, 'short.yaml');
    await writeFile(spec, ['name: cli-sonar', 'workload: tabular-classification', 'dataset: sonar', 'training: { epochs: 5, seed: 2 }', 'resources: { minWorkers: 2 }', ''].join('\n'));
    const submit = await tessera(tc.dataDir, ['submit', spec, '--watch']);
    expect(submit.code, submit.stderr).toBe(0);
    const jobId = /submitted (job-\S+)/.exec(submit.stdout)?.[1];
    expect(jobId).toBeDefined();
    expect(submit.stdout).toContain(`job ${jobId} (cli-sonar): SUCCEEDED`);
    expect(submit.stderr).toMatch(/training \[#+\] 100%/);
    expect(submit.stderr).toContain('worker_joined');

    const list = await tessera(tc.dataDir, ['list']);
    expect(list.stdout).toMatch(new RegExp(`${jobId}\\s+SUCCEEDED\\s+100%\\s+cli-sonar`));
    const status = await tessera(tc.dataDir, ['status', jobId!]);
    expect(status.stdout).toContain('test/accuracy');
    const workers = await tessera(tc.dataDir, ['workers']);
    expect(workers.stdout).toMatch(/local-0\s+IDLE\s+wasm/);
    const datasets = await tessera(tc.dataDir, ['dataset', 'list']);
    expect(datasets.stdout).toContain('208 rows x 61 columns');
    // Registering objects already in the store: the same version again is a no-op, an absent one is NOT_FOUND.
    const sha = 'e90434cdbf00fcf93ffa911fe447ae25606979658e60f1d32e155c3b5240234d';
    const again = await tessera(tc.dataDir, ['dataset', 'register', 'sonar', sha]);
    expect(again.stdout).toContain(`registered sonar@${sha}`);
    const absent = await tessera(tc.dataDir, ['dataset', 'register', 'elsewhere', sha]);
    expect(absent.code).toBe(1);
    expect(absent.stderr).toContain(`NotFound: no data set elsewhere@${sha} in the object store (expected datasets/elsewhere/${sha}/manifest.json)`);
  });

  it('uploads a zip of class folders as an image data set at the size asked for', async () => {
    const files = new Map<string, Uint8Array>();
    for (const [i, cls] of ['cats', 'dogs', 'cats', 'dogs', 'cats', 'dogs'].entries()) files.set(`train/${cls}/${i}.jpg`, await syntheticImage(i, 'jpeg'));
    const zip = path.join(tc.dataDir, 'pets.zip');
    await writeFile(zip, buildZip(files));
    const upload = await tessera(tc.dataDir, ['dataset', 'upload', 'pets', zip, '--image-size', '32']);
    expect(upload.code, upload.stderr).toBe(0);
    expect(upload.stdout).toMatch(/registered pets@[0-9a-f]{64} \(6 images .*2 classes, 32x32 RGB/);
    const bad = await tessera(tc.dataDir, ['dataset', 'upload', 'pets', zip, '--image-size', 'big']);
    expect(bad.stderr).toContain('--image-size must be 8..1024 pixels');
  });

  it('zips a folder of image/mask pairs and uploads it as a segmentation data set', async () => {
    const files = new Map<string, Uint8Array>();
    for (let i = 0; i < 5; i += 1) {
      files.set(`images/case-${i}.png`, await greyPng(24, 24, (x, y) => (x + y + i) % 256));
      files.set(`masks/case-${i}.png`, await greyPng(24, 24, (x) => (x < 12 ? 255 : 0)));
    }
    const folder = path.join(tc.dataDir, 'lungs');
    await writeTree(folder, files);
    const upload = await tessera(tc.dataDir, ['dataset', 'upload', 'lungs', folder, '--kind', 'segmentation', '--image-size', '16', '--class-name', 'lung', '--modality', 'CR']);
    expect(upload.code, upload.stderr).toBe(0);
    expect(upload.stdout).toMatch(/registered lungs@[0-9a-f]{64} \(5 slices, 16x16 \(4 train, 1 valid\), png CR, classes lung, /);
    const misplaced = await tessera(tc.dataDir, ['dataset', 'upload', 'lungs', folder, '--class-name', 'lung']);
    expect(misplaced.stderr).toContain('--class-name and --modality describe segmentation uploads (--kind segmentation)');
    const bad = await tessera(tc.dataDir, ['dataset', 'upload', 'lungs', folder, '--kind', 'masks']);
    expect(bad.stderr).toContain('--kind must be one of tabular-csv, image-folder, segmentation');
  });

  it('reports a bad spec file with the file and the field, before sending anything', async () => {
    const spec = path.join(tc.dataDir, 'bad.yaml');
    await writeFile(spec, 'name: bad\nworkload: tabular-classification\ndataset: sonar\ntraining: { batchSize: 0 }\n');
    const result = await tessera(tc.dataDir, ['submit', spec]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${spec}: training.batchSize`);
  });

  it('says where it looked when there is no coordinator or token', async () => {
    const nowhere = path.join(tc.dataDir, 'nothing-here');
    const result = await tessera(nowhere, ['list']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('no coordinator');
    const wrongToken = await tessera(tc.dataDir, ['list', '--token', 'tsr_api_wrong']);
    expect(wrongToken.code).toBe(1);
    expect(wrongToken.stderr).toContain('Unauthenticated: invalid token');
  });
});
