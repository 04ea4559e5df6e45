import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { JobSpecInput } from '@tessera/core/jobs/job-spec';
import { startEmbeddedCluster } from '@tessera/client/cli/embedded-cluster';
import { TesseraClient, type Job } from '@tessera/client/tessera-client';
import { buildZip } from '@tessera/storage/datasets/image-folder-fixtures';

/**
 * What the training benches share: structured progress lines, their embedded cluster, the spec they run, zipping a
 * shared folder, watching a job's epochs.
 */

export const benchLog = (fields: Record<string, unknown>): void => {
  process.stderr.write(JSON.stringify({ at: new Date().toISOString(), ...fields }) + '\n');
};

/** Zips the files under `root/<folder>` for each folder (all of `root` with `['']`) whose names match `include`. */
export async function zipFolders(root: string, folders: readonly string[], include: RegExp): Promise<Buffer> {
  const files = new Map<string, Uint8Array | null>();
  const walk = async (dir: string, rel: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      const name = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) await walk(full, name);
      else if (include.test(entry.name)) files.set(name, await readFile(full));
    }
  };
  for (const folder of folders) await walk(path.join(root, folder), folder);
  return buildZip(files);
}

export interface EpochPoint {
  readonly epoch: number;
  /** Seconds since the job started running. */
  readonly seconds: number;
  /** `split/name` of every epoch-end metric, e.g. `valid/dice`. */
  readonly metrics: Readonly<Record<string, number>>;
}

export interface BenchRun {
  readonly jobId: string;
  readonly state: string;
  readonly workers: number;
  readonly epochs: readonly EpochPoint[];
  readonly wallSeconds: number;
  /** Training samples per epoch / the median epoch's seconds / workers (the first epoch's warm-up left out). */
  readonly samplesPerSecondPerWorker: number | null;
}

/**
 * Submits `spec` and follows it to its end, collecting epoch-end metrics (one progress line per epoch with the
 * `progress` metric). Rank 0's per-step `step_loss` reports carry the number of epochs completed so far, so they
 * would date an epoch by the steps of the next one: they are left out.
 */
export async function runBenchJob(
  client: TesseraClient,
  spec: JobSpecInput,
  options: { readonly trainSamples: number; readonly workers: number; readonly progress: string },
): Promise<BenchRun> {
  const submitted = await client.submitJob(spec);
  benchLog({ msg: 'job submitted', jobId: submitted.id, workers: options.workers });
  const byEpoch = new Map<number, { at: number; values: Record<string, number> }>();
  let startedAt: number | undefined;
  const started = performance.now();
  let last: Job = submitted;
  for await (const update of client.watchJob(submitted.id)) {
    if (update.job) {
      last = update.job;
      if (startedAt === undefined && update.job.startedAt) startedAt = Date.parse(update.job.startedAt);
    }
    const metric = update.metric;
    if (metric && metric.epoch > 0 && metric.name !== 'step_loss') {
      const point = byEpoch.get(metric.epoch) ?? { at: Date.parse(metric.at), values: {} };
      const key = `${metric.split}/${metric.name}`;
      point.values[key] = metric.value;
      point.at = Math.min(point.at, Date.parse(metric.at));
      byEpoch.set(metric.epoch, point);
      if (key === options.progress) {
        benchLog({ msg: 'epoch', jobId: submitted.id, workers: options.workers, epoch: metric.epoch, [key]: metric.value, seconds: startedAt ? (Date.parse(metric.at) - startedAt) / 1000 : null });
      }
    }
  }
  last = await client.getJob(submitted.id);
  const origin = startedAt ?? (last.startedAt ? Date.parse(last.startedAt) : Date.now());
  const epochs = [...byEpoch.entries()]
    .sort(([a], [b]) => a - b)
    .map(([epoch, { at, values }]) => ({ epoch, seconds: (at - origin) / 1000, metrics: values }));
  const durations = epochs.slice(1).map((p, i) => p.seconds - epochs[i]!.seconds).sort((a, b) => a - b);
  const medianEpoch = durations.length > 0 ? durations[Math.floor(durations.length / 2)]! : epochs[0]?.seconds;
  return {
    jobId: submitted.id,
    state: last.state,
    workers: options.workers,
    epochs,
    wallSeconds: (performance.now() - started) / 1000,
    samplesPerSecondPerWorker: medianEpoch ? options.trainSamples / medianEpoch / options.workers : null,
  };
}

/** Seconds from the job's start to the first epoch whose `metric` reaches `target`, or null if none did. */
export function secondsToReach(run: BenchRun, metric: string, target: number): number | null {
  return run.epochs.find((p) => (p.metrics[metric] ?? -Infinity) >= target)?.seconds ?? null;
}

/** An embedded cluster for a bench, with a client; `close` stops its processes and removes its folder. */
export interface BenchCluster {
  readonly client: TesseraClient;
  readonly close: () => Promise<void>;
}

/**
 * Starts an embedded cluster (coordinator + `workers` wasm worker processes) in a fresh temp folder named after
 * `label`. Ctrl-C (or a timeout's SIGTERM) stops the cluster's processes too, not just this one.
 */
export async function startBenchCluster(label: string, workers: number): Promise<BenchCluster> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), `tessera-bench-${label}-`));
  benchLog({ msg: 'starting cluster', dataDir, workers });
  const cluster = await startEmbeddedCluster({ dataDir, workers, backend: 'wasm' });
  const client = new TesseraClient({ address: cluster.address, token: cluster.apiToken, deadlineMs: 600_000 });
  const stop = () => cluster.stop().finally(() => rm(dataDir, { recursive: true, force: true }));
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      benchLog({ msg: 'interrupted, stopping the cluster', signal });
      void stop().finally(() => process.exit(130));
    });
  }
  return {
    client,
    close: async () => {
      client.close();
      await stop();
    },
  };
}

/**
 * The spec a bench runs for `epochs` on `workers`: `BENCH_SPEC` (a whole job spec file) when set, else `fallback`'s,
 * named `<name>-<workers>w` with its epochs and worker counts replaced.
 */
export async function benchSpecs(fallback: (epochs: number, workers: number) => JobSpecInput): Promise<(epochs: number, workers: number) => JobSpecInput> {
  const custom = process.env.BENCH_SPEC ? (JSON.parse(await readFile(process.env.BENCH_SPEC, 'utf8')) as JobSpecInput) : undefined;
  return (epochs, workers) => {
    const base = custom ?? fallback(epochs, workers);
    const spec = base as { name: string; training?: object; resources?: object };
    return { ...base, name: `${spec.name}-${workers}w`, training: { ...spec.training, epochs }, resources: { ...spec.resources, minWorkers: workers, maxWorkers: workers } } as JobSpecInput;
  };
}
