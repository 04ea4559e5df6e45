import path from 'node:path';
import type { BackendName } from '@tessera/worker/backends/select-backend';

/** One run of bench/gpu/cluster-job.ts, resolved from its environment. */
export interface ClusterJobOptions {
  /** TESSERA_BACKEND: the backend both workers must run on (default webgpu; `auto` is refused: nothing to check). */
  readonly backend: BackendName;
  /** BENCH_CLUSTER_EPOCHS: overrides the Sonar spec's 150 epochs; undefined keeps them. */
  readonly epochs: number | undefined;
  /** BENCH_CLUSTER_TIMEOUT_S (default 300): the job is cancelled, and the run fails, past this. */
  readonly timeoutMs: number;
  /** BENCH_CLUSTER_RESULTS (default bench/results/cluster-job.json under the working directory). */
  readonly resultsPath: string;
  /** BENCH_CLUSTER_LOGS (default `<results without .json>-logs`): the coordinator's and workers' logs. */
  readonly logDir: string;
}

const backends: readonly BackendName[] = ['webgpu', 'tensorflow', 'wasm', 'cpu'];

function positiveInt(env: Readonly<Record<string, string | undefined>>, name: string): number | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer, got "${raw}"`);
  return value;
}

/** Reads the run's options; a bad value is an error naming its variable (a typo must not run some other job). */
export function clusterJobOptionsFromEnv(env: Readonly<Record<string, string | undefined>>, cwd: string): ClusterJobOptions {
  const rawBackend = env.TESSERA_BACKEND?.trim() || 'webgpu';
  const backend = backends.find((b) => b === rawBackend);
  if (backend === undefined) throw new RangeError(`TESSERA_BACKEND must be one of ${backends.join(', ')} for the cluster job, got "${rawBackend}"`);
  const resultsPath = path.resolve(cwd, env.BENCH_CLUSTER_RESULTS?.trim() || 'bench/results/cluster-job.json');
  const logDir = path.resolve(cwd, env.BENCH_CLUSTER_LOGS?.trim() || `${resultsPath.replace(/\.json$/, '')}-logs`);
  return { backend, epochs: positiveInt(env, 'BENCH_CLUSTER_EPOCHS'), timeoutMs: (positiveInt(env, 'BENCH_CLUSTER_TIMEOUT_S') ?? 300) * 1000, resultsPath, logDir };
}
