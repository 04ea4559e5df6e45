import { Prisma } from './generated/prisma/client.ts';
import type { PrismaClient } from './generated/prisma/client.ts';
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
import { newJobId, newRowId } from './new-job-id.ts';
import { JobStoreError } from './store-errors.ts';

type JobRow = Prisma.JobGetPayload<object>;
type WorkerRow = Prisma.WorkerGetPayload<object>;
type DatasetRow = Prisma.DatasetGetPayload<object>;
type MetricRow = Prisma.MetricGetPayload<object>;
type EventRow = Prisma.JobEventGetPayload<object>;
type UserRow = Prisma.UserGetPayload<object>;

/**
 * `JobStore` over a Prisma client (PostgreSQL dialect; PGlite or a server behind a driver adapter). Open it with
 * `openJobStore`, which applies the migrations first. Every method is one statement, so none holds a transaction
 * open across awaits, which matters for PGlite: it runs one statement at a time.
 */
export class PrismaJobStore implements JobStore {
  private readonly now: () => Date;
  private readonly onClose: () => Promise<void>;

  constructor(
    private readonly prisma: PrismaClient,
    options: { now?: () => Date; onClose?: () => Promise<void> } = {},
  ) {
    this.now = options.now ?? (() => new Date());
    this.onClose = options.onClose ?? (async () => {});
  }

  async createJob(input: NewJob): Promise<JobRecord> {
    if (input.idempotencyKey) {
      const existing = await this.findJobByIdempotencyKey(input.idempotencyKey);
      if (existing) return existing;
    }
    const createdAt = this.now();
    try {
      const row = await this.prisma.job.create({
        data: {
          id: newJobId(createdAt.getTime()),
          name: input.name,
          state: input.state ?? 'QUEUED',
          reason: input.reason ?? '',
          priority: input.priority ?? 0,
          spec: toJson(input.spec),
          datasetName: input.datasetName,
          datasetSha256: input.datasetSha256,
          minWorkers: input.minWorkers,
          maxWorkers: input.maxWorkers,
          workerIds: [],
          totalSteps: input.totalSteps ?? 0,
          totalEpochs: input.totalEpochs ?? 0,
          idempotencyKey: input.idempotencyKey ?? null,
          createdAt,
        },
      });
      return toJobRecord(row);
    } catch (err) {
      // Lost a race with a submit that used the same key: that job is the answer.
      if (input.idempotencyKey && violates(err, 'unique')) {
        const winner = await this.findJobByIdempotencyKey(input.idempotencyKey);
        if (winner) return winner;
      }
      throw err;
    }
  }

  async findJobByIdempotencyKey(key: string): Promise<JobRecord | null> {
    const row = await this.prisma.job.findUnique({ where: { idempotencyKey: key } });
    return row ? toJobRecord(row) : null;
  }

  async getJob(id: string): Promise<JobRecord | null> {
    const row = await this.prisma.job.findUnique({ where: { id } });
    return row ? toJobRecord(row) : null;
  }

  async listJobs(filter: JobFilter = {}): Promise<JobRecord[]> {
    const where: Prisma.JobWhereInput = {};
    if (filter.states && filter.states.length > 0) where.state = { in: filter.states satisfies JobState[] };
    // Prisma passes `contains` into ILIKE unescaped; escape the pattern characters so "50%" means a literal percent.
    if (filter.nameContains) where.name = { contains: filter.nameContains.replace(/[\\%_]/g, '\\$&'), mode: 'insensitive' };
    const rows = await this.prisma.job.findMany({
      where,
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      ...(filter.limit !== undefined ? { take: filter.limit } : {}),
    });
    return rows.map(toJobRecord);
  }

  async updateJob(id: string, patch: JobPatch): Promise<JobRecord> {
    const { spec, ...rest } = patch;
    try {
      const row = await this.prisma.job.update({
        where: { id },
        data: { ...rest, ...(spec !== undefined ? { spec: toJson(spec) } : {}) },
      });
      return toJobRecord(row);
    } catch (err) {
      if (hasCode(err, 'P2025')) throw new JobStoreError({ kind: 'JobNotFound', jobId: id }, { cause: err });
      throw err;
    }
  }

  async appendEvent(event: NewJobEvent): Promise<JobEventRecord> {
    const at = this.now();
    const state = event.state ?? null;
    const workerId = event.workerId ?? null;
    // One statement takes the job's next number and inserts the event: concurrent appends queue on the job row's
    // lock, so numbers stay distinct and gapless without an interactive transaction.
    const rows = await this.prisma.$queryRaw<{ seq: number }[]>`
      WITH next AS (
        UPDATE "Job" SET "lastEventSeq" = "lastEventSeq" + 1 WHERE "id" = ${event.jobId} RETURNING "lastEventSeq"
      )
      INSERT INTO "JobEvent" ("jobId", "seq", "at", "kind", "message", "state", "workerId")
      SELECT ${event.jobId}, next."lastEventSeq", ${at}::timestamptz, ${event.kind}, ${event.message},
             ${state}::"JobState", ${workerId}
      FROM next
      RETURNING "seq"`;
    const seq = rows[0]?.seq;
    if (seq === undefined) throw new JobStoreError({ kind: 'JobNotFound', jobId: event.jobId });
    return { jobId: event.jobId, seq: Number(seq), at, kind: event.kind, message: event.message, state, workerId };
  }

  async listEvents(jobId: string, afterSeq = 0): Promise<JobEventRecord[]> {
    const rows = await this.prisma.jobEvent.findMany({ where: { jobId, seq: { gt: afterSeq } }, orderBy: { seq: 'asc' } });
    return rows.map(toEventRecord);
  }

  async recordMetrics(metrics: MetricRecord[]): Promise<void> {
    if (metrics.length === 0) return;
    try {
      await this.prisma.metric.createMany({
        data: metrics.map((m) => ({
          jobId: m.jobId, step: m.step, epoch: m.epoch, split: m.split, name: m.name, value: m.value, at: m.at, workerId: m.workerId ?? null,
        })),
        skipDuplicates: true,
      });
    } catch (err) {
      if (!violates(err, 'foreign-key')) throw err;
      const ids = [...new Set(metrics.map((m) => m.jobId))];
      const known = new Set((await this.prisma.job.findMany({ where: { id: { in: ids } }, select: { id: true } })).map((j) => j.id));
      const missing = ids.find((id) => !known.has(id)) ?? ids[0] ?? '';
      throw new JobStoreError({ kind: 'JobNotFound', jobId: missing }, { cause: err });
    }
  }

  async listMetrics(jobId: string): Promise<MetricRecord[]> {
    const rows = await this.prisma.metric.findMany({ where: { jobId }, orderBy: [{ step: 'asc' }, { split: 'asc' }, { name: 'asc' }] });
    return rows.map(toMetricRecord);
  }

  async upsertWorker(worker: WorkerRecord): Promise<WorkerRecord> {
    const { id, ...fields } = toWorkerData(worker);
    const row = await this.prisma.worker.upsert({ where: { id }, create: { id, ...fields }, update: fields });
    return toWorkerRecord(row);
  }

  async getWorker(id: string): Promise<WorkerRecord | null> {
    const row = await this.prisma.worker.findUnique({ where: { id } });
    return row ? toWorkerRecord(row) : null;
  }

  async listWorkers(): Promise<WorkerRecord[]> {
    return (await this.prisma.worker.findMany({ orderBy: { id: 'asc' } })).map(toWorkerRecord);
  }

  async updateWorker(id: string, patch: WorkerPatch): Promise<WorkerRecord> {
    try {
      return toWorkerRecord(await this.prisma.worker.update({ where: { id }, data: patch }));
    } catch (err) {
      if (hasCode(err, 'P2025')) throw new JobStoreError({ kind: 'WorkerNotFound', workerId: id }, { cause: err });
      throw err;
    }
  }

  async upsertDataset(dataset: DatasetRecord): Promise<DatasetRecord> {
    // An empty update makes the upsert return the stored row untouched when the version is already registered.
    const row = await this.prisma.dataset.upsert({
      where: { name_sha256: { name: dataset.name, sha256: dataset.sha256 } },
      create: {
        name: dataset.name,
        sha256: dataset.sha256,
        kind: dataset.kind,
        sizeBytes: BigInt(dataset.sizeBytes),
        manifestKey: dataset.manifestKey,
        summary: dataset.summary,
        createdAt: dataset.createdAt,
      },
      update: {},
    });
    return toDatasetRecord(row);
  }

  async getDataset(name: string, sha256?: string): Promise<DatasetRecord | null> {
    const row = await this.prisma.dataset.findFirst({
      where: { name, ...(sha256 !== undefined ? { sha256 } : {}) },
      orderBy: { id: 'desc' },
    });
    return row ? toDatasetRecord(row) : null;
  }

  async listDatasets(): Promise<DatasetRecord[]> {
    return (await this.prisma.dataset.findMany({ orderBy: [{ name: 'asc' }, { id: 'desc' }] })).map(toDatasetRecord);
  }

  async addApiToken(token: NewApiToken): Promise<void> {
    await this.prisma.apiToken.createMany({
      data: [{
        id: newRowId('tok'),
        name: token.name,
        scope: token.scope,
        secretHash: token.secretHash,
        createdAt: this.now(),
        username: token.username ?? null,
        expiresAt: token.expiresAt ?? null,
      }],
      skipDuplicates: true,
    });
  }

  async findApiToken(secretHash: string): Promise<ApiTokenRecord | null> {
    return this.prisma.apiToken.findFirst({
      where: { secretHash, revokedAt: null },
      select: { name: true, scope: true, username: true, expiresAt: true },
    });
  }

  async revokeApiToken(secretHash: string): Promise<void> {
    await this.prisma.apiToken.updateMany({ where: { secretHash, revokedAt: null }, data: { revokedAt: this.now() } });
  }

  async createUser(user: UserRecord): Promise<UserRecord> {
    try {
      return toUserRecord(await this.prisma.user.create({ data: { ...user } }));
    } catch (err) {
      if (violates(err, 'unique')) throw new JobStoreError({ kind: 'UserAlreadyExists', username: user.username }, { cause: err });
      throw err;
    }
  }

  async getUser(username: string): Promise<UserRecord | null> {
    const row = await this.prisma.user.findUnique({ where: { username } });
    return row ? toUserRecord(row) : null;
  }

  async listUsers(): Promise<UserRecord[]> {
    return (await this.prisma.user.findMany({ orderBy: { username: 'asc' } })).map(toUserRecord);
  }

  async close(): Promise<void> {
    try {
      await this.prisma.$disconnect();
    } finally {
      await this.onClose();
    }
  }
}

function hasCode(err: unknown, code: string): boolean {
  return err instanceof Prisma.PrismaClientKnownRequestError && err.code === code;
}

const CONSTRAINT = {
  unique: { prisma: 'P2002', sqlState: '23505' },
  'foreign-key': { prisma: 'P2003', sqlState: '23503' },
} as const;

/**
 * adapter-pg reports constraint violations as Prisma's P2002/P2003; pglite-prisma-adapter 0.6.1 predates that
 * mapping and passes PostgreSQL's error through as a DriverAdapterError whose cause carries the SQLSTATE.
 */
function violates(err: unknown, constraint: keyof typeof CONSTRAINT): boolean {
  const codes = CONSTRAINT[constraint];
  if (hasCode(err, codes.prisma)) return true;
  if (!(err instanceof Error) || err.name !== 'DriverAdapterError') return false;
  const cause = err.cause as { kind?: unknown; code?: unknown } | undefined;
  return cause?.kind === 'postgres' && cause.code === codes.sqlState;
}

function toJson(value: unknown): Prisma.InputJsonValue {
  // JSONB cannot hold undefined; a spec is an object, so this only guards against a caller's mistake.
  return (value === undefined ? null : value) as Prisma.InputJsonValue;
}

function toJobRecord(row: JobRow): JobRecord {
  return {
    id: row.id,
    name: row.name,
    state: row.state,
    reason: row.reason,
    priority: row.priority,
    spec: row.spec,
    datasetName: row.datasetName,
    datasetSha256: row.datasetSha256,
    minWorkers: row.minWorkers,
    maxWorkers: row.maxWorkers,
    generation: row.generation,
    workerIds: row.workerIds,
    step: row.step,
    totalSteps: row.totalSteps,
    epoch: row.epoch,
    totalEpochs: row.totalEpochs,
    checkpointKey: row.checkpointKey,
    idempotencyKey: row.idempotencyKey,
    attempts: row.attempts,
    createdAt: row.createdAt,
    startedAt: row.startedAt,
    endedAt: row.endedAt,
  };
}

function toEventRecord(row: EventRow): JobEventRecord {
  return { jobId: row.jobId, seq: row.seq, at: row.at, kind: row.kind, message: row.message, state: row.state, workerId: row.workerId };
}

function toMetricRecord(row: MetricRow): MetricRecord {
  return { jobId: row.jobId, step: row.step, epoch: row.epoch, split: row.split, name: row.name, value: row.value, at: row.at, workerId: row.workerId };
}

function toWorkerData(w: WorkerRecord): WorkerRecord {
  return {
    id: w.id,
    host: w.host,
    peerAddress: w.peerAddress,
    backend: w.backend,
    device: w.device,
    state: w.state,
    jobId: w.jobId,
    rank: w.rank,
    lastHeartbeatAt: w.lastHeartbeatAt,
    samplesPerSecond: w.samplesPerSecond,
    registeredAt: w.registeredAt,
  };
}

function toWorkerRecord(row: WorkerRow): WorkerRecord {
  return toWorkerData(row);
}

function toDatasetRecord(row: DatasetRow): DatasetRecord {
  return {
    name: row.name,
    sha256: row.sha256,
    kind: row.kind,
    sizeBytes: Number(row.sizeBytes),
    manifestKey: row.manifestKey,
    summary: row.summary,
    createdAt: row.createdAt,
  };
}

function toUserRecord(row: UserRow): UserRecord {
  return { username: row.username, passwordHash: row.passwordHash, role: row.role, createdAt: row.createdAt };
}
