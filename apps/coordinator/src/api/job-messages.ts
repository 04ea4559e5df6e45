import type { Dataset } from '@tessera/proto/generated/tessera/jobs/v1/Dataset';
import type { Job } from '@tessera/proto/generated/tessera/jobs/v1/Job';
import type { JobEvent } from '@tessera/proto/generated/tessera/jobs/v1/JobEvent';
import type { JobState as ProtoJobState } from '@tessera/proto/generated/tessera/jobs/v1/JobState';
import type { Metric } from '@tessera/proto/generated/tessera/jobs/v1/Metric';
import type { Worker } from '@tessera/proto/generated/tessera/jobs/v1/Worker';
import { jobResultKey } from '../jobs/prediction-jobs.ts';
import type { DatasetRecord, JobEventRecord, JobRecord, JobState, MetricRecord, WorkerRecord } from '../store/job-store.ts';

/** Store records → wire messages of tessera.jobs.v1. */

const iso = (d: Date | null | undefined): string => (d ? d.toISOString() : '');

export function protoJobState(state: JobState): ProtoJobState {
  return `JOB_STATE_${state}`;
}

export function jobStateFromProto(state: string): JobState | undefined {
  const bare = state.replace(/^JOB_STATE_/, '');
  return (['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED'] as const).find((s) => s === bare);
}

export function toProtoJob(job: JobRecord, latestMetrics: Record<string, number> = {}): Job {
  return {
    id: job.id,
    name: job.name,
    state: protoJobState(job.state),
    reason: job.reason,
    priority: job.priority,
    specJson: JSON.stringify(job.spec),
    minWorkers: job.minWorkers,
    maxWorkers: job.maxWorkers,
    generation: job.generation,
    workerIds: job.workerIds,
    step: job.step,
    totalSteps: job.totalSteps,
    epoch: job.epoch,
    totalEpochs: job.totalEpochs,
    checkpointKey: job.checkpointKey ?? '',
    latestMetrics,
    createdAt: iso(job.createdAt),
    startedAt: iso(job.startedAt),
    endedAt: iso(job.endedAt),
    dataset: `${job.datasetName}@${job.datasetSha256}`,
    resultKey: jobResultKey(job) ?? '',
  };
}

export function latestMetricValues(metrics: readonly MetricRecord[]): Record<string, number> {
  const latest: Record<string, number> = {};
  for (const m of metrics) latest[`${m.split}/${m.name}`] = m.value;
  return latest;
}

export function toProtoEvent(e: JobEventRecord): JobEvent {
  return {
    jobId: e.jobId,
    seq: e.seq,
    at: iso(e.at),
    kind: e.kind,
    message: e.message,
    state: e.state ? protoJobState(e.state) : 'JOB_STATE_UNSPECIFIED',
    workerId: e.workerId ?? '',
  };
}

export function toProtoMetric(m: MetricRecord): Metric {
  return { jobId: m.jobId, step: m.step, epoch: m.epoch, split: m.split, name: m.name, value: m.value, at: iso(m.at), workerId: m.workerId ?? '' };
}

export function toProtoWorker(w: WorkerRecord): Worker {
  return {
    id: w.id,
    host: w.host,
    backend: w.backend,
    device: w.device,
    state: `WORKER_STATE_${w.state}`,
    jobId: w.jobId ?? '',
    rank: w.rank ?? -1,
    lastHeartbeatAt: iso(w.lastHeartbeatAt),
    peerAddress: w.peerAddress,
    samplesPerSecond: w.samplesPerSecond,
  };
}

export function toProtoDataset(d: DatasetRecord): Dataset {
  return {
    name: d.name,
    sha256: d.sha256,
    kind: d.kind,
    sizeBytes: Number(d.sizeBytes),
    manifestKey: d.manifestKey,
    createdAt: iso(d.createdAt),
    summary: d.summary,
  };
}
