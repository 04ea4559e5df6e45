import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sonarExampleSpec } from '@tessera/core/jobs/job-spec';
import { objectStoreConfigFromEnv, openObjectStore } from '@tessera/storage/open-object-store';
import { sonarCsvPath } from './support/datasets.ts';
import { startTestCluster, type TestCluster } from './support/test-cluster.ts';

/** Largest element-wise difference relative to the largest magnitude, as the issue measures it. */
function relativeDifference(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(a[i]!));
  }
  return diff / scale;
}

describe('data parallelism across worker processes', () => {
  let tc: TestCluster;
  beforeAll(async () => {
    tc = await startTestCluster({ workers: 3, label: 'equivalence' });
    await tc.client.uploadDataset({ name: 'sonar', fileName: 'sonar.csv', bytes: await readFile(sonarCsvPath()) });
  });
  afterAll(async () => {
    await tc?.close();
  });

  it('gives the same weights after 50 steps on 1, 2 and 3 workers (same seed, same global batch)', async () => {
    const base = sonarExampleSpec({ name: 'equivalence', seed: 3 });
    // 125 training rows / global batch 25 = 5 steps per epoch; 10 epochs = 50 steps.
    const weights: Float32Array[] = [];
    const objects = await openObjectStore(objectStoreConfigFromEnv(tc.env, { dataDir: tc.dataDir }));
    // The last run changes only the seed: its weights must differ, or the comparison proves nothing.
    for (const [workers, seed] of [[1, 3], [2, 3], [3, 3], [2, 4]] as const) {
      const job = await tc.client.submitJob({
        ...base,
        name: `equivalence-${workers}-seed-${seed}`,
        training: { ...base.training, seed, batchSize: 25, epochs: 10 },
        resources: { ...base.resources, minWorkers: workers, maxWorkers: workers },
      });
      const final = await tc.client.waitForJob(job.id);
      expect(final.state, final.reason).toBe('JOB_STATE_SUCCEEDED');
      expect(final.workerIds).toHaveLength(workers);
      expect(Number(final.step)).toBe(50);
      const bytes = await objects.get(`${path.posix.dirname(final.checkpointKey)}/weights.bin`);
      weights.push(new Float32Array(new Uint8Array(bytes).buffer));
    }
    expect(weights[0]!.length).toBeGreaterThan(5000);
    expect(relativeDifference(weights[0]!, weights[1]!)).toBeLessThan(1e-5);
    expect(relativeDifference(weights[0]!, weights[2]!)).toBeLessThan(1e-5);
    expect(relativeDifference(weights[0]!, weights[3]!)).toBeGreaterThan(1e-2);
  });
});
