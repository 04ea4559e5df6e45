import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedCluster, type EmbeddedCluster } from '@tessera/client/cli/embedded-cluster';
import { TesseraClient, type JobUpdate } from '@tessera/client/tessera-client';
import { sonarExampleSpec } from '@tessera/core/jobs/job-spec';
import { sonarCsvPath } from './support/datasets.ts';

// A data-parallel job on the JavaScript cpu backend (the wasm case is sonar-job.test.ts): the backend the operator
// named is the one both workers register with and train on, and the job's events say so for each rank.
describe('2-worker Sonar job on the cpu backend', () => {
  let dataDir: string;
  let cluster: EmbeddedCluster;
  let client: TesseraClient;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'tessera-backends-'));
    cluster = await startEmbeddedCluster({ dataDir, workers: 2, backend: 'cpu', env: { TESSERA_LOG_LEVEL: 'info', TESSERA_HEARTBEAT_MS: '500' } });
    client = new TesseraClient({ address: cluster.address, token: cluster.apiToken });
  });
  afterAll(async () => {
    client?.close();
    await cluster?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('registers both workers as cpu and reports "starting on cpu" for both ranks', async () => {
    const workers = await client.listWorkers();
    expect(workers.map((w) => w.backend)).toEqual(['cpu', 'cpu']);
    expect(workers.every((w) => /^cpu \(JavaScript\) on /.test(w.device))).toBe(true);

    await client.uploadDataset({ name: 'sonar', fileName: 'sonar.csv', bytes: await readFile(sonarCsvPath()) });
    const spec = sonarExampleSpec({ name: 'sonar-cpu-backend', seed: 1 });
    // A few epochs are enough to see both ranks start and finish; accuracy is sonar-job.test.ts's concern.
    spec.training = { ...spec.training, epochs: 3 };
    spec.resources = { ...spec.resources, minWorkers: 2, maxWorkers: 2 };
    const submitted = await client.submitJob(spec);
    const updates: JobUpdate[] = [];
    const final = await client.waitForJob(submitted.id, (u) => updates.push(u));
    expect(final.state, final.reason).toBe('JOB_STATE_SUCCEEDED');
    expect(final.workerIds).toHaveLength(2);

    const infos = updates.flatMap((u) => (u.event?.kind === 'info' ? [u.event.message] : []));
    const starts = infos.filter((m) => /rank \d\/2 starting on /.test(m));
    expect(starts).toHaveLength(2);
    expect(starts.every((m) => /starting on cpu\b/.test(m))).toBe(true);
    expect(new Set(starts.map((m) => /rank (\d)\/2/.exec(m)?.[1]))).toEqual(new Set(['0', '1']));
  });
});
