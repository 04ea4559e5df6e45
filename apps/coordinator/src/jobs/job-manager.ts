import { parseDatasetRef, parseJobSpec, type JobSpec } from '@tessera/core/jobs/job-spec';
import type { Logger } from '@tessera/core/logging/logger';
import { segmentationPredictionPrefix } from '@tessera/core/prediction/segmentation-outputs';
import type { ProgressReport__Output } from '@tessera/proto/generated/tessera/workers/v1/ProgressReport';
import type { ObjectStore } from '@tessera/storage/object-store';
import { CoordinatorError } from '../errors/domain-error.ts';
import type { WorkerRegistry } from '../membership/worker-registry.ts';
import { planPlacements, waitingReason } from '../scheduler/job-scheduler.ts';
import type { JobRecord, JobState, JobStore, MetricRecord } from '../store/job-store.ts';
import type { JobUpdateBus } from './job-update-bus.ts';
import { isPredictionSpec, jobResultKey, predictionDatasetProblem, resolvePredictionSource } from './prediction-jobs.ts';

const ENDED: ReadonlySet<JobState> = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED']);

export function isEnded(state: JobState): boolean {
  return ENDED.has(state);
}

export interface JobManagerOptions {
  /** How many times a job restarts from its last checkpoint after losing a worker before it fails. */
  maxRestarts: number;
  /**
   * After a rank reports a broken ring, how long to wait for the heartbeat sweep to name a lost worker before
   * re-forming the ring anyway (everyone still beats: the link itself failed).
   */
  ringBrokenGraceMs: number;
}

/**
 * The life of every job: submit → QUEUED → RUNNING → SUCCEEDED | FAILED | CANCELLED, with the reason for each end.
 * All state changes go through one queue (`serial`) so scheduling, progress reports and worker losses never race;
 * every change is written to the store first, then published to watchers.
 */
export class JobManager {
  private serial: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: JobStore,
    private readonly registry: WorkerRegistry,
    private readonly bus: JobUpdateBus,
    private readonly log: Logger,
    private readonly options: JobManagerOptions,
    /** Read when a prediction job starts, to find the checkpoint it classifies with. */
    private readonly objects: ObjectStore,
  ) {}

  /** Runs `fn` after every earlier state change has finished. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.serial.then(fn, fn);
    this.serial = run.catch(() => undefined);
    return run;
  }

  async submit(specJson: string, idempotencyKey: string): Promise<JobRecord> {
    let raw: unknown;
    try {
      raw = JSON.parse(specJson);
    } catch (cause) {
      throw new CoordinatorError({ kind: 'InvalidJobSpec', field: 'spec_json', message: `not valid JSON (${(cause as Error).message})` });
    }
    const parsed = parseJobSpec(raw);
    if (!parsed.ok) throw new CoordinatorError({ kind: 'InvalidJobSpec', field: parsed.field, message: parsed.message });
    const spec = parsed.spec;
    const { name: datasetName, sha256: datasetSha } = parseDatasetRef(spec.dataset);
    return this.exclusive(async () => {
      if (idempotencyKey) {
        const existing = await this.store.findJobByIdempotencyKey(idempotencyKey);
        if (existing) return existing;
      }
      const dataset = await this.store.getDataset(datasetName, datasetSha);
      if (!dataset) throw new CoordinatorError({ kind: 'DatasetNotFound', name: datasetName, ...(datasetSha ? { sha256: datasetSha } : {}) });
      const job = await this.store.createJob({
        name: spec.name,
        state: 'QUEUED',
        reason: 'queued',
        priority: spec.resources.priority,
        spec,
        datasetName: dataset.name,
        datasetSha256: dataset.sha256,
        minWorkers: spec.resources.minWorkers,
        maxWorkers: spec.resources.maxWorkers,
        idempotencyKey: idempotencyKey || null,
      });
      await this.event(job.id, 'state', `queued (needs ${spec.resources.minWorkers}..${spec.resources.maxWorkers} workers)`, 'QUEUED');
      this.bus.publish(job.id, { type: 'job', job });
      this.log.info('job submitted', { jobId: job.id, name: job.name, dataset: `${dataset.name}@${dataset.sha256.slice(0, 12)}` });
      await this.scheduleLocked();
      return (await this.store.getJob(job.id)) ?? job;
    });
  }

  async get(jobId: string): Promise<JobRecord> {
    const job = await this.store.getJob(jobId);
    if (!job) throw new CoordinatorError({ kind: 'JobNotFound', jobId });
    return job;
  }

  async cancel(jobId: string, reason: string): Promise<JobRecord> {
    return this.exclusive(async () => {
      const job = await this.get(jobId);
      if (job.state === 'CANCELLED') return job;
      if (isEnded(job.state)) throw new CoordinatorError({ kind: 'JobAlreadyEnded', jobId, state: job.state });
      const ended = await this.end(job, 'CANCELLED', reason ? `cancelled: ${reason}` : 'cancelled by user');
      await this.scheduleLocked();
      return ended;
    });
  }

  /** Places queued jobs on idle workers. Called after every change that can free a worker or queue a job. */
  schedule(): Promise<void> {
    return this.exclusive(() => this.scheduleLocked());
  }

  private async scheduleLocked(): Promise<void> {
    const queued = await this.store.listJobs({ states: ['QUEUED'], limit: 1000 });
    if (queued.length === 0) return;
    const reachable = new Set(this.registry.reachableIds());
    const idle = (await this.store.listWorkers()).filter((w) => w.state === 'IDLE' && reachable.has(w.id)).map((w) => w.id);
    const placements = planPlacements(queued, idle);
    let refused = false;
    for (const placement of placements) {
      const job = queued.find((j) => j.id === placement.jobId);
      if (job && !(await this.startJob(job, placement.workerIds))) refused = true;
    }
    // A job that failed as it started (no data set, no checkpoint to predict with) left its workers idle: place again.
    if (refused) return this.scheduleLocked();
    // Tell the jobs still waiting why.
    const started = new Set(placements.map((p) => p.jobId));
    const waiting = queued.filter((j) => !started.has(j.id)).sort((a, b) => b.priority - a.priority || a.createdAt.getTime() - b.createdAt.getTime());
    const idleLeft = idle.length - placements.reduce((n, p) => n + p.workerIds.length, 0);
    for (const [i, job] of waiting.entries()) {
      const reason = waitingReason(job, idleLeft, i);
      if (job.reason !== reason) this.bus.publish(job.id, { type: 'job', job: await this.store.updateJob(job.id, { reason }) });
    }
  }

  /** Starts `job` on `workerIds`; false when it failed instead (its workers stay idle). */
  private async startJob(job: JobRecord, workerIds: string[]): Promise<boolean> {
    const spec = job.spec as JobSpec;
    const dataset = await this.store.getDataset(job.datasetName, job.datasetSha256);
    if (!dataset) {
      await this.end(job, 'FAILED', `data set ${job.datasetName}@${job.datasetSha256} is no longer registered`);
      return false;
    }
    let source = { checkpointKey: '', specJson: '' };
    if (isPredictionSpec(spec)) {
      const problem = predictionDatasetProblem(spec, dataset);
      const resolved = problem === undefined ? await resolvePredictionSource(this.store, this.objects, spec) : { ok: false as const, reason: problem };
      if (!resolved.ok) {
        await this.end(job, 'FAILED', resolved.reason);
        return false;
      }
      source = { checkpointKey: resolved.checkpointKey, specJson: JSON.stringify(resolved.sourceSpec) };
      const using = `${resolved.checkpointKey} (step ${resolved.step} of job ${spec.source.jobId})`;
      const message = spec.workload === 'image-prediction'
        ? `classifying with ${using}; predictions go to ${jobResultKey(job) ?? ''}`
        : `segmenting with ${using}; masks and overlays go to ${segmentationPredictionPrefix(spec, job.id)}/, the summary to ${jobResultKey(job) ?? ''}`;
      await this.event(job.id, 'info', message);
    }
    const workers = await Promise.all(workerIds.map((id) => this.store.getWorker(id)));
    const generation = job.generation + 1;
    const resuming = job.checkpointKey ?? '';
    const updated = await this.store.updateJob(job.id, {
      state: 'RUNNING',
      reason: resuming ? `resumed from ${resuming} on ${workerIds.length} workers` : `running on ${workerIds.length} workers`,
      generation,
      workerIds,
      startedAt: job.startedAt ?? new Date(),
      attempts: job.attempts + 1,
    });
    await this.event(job.id, 'state', `${updated.reason} (generation ${generation})`, 'RUNNING');
    const peerAddresses = workers.map((w) => w?.peerAddress ?? '');
    for (const [rank, workerId] of workerIds.entries()) {
      await this.store.updateWorker(workerId, { state: 'BUSY', jobId: job.id, rank });
      await this.event(job.id, 'worker_joined', `worker ${workerId} joined as rank ${rank} of ${workerIds.length}`, null, workerId);
      this.registry.send(workerId, {
        assignment: {
          jobId: job.id,
          generation,
          rank,
          worldSize: workerIds.length,
          peerAddresses,
          workerIds,
          specJson: JSON.stringify(spec),
          datasetManifestKey: dataset.manifestKey,
          resumeCheckpointKey: resuming,
          checkpointPrefix: `jobs/${job.id}/checkpoints`,
          sourceCheckpointKey: source.checkpointKey,
          sourceSpecJson: source.specJson,
        },
      });
    }
    this.bus.publish(job.id, { type: 'job', job: updated });
    this.log.info('job started', { jobId: job.id, generation, workers: workerIds });
    return true;
  }

  /**
   * After a coordinator restart no worker is known to be alive and no ring exists: every worker is marked lost
   * until it registers again, and RUNNING jobs go back to the queue to resume from their last checkpoint.
   */
  async recoverAfterRestart(): Promise<void> {
    return this.exclusive(async () => {
      for (const worker of await this.store.listWorkers()) {
        if (worker.state !== 'LOST') await this.store.updateWorker(worker.id, { state: 'LOST', jobId: null, rank: null });
      }
      for (const job of await this.store.listJobs({ states: ['RUNNING'], limit: 1000 })) {
        const reason = job.checkpointKey ? `coordinator restarted; resuming from ${job.checkpointKey}` : 'coordinator restarted; starting again';
        await this.store.updateJob(job.id, { state: 'QUEUED', reason, workerIds: [] });
        await this.event(job.id, 'state', reason, 'QUEUED');
      }
    });
  }

  /** A rank's progress: metrics, checkpoints, and the end of its run. Stale generations are refused. */
  async report(report: ProgressReport__Output): Promise<void> {
    return this.exclusive(async () => {
      const job = await this.get(report.jobId);
      if (report.generation !== job.generation || isEnded(job.state)) {
        throw new CoordinatorError({ kind: 'StaleGeneration', jobId: job.id, generation: report.generation, current: job.generation });
      }
      const patch: Partial<JobRecord> = {};
      if (report.totalSteps > 0 && report.rank === 0) {
        Object.assign(patch, { step: report.step, totalSteps: report.totalSteps, epoch: report.epoch, totalEpochs: report.totalEpochs });
      }
      if (report.metrics.length > 0) {
        const metrics: MetricRecord[] = report.metrics.map((m) => ({
          jobId: job.id, step: report.step, epoch: report.epoch, split: m.split, name: m.name, value: m.value, at: new Date(), workerId: report.workerId,
        }));
        await this.store.recordMetrics(metrics);
        for (const metric of metrics) this.bus.publish(job.id, { type: 'metric', metric });
      }
      if (report.info) await this.event(job.id, 'info', report.info, null, report.workerId);
      if (report.checkpointKey && report.checkpointKey !== job.checkpointKey) {
        patch.checkpointKey = report.checkpointKey;
        await this.event(job.id, 'checkpoint', `checkpoint at step ${report.step}: ${report.checkpointKey}`, null, report.workerId);
      }
      let current = Object.keys(patch).length > 0 ? await this.store.updateJob(job.id, patch) : job;
      if (Object.keys(patch).length > 0) this.bus.publish(job.id, { type: 'job', job: current });
      if (report.finished && report.ringBroken) {
        await this.event(job.id, 'error', `rank ${report.rank} (worker ${report.workerId}) lost its ring${report.lostPeer ? ` at ${report.lostPeer}` : ''}: ${report.error}`, null, report.workerId);
        this.armRingBrokenTimer(job.id, job.generation);
        return;
      }
      if (report.finished) {
        if (report.error) {
          await this.event(job.id, 'error', `rank ${report.rank} (worker ${report.workerId}): ${report.error}`, null, report.workerId);
          current = await this.end(current, 'FAILED', `rank ${report.rank} (worker ${report.workerId}) failed: ${report.error}`);
        } else if (report.rank === 0) {
          current = await this.end(current, 'SUCCEEDED', await this.successReason(current));
        }
        await this.scheduleLocked();
      }
    });
  }

  /** A worker stopped beating. Its job restarts from the last checkpoint when enough workers remain, else fails. */
  async workerLost(workerId: string, silentMs: number): Promise<void> {
    return this.exclusive(async () => {
      const worker = await this.store.getWorker(workerId);
      if (!worker) return;
      await this.store.updateWorker(workerId, { state: 'LOST', jobId: null, rank: null });
      this.log.warn('worker lost', { workerId, silentMs });
      if (!worker.jobId) return;
      const job = await this.store.getJob(worker.jobId);
      if (!job || job.state !== 'RUNNING' || !job.workerIds.includes(workerId)) return;
      const what = `worker ${workerId} (rank ${worker.rank ?? '?'}) lost: no heartbeat for ${(silentMs / 1000).toFixed(1)} s`;
      await this.event(job.id, 'worker_lost', what, null, workerId);
      await this.handleLostMember(job, workerId, what);
      await this.scheduleLocked();
    });
  }

  /** A worker re-registered while the store still had it on a job: its old process is gone. */
  async workerRestarted(workerId: string): Promise<void> {
    return this.exclusive(async () => {
      const worker = await this.store.getWorker(workerId);
      if (!worker?.jobId) return;
      const job = await this.store.getJob(worker.jobId);
      if (job?.state !== 'RUNNING' || !job.workerIds.includes(workerId)) return;
      const what = `worker ${workerId} (rank ${worker.rank ?? '?'}) restarted and lost its run`;
      await this.event(job.id, 'worker_lost', what, null, workerId);
      await this.handleLostMember(job, workerId, what);
    });
  }

  private readonly ringTimers = new Map<string, NodeJS.Timeout>();

  /**
   * A broken ring usually means a dead worker, which the heartbeat sweep names within its timeout; if the job is
   * still on the same generation after the grace period, nobody died and the ring is re-formed from the checkpoint.
   */
  private armRingBrokenTimer(jobId: string, generation: number): void {
    const key = `${jobId}/${generation}`;
    if (this.ringTimers.has(key)) return;
    const timer = setTimeout(() => {
      this.ringTimers.delete(key);
      void this.exclusive(async () => {
        const job = await this.store.getJob(jobId);
        if (job?.state !== 'RUNNING' || job.generation !== generation) return;
        await this.handleLostMember(job, '', `ring of generation ${generation} broke with every worker still alive`);
        await this.scheduleLocked();
      }).catch((err: unknown) => this.log.error('re-forming a broken ring failed', { jobId, err }));
    }, this.options.ringBrokenGraceMs);
    timer.unref();
    this.ringTimers.set(key, timer);
  }

  /** Stops pending timers (coordinator shutdown). */
  close(): void {
    for (const timer of this.ringTimers.values()) clearTimeout(timer);
    this.ringTimers.clear();
  }

  private async handleLostMember(job: JobRecord, lostId: string, what: string): Promise<void> {
    const survivors = job.workerIds.filter((id) => id !== lostId);
    const reachable = new Set(this.registry.reachableIds());
    const idle = (await this.store.listWorkers()).filter((w) => w.state === 'IDLE' && reachable.has(w.id)).length;
    // A prediction keeps no state between attempts: it starts again from its first image.
    const restartable = job.checkpointKey !== null || isPredictionSpec(job.spec as JobSpec);
    const canRestart = restartable && job.attempts <= this.options.maxRestarts && survivors.length + idle >= job.minWorkers;
    if (!canRestart) {
      const why = !restartable ? 'no checkpoint to restart from' : job.attempts > this.options.maxRestarts ? `restarted ${job.attempts - 1} times already` : `only ${survivors.length + idle} workers left, needs ${job.minWorkers}`;
      await this.end(job, 'FAILED', `${what}; ${why}`);
      return;
    }
    await this.releaseWorkers(job, `ring re-forms after ${what}`, lostId);
    const from = job.checkpointKey === null ? 'restarting' : `restarting from ${job.checkpointKey}`;
    const queued = await this.store.updateJob(job.id, { state: 'QUEUED', reason: `${from} after ${what}`, workerIds: [] });
    await this.event(job.id, 'state', queued.reason, 'QUEUED');
    this.bus.publish(job.id, { type: 'job', job: queued });
  }

  private async releaseWorkers(job: JobRecord, reason: string, except?: string): Promise<void> {
    for (const workerId of job.workerIds) {
      if (workerId === except) continue;
      this.registry.send(workerId, { cancellation: { jobId: job.id, generation: job.generation, reason } });
      const worker = await this.store.getWorker(workerId);
      if (worker && worker.jobId === job.id) await this.store.updateWorker(workerId, { state: worker.state === 'LOST' ? 'LOST' : 'IDLE', jobId: null, rank: null });
    }
  }

  private async end(job: JobRecord, state: 'SUCCEEDED' | 'FAILED' | 'CANCELLED', reason: string): Promise<JobRecord> {
    await this.releaseWorkers(job, reason);
    const ended = await this.store.updateJob(job.id, { state, reason, endedAt: new Date() });
    await this.event(job.id, 'state', reason, state);
    this.bus.publish(job.id, { type: 'job', job: ended });
    this.log.info('job ended', { jobId: job.id, state, reason });
    return ended;
  }

  private async event(jobId: string, kind: string, message: string, state: JobState | null = null, workerId: string | null = null): Promise<void> {
    const event = await this.store.appendEvent({ jobId, kind, message, state, workerId });
    this.bus.publish(jobId, { type: 'event', event });
  }

  private async successReason(job: JobRecord): Promise<string> {
    const metrics = await this.store.listMetrics(job.id);
    const last = (split: string, name: string) => metrics.filter((m) => m.split === split && m.name === name).at(-1)?.value;
    const resultKey = jobResultKey(job);
    if (resultKey !== undefined && (job.spec as JobSpec).workload === 'segmentation-prediction') {
      // Segmentation predictions report `predict/cases` and, on labeled cases, the mean `predict/dice` and `predict/iou`.
      const dice = last('predict', 'dice');
      const iou = last('predict', 'iou');
      const parts = [`predicted ${last('predict', 'cases') ?? 0} cases; summary at ${resultKey}`];
      if (dice !== undefined) parts.push(`mean Dice ${dice.toFixed(4)}${iou === undefined ? '' : `, IoU ${iou.toFixed(4)}`} against the data set's masks`);
      return parts.join('; ');
    }
    if (resultKey !== undefined) {
      // Prediction jobs report `predict/images` and, on labeled images, `predict/accuracy` against the folder labels.
      const accuracy = last('predict', 'accuracy');
      const parts = [`predicted ${last('predict', 'images') ?? 0} images; predictions at ${resultKey}`];
      if (accuracy !== undefined) parts.push(`accuracy ${(accuracy * 100).toFixed(2)}% against the data set's labels`);
      return parts.join('; ');
    }
    // Tabular jobs hold out a test split; image jobs a valid/ folder.
    const split = metrics.some((m) => m.split === 'test') ? 'test' : 'valid';
    const accuracy = last(split, 'accuracy');
    const loss = last(split, 'loss');
    const parts = [`completed ${job.step} steps`];
    if (accuracy !== undefined) parts.push(`${split} accuracy ${(accuracy * 100).toFixed(2)}%`);
    // Segmentation jobs score their valid cases by Dice and IoU.
    const dice = last(split, 'dice');
    const iou = last(split, 'iou');
    if (dice !== undefined) parts.push(`${split} Dice ${dice.toFixed(4)}${iou === undefined ? '' : `, IoU ${iou.toFixed(4)}`}`);
    if (loss !== undefined) parts.push(`${split} loss ${loss.toFixed(4)}`);
    return parts.join('; ');
  }
}
