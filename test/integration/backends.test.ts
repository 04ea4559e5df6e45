import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedCluster, type EmbeddedCluster } from '@tessera/client/cli/embedded-cluster';
import { TesseraClient, type JobUpdate } from '@tessera/client/tessera-client';
import { sonarExampleSpec } from '@tessera/core/jobs/job-spec';
import { findSwiftShaderIcd } from '@tessera/core/backends/webgpu-runtime';
import { sonarCsvPath } from './support/datasets.ts';

// A data-parallel job on each backend this machine has besides wasm (the wasm case is sonar-job.test.ts): the backend
// the operator named is the one both workers register with and train on, and the job's events say so for each rank.
// WebGPU runs on SwiftShader's software Vulkan (Chromium ships it) here, and on the GPU on a GPU machine: the same
// tfjs webgpu backend, Tessera's WGSL kernels and the fused optimizer update, only slower.
// The second webgpu case measures its kernels as a GPU worker does by default (SwiftShader's default is not to): each
// rank races Tessera's kernels against tfjs' own on its first batch and says what it kept.
const swiftShader = { VK_DRIVER_FILES: findSwiftShaderIcd() ?? 'no SwiftShader ICD found: install chromium', XDG_RUNTIME_DIR: tmpdir() };
const backends = [
  { backend: 'cpu', label: 'cpu', device: /^cpu \(JavaScript\) on /, env: {}, measuresKernels: false },
  { backend: 'webgpu', label: 'webgpu', device: /^webgpu \(Dawn\) on .+ \[software adapter, no GPU\]/, env: swiftShader, measuresKernels: false },
  {
    backend: 'webgpu',
    label: 'webgpu, kernels measured',
    device: /^webgpu \(Dawn\) on .+ \[software adapter, no GPU\]/,
    env: { ...swiftShader, TESSERA_WEBGPU_KERNEL_CHOICE: 'measure' },
    measuresKernels: true,
  },
] as const;

describe.each(backends)('2-worker Sonar job on the $label backend', ({ backend, device, env, measuresKernels }) => {
  let dataDir: string;
  let cluster: EmbeddedCluster;
  let client: TesseraClient;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'tessera-backends-'));
    cluster = await startEmbeddedCluster({
      dataDir,
      workers: 2,
      backend,
      env: { TESSERA_LOG_LEVEL: 'info', TESSERA_HEARTBEAT_MS: '500', ...env },
    });
    client = new TesseraClient({ address: cluster.address, token: cluster.apiToken });
  });
  afterAll(async () => {
    client?.close();
    await cluster?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it(`registers both workers as ${backend} and reports "starting on ${backend}" for both ranks`, async () => {
    const workers = await client.listWorkers();
    expect(workers.map((w) => w.backend)).toEqual([backend, backend]);
    for (const worker of workers) expect(worker.device).toMatch(device);

    await client.uploadDataset({ name: 'sonar', fileName: 'sonar.csv', bytes: await readFile(sonarCsvPath()) });
    const spec = sonarExampleSpec({ name: `sonar-${backend}-backend${measuresKernels ? '-measured' : ''}`, seed: 1 });
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
    expect(starts.every((m) => new RegExp(`starting on ${backend}\\b`).test(m))).toBe(true);
    expect(new Set(starts.map((m) => /rank (\d)\/2/.exec(m)?.[1]))).toEqual(new Set(['0', '1']));

    // Each rank's race names the dense layers' matmul and what it kept (one implementation, or a split by layer shape),
    // or no rank measured at all.
    const measured = infos.filter((m) => /^rank \d kernels measured on /.test(m));
    expect(measured).toHaveLength(measuresKernels ? 2 : 0);
    for (const line of measured) {
      expect(line).toMatch(/BatchMatMul tessera [\d.]+ ms vs stock [\d.]+ ms \((kept (tessera|stock)|stock for \d+ of \d+ shapes, tessera for the rest: [\d.]+ ms)\)/);
    }
  });
});
