import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sonarExampleSpec } from '@tessera/core/jobs/job-spec';
import type { Job, JobUpdate } from '@tessera/client/tessera-client';
import type { Tensor } from '@tensorflow/tfjs-core';
import { layersModelHandler } from '@tessera/core/training/training-state';
import { objectStoreConfigFromEnv, openObjectStore } from '@tessera/storage/open-object-store';
import { postgresUnavailableReason } from './support/postgres.ts';
import { sonarCsvPath } from './support/datasets.ts';
import { startTestCluster, type ClusterVariant, type TestCluster } from './support/test-cluster.ts';

const variants: Array<{ variant: ClusterVariant; skip: string | null }> = [
  { variant: 'pglite+dir', skip: null },
  { variant: 'postgresql+s3', skip: postgresUnavailableReason() },
];

for (const { variant, skip } of variants) {
  if (skip) console.warn(`skipping the ${variant} cluster test: ${skip}`);
  describe.skipIf(skip !== null)(`Sonar job end to end on ${variant}`, () => {
    let tc: TestCluster;

    beforeAll(async () => {
      tc = await startTestCluster({ workers: 2, variant, label: variant.replace(/[^a-z]/g, '') });
    });
    afterAll(async () => {
      await tc?.close();
    });

    it('uploads Sonar, trains on 2 workers over gRPC, and records metrics and a checkpoint', async () => {
      const bytes = await readFile(sonarCsvPath());
      const dataset = await tc.client.uploadDataset({ name: 'sonar', fileName: 'sonar.csv', bytes });
      expect(dataset.sha256).toBe('e90434cdbf00fcf93ffa911fe447ae25606979658e60f1d32e155c3b5240234d');
      expect(dataset.summary).toBe('208 rows x 61 columns');

      // Seed 1 is one of the five seeds the accuracy bar is checked on (packages/core sonar-accuracy.test.ts).
      const spec = sonarExampleSpec({ name: `sonar-${variant}`, seed: 1 });
      spec.resources = { ...spec.resources, minWorkers: 2, maxWorkers: 2 };
      const submitted = await tc.client.submitJob(spec);
      expect(submitted.state).toMatch(/QUEUED|RUNNING/);

      const updates: JobUpdate[] = [];
      const final: Job = await tc.client.waitForJob(submitted.id, (u) => updates.push(u));
      expect(final.state, final.reason).toBe('JOB_STATE_SUCCEEDED');
      expect(final.workerIds).toHaveLength(2);
      expect(Number(final.step)).toBe(Number(final.totalSteps));
      expect(final.checkpointKey).toMatch(new RegExp(`^jobs/${final.id}/checkpoints/\\d+/manifest.json$`));

      // The watch stream carried the life of the job: states in order, both workers joining, epoch metrics.
      const states = updates.flatMap((u) => (u.event?.kind === 'state' ? [u.event.state] : []));
      expect(states).toEqual(['JOB_STATE_QUEUED', 'JOB_STATE_RUNNING', 'JOB_STATE_SUCCEEDED']);
      expect(updates.filter((u) => u.event?.kind === 'worker_joined')).toHaveLength(2);
      const testAccuracy = updates.flatMap((u) => (u.metric?.split === 'test' && u.metric.name === 'accuracy' ? [u.metric] : []));
      expect(testAccuracy).toHaveLength(spec.training.epochs);
      expect(final.latestMetrics['test/accuracy']).toBeGreaterThanOrEqual(0.8164);
      expect(final.reason).toContain('test accuracy');

      // Both ranks reported the backend they trained on.
      const infos = updates.flatMap((u) => (u.event?.kind === 'info' ? [u.event.message] : []));
      expect(infos.filter((m) => /rank \d\/2 starting on wasm/.test(m))).toHaveLength(2);

      // Metrics persisted: a fresh read returns them.
      const again = await tc.client.getJob(final.id);
      expect(again.latestMetrics['train/accuracy']).toBeGreaterThan(0.8);
      const workers = await tc.client.listWorkers();
      expect(workers.filter((w) => w.state === 'WORKER_STATE_IDLE')).toHaveLength(2);
      expect(workers.every((w) => w.backend === 'wasm')).toBe(true);
    });

    it('writes a checkpoint, through the configured object store, that tfjs can load', async () => {
      const [job] = await tc.client.listJobs({ states: ['JOB_STATE_SUCCEEDED'] });
      const objects = await openObjectStore(objectStoreConfigFromEnv(tc.env, { dataDir: tc.dataDir }));
      expect(objects.location.startsWith(variant === 'pglite+dir' ? 'dir:' : 's3://')).toBe(true);
      const folder = path.posix.dirname(job!.checkpointKey);
      const modelJsonBytes = await objects.get(`${folder}/model.json`);
      const modelJson = JSON.parse(modelJsonBytes.toString('utf8')) as { format: string; userDefinedMetadata: { labelMapping: string[] } };
      expect(modelJson.format).toBe('layers-model');
      expect(modelJson.userDefinedMetadata.labelMapping).toEqual(['M', 'R']);
      const tf = await import('@tensorflow/tfjs-core');
      await import('@tensorflow/tfjs-backend-cpu');
      await tf.setBackend('cpu');
      const tfl = await import('@tensorflow/tfjs-layers');
      const model = await tfl.loadLayersModel(layersModelHandler(modelJsonBytes, await objects.get(`${folder}/weights.bin`)));
      const out = model.predict(tf.zeros([3, 60])) as Tensor;
      expect(out.shape).toEqual([3, 1]);
    });
  });
}
