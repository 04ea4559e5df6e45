/** What bench/gpu/cluster-job.ts saw of its job, as the client API returned it (structural: no proto import). */
export interface ClusterJobObservation {
  readonly requestedBackend: string;
  readonly workerCount: number;
  readonly job: {
    readonly id: string;
    readonly name: string;
    readonly state: string;
    readonly reason: string;
    readonly workerIds: readonly string[];
    readonly step: number;
    readonly totalSteps: number;
    readonly epoch: number;
    readonly totalEpochs: number;
    readonly latestMetrics: Readonly<Record<string, number>>;
    readonly startedAt: string;
    readonly endedAt: string;
  };
  /** ListWorkers after the job: the backend and device each worker registered with. */
  readonly workers: ReadonlyArray<{ readonly id: string; readonly backend: string; readonly device: string; readonly state: string }>;
  /** Every event of the job, in order. */
  readonly events: ReadonlyArray<{ readonly seq: number; readonly at: string; readonly kind: string; readonly message: string; readonly workerId: string }>;
}

/** One rank's "rank R/N starting on <backend> (<device>)" event, parsed. */
export interface RankStart {
  readonly rank: number;
  readonly worldSize: number;
  readonly backend: string;
  readonly device: string;
  readonly workerId: string;
}

/** The JSON bench/gpu/cluster-job.ts writes: the job, its workers' backends, its info events, and the verdict. */
export interface ClusterJobResult {
  readonly requestedBackend: string;
  /** True when the job succeeded and every worker and every rank ran on the requested backend. */
  readonly ok: boolean;
  /** Why `ok` is false, one line each; empty when it is true. */
  readonly problems: readonly string[];
  readonly job: ClusterJobObservation['job'];
  readonly workers: ClusterJobObservation['workers'];
  readonly rankStarts: readonly RankStart[];
  /** Each rank's "rank R kernels measured on …" line: on a GPU, which of Tessera's and tfjs' kernels it kept. */
  readonly kernelsMeasured: readonly string[];
  readonly infoEvents: ReadonlyArray<{ readonly at: string; readonly workerId: string; readonly message: string }>;
  readonly events: ClusterJobObservation['events'];
}

const RANK_START = /^rank (\d+)\/(\d+) starting on (\S+) \((.*)\)$/;

/** Parses a "rank R/N starting on <backend> (<device>)" event message; undefined for any other message. */
export function parseRankStart(message: string, workerId = ''): RankStart | undefined {
  const match = RANK_START.exec(message);
  if (!match) return undefined;
  return { rank: Number(match[1]), worldSize: Number(match[2]), backend: match[3]!, device: match[4]!, workerId };
}

/**
 * Judges a 2-worker job the way issue 5 asks: it succeeded, every worker registered on the requested backend, and
 * each rank of the last generation said it started on that backend (the events are what an operator sees).
 */
export function clusterJobResult(observed: ClusterJobObservation): ClusterJobResult {
  const { requestedBackend: backend, workerCount, job } = observed;
  const problems: string[] = [];
  if (job.state !== 'JOB_STATE_SUCCEEDED') problems.push(`job ${job.id} ended ${job.state}${job.reason ? `: ${job.reason}` : ''}`);
  if (observed.workers.length !== workerCount) problems.push(`${observed.workers.length} workers registered, expected ${workerCount}`);
  for (const worker of observed.workers) {
    if (worker.backend !== backend) problems.push(`worker ${worker.id} registered on ${worker.backend || 'no backend'} (${worker.device}), not ${backend}`);
  }
  const infoEvents = observed.events.filter((e) => e.kind === 'info').map((e) => ({ at: e.at, workerId: e.workerId, message: e.message }));
  const rankStarts = infoEvents.flatMap((e) => parseRankStart(e.message, e.workerId) ?? []);
  // A job that lost a worker restarts its ranks; the last start of each rank is the one that finished.
  const lastStarts = new Map(rankStarts.filter((s) => s.worldSize === workerCount).map((s) => [s.rank, s]));
  for (let rank = 0; rank < workerCount; rank++) {
    const start = lastStarts.get(rank);
    if (!start) problems.push(`no "rank ${rank}/${workerCount} starting on …" event`);
    else if (start.backend !== backend) problems.push(`rank ${rank} started on ${start.backend} (${start.device}), not ${backend}`);
  }
  const kernelsMeasured = infoEvents.filter((e) => /^rank \d+ kernels measured on /.test(e.message)).map((e) => e.message);
  return {
    requestedBackend: backend,
    ok: problems.length === 0,
    problems,
    job,
    workers: observed.workers,
    rankStarts,
    kernelsMeasured,
    infoEvents,
    events: observed.events,
  };
}
