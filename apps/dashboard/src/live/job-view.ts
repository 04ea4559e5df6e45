import type { Job, JobUpdate, Worker } from '@tessera/client/tessera-client';

/**
 * What the browser is told about a job: an allowlist of the API's fields, so object-store keys and anything the API
 * grows later stay on the server unless added here on purpose.
 */
export interface JobView {
  id: string;
  name: string;
  state: string;
  reason: string;
  priority: number;
  dataset: string;
  minWorkers: number;
  maxWorkers: number;
  generation: number;
  workerIds: string[];
  step: number;
  totalSteps: number;
  epoch: number;
  totalEpochs: number;
  latestMetrics: Record<string, number>;
  createdAt: string;
  startedAt: string;
  endedAt: string;
}

export interface EventView {
  seq: number;
  at: string;
  kind: string;
  message: string;
  state: string;
  workerId: string;
}

export interface MetricView {
  step: number;
  epoch: number;
  split: string;
  name: string;
  value: number;
  at: string;
}

/** A worker of the job with its current throughput, for the per-worker table. */
export interface WorkerThroughputView {
  id: string;
  rank: number;
  host: string;
  backend: string;
  device: string;
  samplesPerSecond: number;
}

export type UpdateView = { job: JobView } | { event: EventView } | { metric: MetricView };

export function toJobView(job: Job): JobView {
  return {
    id: job.id,
    name: job.name,
    state: job.state,
    reason: job.reason,
    priority: job.priority,
    dataset: job.dataset,
    minWorkers: job.minWorkers,
    maxWorkers: job.maxWorkers,
    generation: job.generation,
    workerIds: [...job.workerIds],
    step: job.step,
    totalSteps: job.totalSteps,
    epoch: job.epoch,
    totalEpochs: job.totalEpochs,
    latestMetrics: { ...job.latestMetrics },
    createdAt: job.createdAt,
    startedAt: job.startedAt,
    endedAt: job.endedAt,
  };
}

export function toUpdateView(update: JobUpdate): UpdateView | undefined {
  if (update.job) return { job: toJobView(update.job) };
  if (update.event) {
    const e = update.event;
    return { event: { seq: e.seq, at: e.at, kind: e.kind, message: e.message, state: e.state, workerId: e.workerId } };
  }
  if (update.metric) {
    const m = update.metric;
    return { metric: { step: m.step, epoch: m.epoch, split: m.split, name: m.name, value: m.value, at: m.at } };
  }
  return undefined;
}

export function toWorkerThroughput(workers: readonly Worker[], job: Pick<JobView, 'id' | 'workerIds'>): WorkerThroughputView[] {
  return workers
    .filter((w) => w.jobId === job.id && job.workerIds.includes(w.id))
    .map((w) => ({ id: w.id, rank: w.rank, host: w.host, backend: w.backend, device: w.device, samplesPerSecond: w.samplesPerSecond }))
    .sort((a, b) => a.rank - b.rank);
}
