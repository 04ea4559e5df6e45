import type {
  ApiTokenRecord,
  DatasetRecord,
  JobEventRecord,
  JobFilter,
  JobPatch,
  JobRecord,
  JobState,
  JobStore,
  MetricRecord,
  NewJob,
  NewApiToken,
  NewJobEvent,
  UserRecord,
  WorkerPatch,
  WorkerRecord,
} from './job-store.ts';
import { newJobId } from './new-job-id.ts';
import { JobStoreError } from './store-errors.ts';

/**
 * In-memory `JobStore` for unit tests: same behaviour as `PrismaJobStore` (the conformance suite checks both), no
 * persistence. Records go in and come out as copies, and `spec` takes a JSON round trip as it would through JSONB.
 */
export class MemoryJobStore implements JobStore {
  private readonly jobs = new Map<string, JobRecord>();
  private readonly events = new Map<string, JobEventRecord[]>();
  private readonly metrics = new Map<string, MetricRecord>();
  private readonly workers = new Map<string, WorkerRecord>();
  // Insertion order is version order, as the Dataset table's serial id is.
  private readonly datasets: DatasetRecord[] = [];
  private readonly tokens = new Map<string, ApiTokenRecord & { revoked: boolean }>();
  private readonly users = new Map<string, UserRecord>();
  private readonly now: () => Date;

  constructor(options: { now?: () => Date } = {}) {
    this.now = options.now ?? (() => new Date());
  }

  createJob(input: NewJob): Promise<JobRecord> {
    return settle(() => {
      // The body runs synchronously, so racing calls see each other's jobs, as the unique index makes them in SQL.
      const existing = input.idempotencyKey ? this.jobByKey(input.idempotencyKey) : undefined;
      if (existing) return copyJob(existing);
      const createdAt = this.now();
      const job: JobRecord = {
        id: newJobId(createdAt.getTime()),
        name: input.name,
        state: input.state ?? 'QUEUED',
        reason: input.reason ?? '',
        priority: input.priority ?? 0,
        spec: jsonCopy(input.spec),
        datasetName: input.datasetName,
        datasetSha256: input.datasetSha256,
        minWorkers: input.minWorkers,
        maxWorkers: input.maxWorkers,
        generation: 0,
        workerIds: [],
        step: 0,
        totalSteps: input.totalSteps ?? 0,
        epoch: 0,
        totalEpochs: input.totalEpochs ?? 0,
        checkpointKey: null,
        idempotencyKey: input.idempotencyKey ?? null,
        attempts: 0,
        createdAt,
        startedAt: null,
        endedAt: null,
      };
      this.jobs.set(job.id, job);
      this.events.set(job.id, []);
      return copyJob(job);
    });
  }

  findJobByIdempotencyKey(key: string): Promise<JobRecord | null> {
    return settle(() => {
      const job = this.jobByKey(key);
      return job ? copyJob(job) : null;
    });
  }

  private jobByKey(key: string): JobRecord | undefined {
    for (const job of this.jobs.values()) if (job.idempotencyKey === key) return job;
    return undefined;
  }

  getJob(id: string): Promise<JobRecord | null> {
    return settle(() => {
      const job = this.jobs.get(id);
      return job ? copyJob(job) : null;
    });
  }

  listJobs(filter: JobFilter = {}): Promise<JobRecord[]> {
    return settle(() => {
      const states = filter.states && filter.states.length > 0 ? new Set<JobState>(filter.states) : null;
      const needle = filter.nameContains?.toLowerCase() ?? '';
      const jobs = [...this.jobs.values()]
        .filter((job) => (!states || states.has(job.state)) && job.name.toLowerCase().includes(needle))
        .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || compareDesc(a.id, b.id));
      return jobs.slice(0, filter.limit ?? jobs.length).map(copyJob);
    });
  }

  updateJob(id: string, patch: JobPatch): Promise<JobRecord> {
    return settle(() => {
      const job = this.jobs.get(id);
      if (!job) throw new JobStoreError({ kind: 'JobNotFound', jobId: id });
      const updated = copyJob({ ...job, ...definedOnly(patch), id: job.id, createdAt: job.createdAt });
      this.jobs.set(id, updated);
      return copyJob(updated);
    });
  }

  appendEvent(event: NewJobEvent): Promise<JobEventRecord> {
    return settle(() => {
      const list = this.events.get(event.jobId);
      if (!list) throw new JobStoreError({ kind: 'JobNotFound', jobId: event.jobId });
      const record: JobEventRecord = {
        jobId: event.jobId,
        seq: list.length + 1,
        at: this.now(),
        kind: event.kind,
        message: event.message,
        state: event.state ?? null,
        workerId: event.workerId ?? null,
      };
      list.push(record);
      return copyEvent(record);
    });
  }

  listEvents(jobId: string, afterSeq = 0): Promise<JobEventRecord[]> {
    return settle(() => {
      return (this.events.get(jobId) ?? []).filter((e) => e.seq > afterSeq).map(copyEvent);
    });
  }

  recordMetrics(metrics: MetricRecord[]): Promise<void> {
    return settle(() => {
      const unknown = metrics.find((m) => !this.jobs.has(m.jobId));
      if (unknown) throw new JobStoreError({ kind: 'JobNotFound', jobId: unknown.jobId });
      for (const metric of metrics) {
        const key = JSON.stringify([metric.jobId, metric.step, metric.split, metric.name]);
        if (!this.metrics.has(key)) this.metrics.set(key, copyMetric(metric));
      }
    });
  }

  listMetrics(jobId: string): Promise<MetricRecord[]> {
    return settle(() => {
      return [...this.metrics.values()]
        .filter((m) => m.jobId === jobId)
        .sort((a, b) => a.step - b.step || compareAsc(a.split, b.split) || compareAsc(a.name, b.name))
        .map(copyMetric);
    });
  }

  upsertWorker(worker: WorkerRecord): Promise<WorkerRecord> {
    return settle(() => {
      this.workers.set(worker.id, copyWorker(worker));
      return copyWorker(worker);
    });
  }

  getWorker(id: string): Promise<WorkerRecord | null> {
    return settle(() => {
      const worker = this.workers.get(id);
      return worker ? copyWorker(worker) : null;
    });
  }

  listWorkers(): Promise<WorkerRecord[]> {
    return settle(() => {
      return [...this.workers.values()].sort((a, b) => compareAsc(a.id, b.id)).map(copyWorker);
    });
  }

  updateWorker(id: string, patch: WorkerPatch): Promise<WorkerRecord> {
    return settle(() => {
      const worker = this.workers.get(id);
      if (!worker) throw new JobStoreError({ kind: 'WorkerNotFound', workerId: id });
      const updated = copyWorker({ ...worker, ...definedOnly(patch), id: worker.id, registeredAt: worker.registeredAt });
      this.workers.set(id, updated);
      return copyWorker(updated);
    });
  }

  upsertDataset(dataset: DatasetRecord): Promise<DatasetRecord> {
    return settle(() => {
      const existing = this.datasets.find((d) => d.name === dataset.name && d.sha256 === dataset.sha256);
      if (existing) return copyDataset(existing);
      this.datasets.push(copyDataset(dataset));
      return copyDataset(dataset);
    });
  }

  getDataset(name: string, sha256?: string): Promise<DatasetRecord | null> {
    return settle(() => {
      const versions = this.datasets.filter((d) => d.name === name && (sha256 === undefined || d.sha256 === sha256));
      const latest = versions[versions.length - 1];
      return latest ? copyDataset(latest) : null;
    });
  }

  listDatasets(): Promise<DatasetRecord[]> {
    return settle(() => {
      const order = new Map(this.datasets.map((d, i) => [d, i]));
      return [...this.datasets]
        .sort((a, b) => compareAsc(a.name, b.name) || (order.get(b) ?? 0) - (order.get(a) ?? 0))
        .map(copyDataset);
    });
  }

  addApiToken(token: NewApiToken): Promise<void> {
    return settle(() => {
      if (this.tokens.has(token.secretHash)) return;
      const username = token.username ?? null;
      // The foreign key of the real table.
      if (username !== null && !this.users.has(username)) throw new Error(`token names unknown user ${username}`);
      this.tokens.set(token.secretHash, {
        name: token.name, scope: token.scope, username, expiresAt: copyDate(token.expiresAt ?? null), revoked: false,
      });
    });
  }

  findApiToken(secretHash: string): Promise<ApiTokenRecord | null> {
    return settle(() => {
      const token = this.tokens.get(secretHash);
      if (!token || token.revoked) return null;
      return { name: token.name, scope: token.scope, username: token.username, expiresAt: copyDate(token.expiresAt) };
    });
  }

  revokeApiToken(secretHash: string): Promise<void> {
    return settle(() => {
      const token = this.tokens.get(secretHash);
      if (token) token.revoked = true;
    });
  }

  createUser(user: UserRecord): Promise<UserRecord> {
    return settle(() => {
      if (this.users.has(user.username)) throw new JobStoreError({ kind: 'UserAlreadyExists', username: user.username });
      this.users.set(user.username, copyUser(user));
      return copyUser(user);
    });
  }

  getUser(username: string): Promise<UserRecord | null> {
    return settle(() => {
      const user = this.users.get(username);
      return user ? copyUser(user) : null;
    });
  }

  listUsers(): Promise<UserRecord[]> {
    return settle(() => [...this.users.values()].sort((a, b) => compareAsc(a.username, b.username)).map(copyUser));
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

// Runs a synchronous body as the interface's async method. The executor runs at once, so the body is atomic with
// respect to other calls, and a throw inside it becomes a rejection, as a failed statement would.
function settle<T>(body: () => T): Promise<T> {
  return new Promise<T>((resolve) => {
    resolve(body());
  });
}

// A patch field set to undefined means "not given", as it does for Prisma's update.
function definedOnly<T extends object>(patch: T): Partial<T> {
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Partial<T>;
}

// Byte order. PostgreSQL orders text by the database collation, which can differ on punctuation (en_US skips
// dashes); ids of one shape, such as the conformance tests use, sort the same under both.
function compareAsc(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareDesc(a: string, b: string): number {
  return compareAsc(b, a);
}

function jsonCopy(value: unknown): unknown {
  return value === undefined ? null : JSON.parse(JSON.stringify(value));
}

function copyDate(d: Date): Date;
function copyDate(d: Date | null): Date | null;
function copyDate(d: Date | null): Date | null {
  return d ? new Date(d.getTime()) : null;
}

function copyJob(job: JobRecord): JobRecord {
  return {
    ...job,
    spec: jsonCopy(job.spec),
    workerIds: [...job.workerIds],
    createdAt: copyDate(job.createdAt),
    startedAt: copyDate(job.startedAt),
    endedAt: copyDate(job.endedAt),
  };
}

function copyEvent(e: JobEventRecord): JobEventRecord {
  return { ...e, at: copyDate(e.at) };
}

function copyMetric(m: MetricRecord): MetricRecord {
  return { jobId: m.jobId, step: m.step, epoch: m.epoch, split: m.split, name: m.name, value: m.value, at: copyDate(m.at), workerId: m.workerId ?? null };
}

function copyWorker(w: WorkerRecord): WorkerRecord {
  return { ...w, lastHeartbeatAt: copyDate(w.lastHeartbeatAt), registeredAt: copyDate(w.registeredAt) };
}

function copyDataset(d: DatasetRecord): DatasetRecord {
  return { name: d.name, sha256: d.sha256, kind: d.kind, sizeBytes: d.sizeBytes, manifestKey: d.manifestKey, summary: d.summary, createdAt: copyDate(d.createdAt) };
}

function copyUser(u: UserRecord): UserRecord {
  return { username: u.username, passwordHash: u.passwordHash, role: u.role, createdAt: copyDate(u.createdAt) };
}
