import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { sonarExampleSpec } from '@tessera/core/jobs/job-spec';
import { sonarCsvPath } from './support/datasets.ts';
import { startTestCluster } from './support/test-cluster.ts';

/** Holds this thread as a long synchronous tfjs kernel (a worker's training step) does. */
function blockFor(ms: number): void {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    // busy: nothing else runs on this thread meanwhile, HTTP/2 pings included
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The coordinator pings every connection (HTTP/2 keepalive) and closes those that do not answer in time. A worker
 * answers on its event loop, which each training step holds: with the old 5 s timeout every worker whose step took
 * more than ~15 s lost its assignment stream and its job failed ("restarted and lost its run"; a 32³ 3D U-Net on the
 * package's wasm kernels did). Here the test process is that client, its pings every 200 ms, its loop held 2 s.
 */
describe('a client whose event loop is held (a worker inside a long training step) keeps its streams', () => {
  it.each([
    { name: 'the default keepalive timeout: the stream survives the hold and sees the job cancelled', env: {}, survives: true },
    { name: 'a timeout shorter than the hold (what the old 5 s did to 15 s steps): the coordinator drops it', env: { TESSERA_GRPC_KEEPALIVE_TIMEOUT_MS: '300' }, survives: false },
  ])('$name', async ({ env, survives }) => {
    const tc = await startTestCluster({ workers: 1, label: 'keepalive', env: { TESSERA_GRPC_KEEPALIVE_MS: '200', ...env } });
    try {
      await tc.client.uploadDataset({ name: 'sonar', fileName: 'sonar.csv', bytes: await readFile(sonarCsvPath()) });
      // Two workers needed, one running: the job stays queued while the stream is watched.
      const spec = sonarExampleSpec({ name: 'held-loop' });
      const job = await tc.client.submitJob({ ...spec, resources: { ...spec.resources, minWorkers: 2, maxWorkers: 2 } });
      const states: string[] = [];
      let failure: unknown;
      const watching = (async () => {
        try {
          for await (const update of tc.client.watchJob(job.id)) if (update.job) states.push(update.job.state);
        } catch (err) {
          failure = err;
        }
      })();
      for (let waited = 0; states.length === 0 && waited < 10_000; waited += 50) await sleep(50);
      expect(states).toEqual(['JOB_STATE_QUEUED']);
      blockFor(2_000);
      // Let the loop take in what arrived while it was held (the pings, or the server closing the connection).
      await sleep(500);
      await tc.client.cancelJob(job.id, 'hold over');
      await Promise.race([watching, sleep(10_000)]);
      if (survives) {
        expect(failure).toBeUndefined();
        expect(states).toEqual(['JOB_STATE_QUEUED', 'JOB_STATE_CANCELLED']);
      } else {
        expect(String(failure)).toMatch(/unavailable|dropped|closed|goaway/i);
        expect(states).toEqual(['JOB_STATE_QUEUED']);
      }
    } finally {
      await tc.close();
    }
  });
});
