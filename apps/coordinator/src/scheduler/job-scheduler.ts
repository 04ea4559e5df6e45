/** What the scheduler needs to know about a queued job. */
export interface SchedulableJob {
  id: string;
  priority: number;
  createdAt: Date;
  minWorkers: number;
  maxWorkers: number;
}

export interface Placement {
  jobId: string;
  /** Worker ids in rank order. */
  workerIds: string[];
}

/**
 * Gang scheduling, FIFO within priority: jobs are taken by priority (high first), then age. A job starts only when
 * at least `minWorkers` idle workers exist, and takes up to `maxWorkers`. Scheduling stops at the first job that
 * cannot start, so a large gang job is never starved by a stream of small ones (no backfill).
 */
export function planPlacements(queued: readonly SchedulableJob[], idleWorkerIds: readonly string[]): Placement[] {
  const order = [...queued].sort(
    (a, b) => b.priority - a.priority || a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id),
  );
  const free = [...idleWorkerIds].sort();
  const placements: Placement[] = [];
  for (const job of order) {
    if (free.length < job.minWorkers) break;
    placements.push({ jobId: job.id, workerIds: free.splice(0, Math.min(job.maxWorkers, free.length)) });
  }
  return placements;
}

/** Why a queued job is waiting, for its `reason` field. */
export function waitingReason(job: SchedulableJob, idleCount: number, aheadCount: number): string {
  if (aheadCount > 0) return `queued behind ${aheadCount} job(s)`;
  return `waiting for ${job.minWorkers} idle worker(s), ${idleCount} idle`;
}
