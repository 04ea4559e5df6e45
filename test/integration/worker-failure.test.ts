import { readFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { sonarExampleSpec } from '@tessera/core/jobs/job-spec';
import type { Job, JobUpdate } from '@tessera/client/tessera-client';
import { sonarCsvPath } from './support/datasets.ts';
import { startTestCluster, type TestCluster } from './support/test-cluster.ts';

/** A fault scenario as data: which worker to SIGKILL once the job has passed a step, and what must follow. */
interface FaultScenario {
  name: string;
  clusterWorkers: number;
  jobWorkers: number;
  kill: { atStep: number; worker: number };
  expect: 'fails naming the worker' | 'resumes from its checkpoint and succeeds';
}

const scenarios: FaultScenario[] = [
  { name: 'no spare worker', clusterWorkers: 2, jobWorkers: 2, kill: { atStep: 40, worker: 1 }, expect: 'fails naming the worker' },
  { name: 'a spare worker', clusterWorkers: 3, jobWorkers: 2, kill: { atStep: 40, worker: 1 }, expect: 'resumes from its checkpoint and succeeds' },
];

// The bound: a dead worker must never leave its job hanging for more than 30 s.
const DETECTION_BOUND_MS = 30_000;

describe('a worker SIGKILLed mid-job', () => {
  let tc: TestCluster | undefined;
  afterEach(async () => {
    await tc?.close();
    tc = undefined;
  });

  for (const scenario of scenarios) {
    it(`${scenario.expect} (${scenario.name})`, async () => {
      tc = await startTestCluster({ workers: scenario.clusterWorkers, label: 'fault', env: { TESSERA_HEARTBEAT_MS: '500' } });
      await tc.client.uploadDataset({ name: 'sonar', fileName: 'sonar.csv', bytes: await readFile(sonarCsvPath()) });
      const spec = sonarExampleSpec({ name: `fault-${scenario.name}` });
      const job = await tc.client.submitJob({
        ...spec,
        training: { ...spec.training, epochs: 60 },
        checkpoint: { everyEpochs: 2 },
        resources: { ...spec.resources, minWorkers: scenario.jobWorkers, maxWorkers: scenario.jobWorkers },
      });

      let killedAt = 0;
      let victim = '';
      let requeuedAt = 0;
      const updates: JobUpdate[] = [];
      const final: Job = await tc.client.waitForJob(job.id, (u) => {
        updates.push(u);
        if (!killedAt && u.job && Number(u.job.step) >= scenario.kill.atStep && u.job.state === 'JOB_STATE_RUNNING') {
          victim = u.job.workerIds[scenario.kill.worker]!;
          const index = Number(victim.replace('local-', ''));
          killedAt = Date.now();
          tc!.cluster.workers[index]!.kill('SIGKILL');
        }
        if (killedAt && !requeuedAt && u.event?.kind === 'state' && u.event.state === 'JOB_STATE_QUEUED') requeuedAt = Date.now();
      });
      expect(killedAt, `the job ended before the kill step: ${final.state} (${final.reason})`).toBeGreaterThan(0);
      const lost = updates.find((u) => u.event?.kind === 'worker_lost');
      expect(lost?.event?.message).toContain(victim);

      if (scenario.expect === 'fails naming the worker') {
        expect(final.state).toBe('JOB_STATE_FAILED');
        expect(final.reason).toContain(victim);
        expect(new Date(final.endedAt).getTime() - killedAt).toBeLessThan(DETECTION_BOUND_MS);
      } else {
        expect(requeuedAt - killedAt).toBeLessThan(DETECTION_BOUND_MS);
        expect(final.state, final.reason).toBe('JOB_STATE_SUCCEEDED');
        expect(final.workerIds).not.toContain(victim);
        expect(Number(final.generation)).toBe(2);
        const resumed = updates.filter((u) => u.event?.kind === 'info' && /resumed from jobs\/.+ at step \d+/.test(u.event.message));
        expect(resumed).toHaveLength(scenario.jobWorkers);
        expect(final.latestMetrics['test/accuracy']).toBeGreaterThan(0.7);
      }
      // The coordinator kept serving throughout.
      expect((await tc.client.listJobs()).map((j) => j.id)).toContain(job.id);
    });
  }
});
