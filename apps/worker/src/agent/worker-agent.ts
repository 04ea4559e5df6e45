import type { Logger } from '@tessera/core/logging/logger';
import type { Assignment__Output } from '@tessera/proto/generated/tessera/workers/v1/Assignment';
import type { AssignmentMessage__Output } from '@tessera/proto/generated/tessera/workers/v1/AssignmentMessage';
import type { ProgressReport } from '@tessera/proto/generated/tessera/workers/v1/ProgressReport';
import { CoordinatorLinkError, type CoordinatorLink } from './coordinator-link.ts';
import { InThreadHeartbeats, type Heartbeats } from './heartbeats.ts';

/** One running assignment, as the agent sees it. */
export interface JobRun {
  readonly done: Promise<void>;
  abort(reason: string): void;
}

/** What a job runner may tell the coordinator. The agent fills in worker, job, generation and rank. */
export type ReportFn = (report: Omit<ProgressReport, 'workerId' | 'jobId' | 'generation' | 'rank'>) => Promise<void>;

export type RunJobFn = (assignment: Assignment__Output, report: ReportFn, throughput: (samplesPerSecond: number) => void) => JobRun;

export interface WorkerIdentity {
  workerId: string;
  host: string;
  peerAddress: string;
  backend: string;
  device: string;
}

/**
 * A worker's life: register, beat, listen for assignments, run one job at a time, re-register after a coordinator
 * restart. Runs are aborted by cancellations, by a newer generation of the same job, and when the coordinator calls
 * a report stale.
 */
export class WorkerAgent {
  private current: { assignment: Assignment__Output; run: JobRun } | undefined;
  private starting: Promise<void> = Promise.resolve();
  private closeStream: (() => void) | undefined;
  private stopped = false;
  private samplesPerSecond = 0;
  private workerId: string;

  constructor(
    private readonly link: CoordinatorLink,
    private readonly identity: WorkerIdentity,
    private readonly runJob: RunJobFn,
    private readonly log: Logger,
    private readonly heartbeats: Heartbeats = new InThreadHeartbeats(link),
  ) {
    this.workerId = identity.workerId;
  }

  get id(): string {
    return this.workerId;
  }

  async start(): Promise<void> {
    await this.register();
  }

  private async register(): Promise<void> {
    for (let attempt = 0; !this.stopped; attempt++) {
      try {
        const res = await this.link.register({ ...this.identity, workerId: this.workerId, pid: process.pid });
        this.workerId = res.workerId;
        this.log.info('registered', { workerId: this.workerId, backend: this.identity.backend, device: this.identity.device });
        this.startHeartbeats(res.heartbeatIntervalMs);
        this.listen();
        return;
      } catch (err) {
        if (err instanceof CoordinatorLinkError && err.error.kind !== 'Unavailable') throw err;
        const delay = Math.min(5_000, 250 * 2 ** attempt);
        this.log.warn('coordinator unreachable, retrying', { delayMs: delay });
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  private startHeartbeats(intervalMs: number): void {
    this.heartbeats.start(
      intervalMs,
      () => {
        const a = this.current?.assignment;
        return { workerId: this.workerId, jobId: a?.jobId ?? '', generation: a?.generation ?? 0, samplesPerSecond: this.samplesPerSecond };
      },
      () => this.rejoin('coordinator no longer knows this worker'),
    );
  }

  private rejoin(why: string): void {
    if (this.stopped) return;
    this.log.warn('rejoining', { why });
    this.heartbeats.stop();
    this.closeStream?.();
    this.closeStream = undefined;
    this.current?.run.abort(why);
    void this.register().catch((err: unknown) => this.log.error('rejoin failed', { err }));
  }

  private listen(): void {
    this.closeStream?.();
    this.closeStream = this.link.assignments(
      this.workerId,
      (m) => this.onMessage(m),
      (err) => {
        if (this.stopped) return;
        this.log.warn('assignment stream closed', { err: err?.message });
        // The coordinator restarted or the network dropped: register again, which reopens the stream.
        setTimeout(() => this.rejoin('assignment stream closed'), 500).unref();
      },
    );
  }

  private onMessage(message: AssignmentMessage__Output): void {
    if (message.assignment) {
      const a = message.assignment;
      const cur = this.current?.assignment;
      if (cur && cur.jobId === a.jobId && cur.generation === a.generation) return;
      this.starting = this.starting.then(() => this.begin(a));
    } else if (message.cancellation) {
      const c = message.cancellation;
      const cur = this.current;
      if (cur && cur.assignment.jobId === c.jobId && cur.assignment.generation <= c.generation) {
        this.log.info('run released by the coordinator', { jobId: c.jobId, generation: c.generation, reason: c.reason });
        cur.run.abort(c.reason);
      }
    }
  }

  private async begin(assignment: Assignment__Output): Promise<void> {
    if (this.current) {
      this.current.run.abort(`superseded by ${assignment.jobId} generation ${assignment.generation}`);
      await this.current.run.done.catch(() => undefined);
    }
    if (this.stopped) return;
    this.log.info('assignment', { jobId: assignment.jobId, generation: assignment.generation, rank: assignment.rank, worldSize: assignment.worldSize });
    // The report function is handed to the run it may have to abort.
    const holder: { run?: JobRun } = {};
    const report: ReportFn = async (r) => {
      try {
        await this.link.report({ ...r, workerId: this.workerId, jobId: assignment.jobId, generation: assignment.generation, rank: assignment.rank });
      } catch (err) {
        if (err instanceof CoordinatorLinkError && err.error.kind === 'Stale') {
          holder.run?.abort(`coordinator moved on: ${err.error.message}`);
          return;
        }
        throw err;
      }
    };
    const run = this.runJob(assignment, report, (sps) => (this.samplesPerSecond = sps));
    holder.run = run;
    const entry = { assignment, run };
    this.current = entry;
    void run.done
      .catch((err: unknown) => this.log.error('run crashed', { jobId: assignment.jobId, err }))
      .finally(() => {
        if (this.current === entry) this.current = undefined;
        this.samplesPerSecond = 0;
      });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.heartbeats.stop();
    this.closeStream?.();
    const cur = this.current;
    if (cur) {
      cur.run.abort('worker shutting down');
      await cur.run.done.catch(() => undefined);
    }
    this.link.close();
  }
}
