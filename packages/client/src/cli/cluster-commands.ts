import path from 'node:path';
import { sonarExampleSpec } from '@tessera/core/jobs/job-spec';
import { SONAR_DATASET } from '@tessera/storage/datasets/dataset-catalog';
import { datasetMirrorDirsFromEnv, fetchDataset } from '@tessera/storage/datasets/dataset-fetcher';
import { readFile } from 'node:fs/promises';
import { TesseraClient } from '../tessera-client.ts';
import { startDashboard, type DashboardServer } from './dashboard-server.ts';
import { startEmbeddedCluster, type EmbeddedCluster } from './embedded-cluster.ts';
import { describeJob, JobWatchPrinter } from './job-watch-printer.ts';
import { ProgressBar } from './progress-bar.ts';

const say = (line: string) => process.stdout.write(line + '\n');

/** The first admin's password, printed once on the start that created it (it is stored nowhere in clear). */
function sayAdminPassword(password: string | undefined): void {
  if (password) say(`sign in as user "admin" with password ${password} (shown only now; \`tessera user create NAME --admin\` makes more users)`);
}

export interface ClusterCommandOptions {
  dataDir: string;
  workers: number;
  backend: string | undefined;
  /** Start the web dashboard too (default); its port, 0 for any free one. */
  dashboard: boolean;
  dashboardPort: number;
}

/** Builds (first run, or after a source change) and starts the dashboard against the embedded cluster. */
async function startClusterDashboard(cluster: EmbeddedCluster, port: number): Promise<DashboardServer> {
  say('starting the dashboard (the first start builds it: about half a minute)…');
  const dashboard = await startDashboard({
    dataDir: cluster.dataDir,
    logFile: path.join(cluster.logDir, 'dashboard.log'),
    env: { TESSERA_COORDINATOR: cluster.address },
    ...(port > 0 ? { port } : {}),
  });
  say(`dashboard: ${dashboard.url}`);
  if (cluster.adminPassword) sayAdminPassword(cluster.adminPassword);
  else say('sign in with the admin password printed when this data dir was first started, or make a user: tessera user create NAME --admin');
  return dashboard;
}

/** `tessera up`: a local cluster in the foreground until Ctrl-C. */
export async function upCommand(options: ClusterCommandOptions): Promise<number> {
  const cluster = await startEmbeddedCluster({ ...options, ...(options.backend ? { backend: options.backend } : {}) });
  let dashboard: DashboardServer | undefined;
  try {
    say(`coordinator ${cluster.address} with ${options.workers} worker(s)`);
    say(`API token: ${path.join(cluster.dataDir, 'api-token')} (the CLI finds it there)`);
    if (options.dashboard) dashboard = await startClusterDashboard(cluster, options.dashboardPort);
    else sayAdminPassword(cluster.adminPassword);
    say(`logs: ${cluster.logDir}`);
    say('Ctrl-C stops the cluster.');
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
  } finally {
    await dashboard?.close();
    await cluster.stop();
  }
  return 0;
}

/**
 * `tessera quickstart`: the article's first workload end to end on a fresh machine — start a local cluster, fetch
 * the UCI Sonar data (or take it from a mirror), upload it, submit the MLP job over gRPC on every worker, follow it,
 * and print the test accuracy and where the checkpoint is.
 */
export async function quickstartCommand(options: ClusterCommandOptions & { mirrors: string[]; keep: boolean; seed: number | undefined }): Promise<number> {
  say(`starting a local cluster: coordinator + ${options.workers} workers (data in ${options.dataDir})`);
  const cluster = await startEmbeddedCluster({ ...options, ...(options.backend ? { backend: options.backend } : {}) });
  const client = new TesseraClient({ address: cluster.address, token: cluster.apiToken });
  let dashboard: DashboardServer | undefined;
  try {
    // Up before the job starts, so the run can be watched live.
    if (options.dashboard) dashboard = await startClusterDashboard(cluster, options.dashboardPort);
    else sayAdminPassword(cluster.adminPassword);
    say(`coordinator ${cluster.address}; API token in ${path.join(cluster.dataDir, 'api-token')}, join token in ${path.join(cluster.dataDir, 'join-token')}; logs in ${cluster.logDir}`);
    const mirrorDirs = [...options.mirrors.map((m) => path.resolve(m)), ...datasetMirrorDirsFromEnv(process.env)];
    const download = new ProgressBar('fetching sonar');
    const fetched = await fetchDataset(SONAR_DATASET, {
      cacheDir: path.join(options.dataDir, 'cache', 'datasets'),
      mirrorDirs,
      onProgress: ({ bytes, total }) => download.update(bytes, total ?? 0),
    });
    download.finish(`sonar data: ${fetched.path} (from ${fetched.source}, sha256 ${fetched.sha256.slice(0, 16)}… verified)`);
    const dataset = await client.uploadDataset({ name: 'sonar', fileName: SONAR_DATASET.fileName, bytes: await readFile(fetched.path), sha256: fetched.sha256 });
    say(`registered data set ${dataset.name}@${dataset.sha256.slice(0, 16)}… (${dataset.summary})`);
    const spec = sonarExampleSpec({ ...(options.seed !== undefined ? { seed: options.seed } : {}) });
    spec.resources = { ...spec.resources, minWorkers: options.workers, maxWorkers: options.workers };
    const job = await client.submitJob(spec);
    say(`submitted job ${job.id} (${spec.name}): ${spec.training.epochs} epochs, global batch ${spec.training.batchSize}, ${options.workers} workers`);
    const printer = new JobWatchPrinter();
    const final = await client.waitForJob(job.id, (u) => printer.handle(u));
    printer.done();
    say(describeJob(final));
    const accuracy = final.latestMetrics['test/accuracy'];
    if (final.state === 'JOB_STATE_SUCCEEDED' && accuracy !== undefined) {
      say(`\nTest accuracy: ${(accuracy * 100).toFixed(2)}% (the article reached 81.64%)`);
      const objects = process.env.TESSERA_STORE ?? `dir:${path.join(options.dataDir, 'objects')}`;
      const folder = path.posix.dirname(final.checkpointKey);
      const where = objects.startsWith('dir:') ? path.join(objects.slice(4), folder) : `${objects.replace(/\/$/, '')}/${folder}`;
      say(`Checkpoint: ${where}/ (model.json + weights.bin load with tf.loadLayersModel; optimizer.bin and state.json resume training)`);
    }
    if (!options.keep && dashboard) say(`(run with --keep to leave the cluster and the dashboard up after the job)`);
    if (options.keep) {
      say(`cluster still running at ${cluster.address}${dashboard ? `, dashboard at ${dashboard.url}` : ''}; Ctrl-C stops it`);
      await new Promise<void>((resolve) => process.once('SIGINT', resolve));
    }
    return final.state === 'JOB_STATE_SUCCEEDED' ? 0 : 1;
  } finally {
    client.close();
    await dashboard?.close();
    await cluster.stop();
  }
}
