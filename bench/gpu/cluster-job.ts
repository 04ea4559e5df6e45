/**
 * A real Tessera job on one backend, as `tessera quickstart` runs it: an embedded cluster (coordinator with PGlite,
 * 2 workers, gRPC), the Sonar CSV uploaded, `sonarExampleSpec` submitted on exactly 2 workers and followed to its end.
 * Writes a JSON (the job's state and reason, each worker's backend and device from ListWorkers, every event with the
 * info lines "rank R/2 starting on <backend> (…)" and, on a GPU, "rank R kernels measured on …") and leaves the
 * children's logs beside it. Exits 1 when the job did not succeed or a worker or rank was not on the backend asked for.
 *
 *   npx tsx bench/gpu/cluster-job.ts                     (from the checkout; children run through tsx)
 *   node .gpu/cluster/cluster-job.js                     (the bundle bench/gpu/prepare.sh builds, run by run.sh)
 *
 *   TESSERA_BACKEND (webgpu), BENCH_CLUSTER_EPOCHS (the spec's 150), BENCH_CLUSTER_TIMEOUT_S (300),
 *   BENCH_CLUSTER_RESULTS (bench/results/cluster-job.json), BENCH_CLUSTER_LOGS (<results>-logs); see
 *   cluster-job-options.ts. sonar/sonar.csv is looked for beside this script, in TESSERA_DATASET_MIRROR's folders, then
 *   in ../shared/datasets beside the checkout (its sha256 is checked). BENCH_DAWN_NODE, VK_DRIVER_FILES and the
 *   workers' TESSERA_* variables pass through to the workers.
 *
 * The bundle has no tsx and no node_modules, so the cluster's children are this same script run again with
 * `--tessera-role coordinator|worker` (selfChildLauncher): the coordinator reads the migrations shipped beside it,
 * the worker loads Dawn from BENCH_DAWN_NODE as the benchmark does (bench-modules.ts).
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCoordinatorProcess } from '@tessera/coordinator/coordinator-process';
import { roleFromArgv, selfChildLauncher } from '@tessera/client/cli/child-launcher';
import { startEmbeddedCluster } from '@tessera/client/cli/embedded-cluster';
import { TesseraClient, type JobUpdate } from '@tessera/client/tessera-client';
import { sonarExampleSpec } from '@tessera/core/jobs/job-spec';
import { SONAR_DATASET } from '@tessera/storage/datasets/dataset-catalog';
import { datasetMirrorDirsFromEnv, fetchDataset } from '@tessera/storage/datasets/dataset-fetcher';
import { runWorkerProcess } from '@tessera/worker/worker-process';
import { benchModules } from './bench-modules.ts';
import { clusterJobOptionsFromEnv } from './cluster-job-options.ts';
import { clusterJobResult } from './cluster-job-result.ts';

const script = fileURLToPath(import.meta.url);
const here = path.dirname(script);
const log = (line: string): void => void process.stderr.write(`cluster-job: ${line}\n`);
const workerCount = 2;

async function main(): Promise<number> {
  const options = clusterJobOptionsFromEnv(process.env, process.cwd());
  const started = Date.now();
  const writeResult = async (result: object) => {
    await mkdir(path.dirname(options.resultsPath), { recursive: true });
    await writeFile(options.resultsPath, `${JSON.stringify({ ...result, elapsedS: Math.round((Date.now() - started) / 1000) }, null, 2)}\n`);
    log(`wrote ${options.resultsPath}`);
  };
  const dataDir = await mkdtemp(path.join(tmpdir(), 'tessera-cluster-job-'));
  log(`starting a coordinator and ${workerCount} ${options.backend} workers (data in ${dataDir}, logs in ${options.logDir})`);
  const cluster = await startEmbeddedCluster({
    dataDir,
    workers: workerCount,
    backend: options.backend,
    logDir: options.logDir,
    env: { TESSERA_LOG_LEVEL: process.env.TESSERA_LOG_LEVEL ?? 'info' },
    launcher: selfChildLauncher(script),
    // Two workers bringing up Dawn and compiling nothing yet: seconds on a GPU, tens of seconds on SwiftShader.
    startTimeoutMs: 120_000,
  }).catch(async (error: unknown) => {
    // A worker that cannot get its backend exits before joining: say so in the results, its log says why.
    await writeResult({ requestedBackend: options.backend, ok: false, problems: [`the cluster did not start: ${error instanceof Error ? error.message : String(error)}`] });
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  });
  const client = new TesseraClient({ address: cluster.address, token: cluster.apiToken });
  try {
    const mirrorDirs = [here, ...datasetMirrorDirsFromEnv(process.env), path.resolve(here, '../../../shared/datasets')];
    const sonar = await fetchDataset(SONAR_DATASET, { cacheDir: path.join(dataDir, 'cache'), mirrorDirs });
    await client.uploadDataset({ name: 'sonar', fileName: SONAR_DATASET.fileName, bytes: await readFile(sonar.path), sha256: sonar.sha256 });
    const spec = sonarExampleSpec({ name: `sonar-${workerCount}-workers-${options.backend}`, seed: 1 });
    if (options.epochs !== undefined) spec.training = { ...spec.training, epochs: options.epochs };
    spec.resources = { ...spec.resources, minWorkers: workerCount, maxWorkers: workerCount };
    const submitted = await client.submitJob(spec);
    log(`job ${submitted.id}: ${spec.training.epochs} epochs, global batch ${spec.training.batchSize}, on ${workerCount} workers`);

    const updates: JobUpdate[] = [];
    const timer = setTimeout(() => {
      log(`job still running after ${options.timeoutMs / 1000} s: cancelling it`);
      void client.cancelJob(submitted.id, `cluster-job: over BENCH_CLUSTER_TIMEOUT_S (${options.timeoutMs / 1000} s)`).catch(() => undefined);
    }, options.timeoutMs);
    const final = await client
      .waitForJob(submitted.id, (update) => {
        updates.push(update);
        if (update.event?.kind === 'info') log(`event: ${update.event.message}`);
      })
      .finally(() => clearTimeout(timer));
    const workers = await client.listWorkers();
    const result = clusterJobResult({
      requestedBackend: options.backend,
      workerCount,
      job: final,
      workers: workers.map((w) => ({ id: w.id, backend: w.backend, device: w.device, state: w.state })),
      events: updates.flatMap((u) => (u.event ? [u.event] : [])),
    });
    await writeResult(result);
    log(`job ${final.state} after ${final.step}/${final.totalSteps} steps, test accuracy ${final.latestMetrics['test/accuracy'] ?? 'n/a'}`);
    for (const worker of result.workers) log(`worker ${worker.id}: ${worker.backend} on ${worker.device}`);
    for (const problem of result.problems) log(`PROBLEM: ${problem}`);
    return result.ok ? 0 : 1;
  } finally {
    client.close();
    await cluster.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

const role = roleFromArgv(process.argv);
try {
  if (role === 'coordinator') {
    const shipped = path.join(here, 'migrations');
    await runCoordinatorProcess(existsSync(shipped) ? { migrationsDir: shipped } : {});
  } else if (role === 'worker') {
    const dawnNode = process.env.BENCH_DAWN_NODE?.trim() || undefined;
    await runWorkerProcess({ modules: benchModules(dawnNode) });
  } else {
    process.exitCode = await main();
  }
} catch (error) {
  // A stack, not Node's report of an uncaught error, which quotes the failing source line: in the bundle that line
  // is a whole minified module.
  log(`${role ?? 'launcher'}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
}
// The children's Dawn device, the launcher's gRPC channels: nothing left to wait for once the body returned.
process.exit();
