import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sonarExampleSpec } from '@tessera/core/jobs/job-spec';
import { sonarCsvPath } from './support/datasets.ts';
import { startTestCluster, type TestCluster } from './support/test-cluster.ts';

const COORDINATOR_MAIN = path.resolve(import.meta.dirname, '../../apps/coordinator/src/main.ts');

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('a coordinator restart', () => {
  let tc: TestCluster | undefined;
  let replacement: ChildProcess | undefined;
  afterAll(async () => {
    if (replacement && replacement.exitCode === null) {
      const exited = new Promise((resolve) => replacement!.once('exit', resolve));
      replacement.kill('SIGTERM');
      await exited;
    }
    await tc?.close();
  });

  it('loses nothing: the running job resumes from its checkpoint when the workers rejoin', async () => {
    const port = await freePort();
    tc = await startTestCluster({ workers: 2, label: 'restart', env: { TESSERA_LISTEN: `127.0.0.1:${port}` } });
    await tc.client.uploadDataset({ name: 'sonar', fileName: 'sonar.csv', bytes: await readFile(sonarCsvPath()) });
    const spec = sonarExampleSpec({ name: 'survives-restart', seed: 5 });
    const job = await tc.client.submitJob({ ...spec, training: { ...spec.training, epochs: 60 }, checkpoint: { everyEpochs: 2 }, resources: { ...spec.resources, minWorkers: 2, maxWorkers: 2 } });

    // Let it run past a few checkpoints, then stop the coordinator (its process only; workers keep running).
    let stepAtStop = 0;
    await tc.client
      .waitForJob(job.id, (u) => {
        if (!stepAtStop && u.job && u.job.checkpointKey && Number(u.job.step) >= 100) {
          stepAtStop = Number(u.job.step);
          tc!.cluster.coordinator.kill('SIGTERM');
        }
      })
      .catch(() => undefined);
    expect(stepAtStop).toBeGreaterThan(0);
    await new Promise((resolve) => (tc!.cluster.coordinator.exitCode !== null ? resolve(null) : tc!.cluster.coordinator.once('exit', resolve)));

    replacement = spawn(process.execPath, ['--import', 'tsx', COORDINATOR_MAIN], {
      env: { ...process.env, ...tc.env, TESSERA_DATA_DIR: tc.dataDir, TESSERA_LISTEN: `127.0.0.1:${port}` },
      stdio: 'ignore',
    });

    // The same client reconnects to the same address; the job store still has the job and its history.
    let final;
    for (let attempt = 0; ; attempt++) {
      try {
        final = await tc.client.waitForJob(job.id);
        break;
      } catch (err) {
        if (attempt > 100) throw err;
        await new Promise((r) => setTimeout(r, 300));
      }
    }
    expect(final.state, final.reason).toBe('JOB_STATE_SUCCEEDED');
    expect(Number(final.generation)).toBe(2);
    const events: string[] = [];
    for await (const u of tc.client.watchJob(job.id)) if (u.event) events.push(`${u.event.kind}: ${u.event.message}`);
    expect(events.some((e) => /^state: coordinator restarted; resuming from jobs\/.+\/checkpoints\/\d+\/manifest\.json$/.test(e))).toBe(true);
    const resumedAt = events.map((e) => /resumed from .+ at step (\d+)/.exec(e)?.[1]).find(Boolean);
    expect(Number(resumedAt)).toBeGreaterThan(0);
    expect(Number(resumedAt)).toBeLessThanOrEqual(stepAtStop);
  });
});
