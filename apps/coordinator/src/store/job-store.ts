/**
 * The coordinator's durable state behind one seam. `PrismaJobStore` keeps it in PostgreSQL (embedded PGlite or a
 * server, see `openJobStore`); `MemoryJobStore` is the fake for unit tests. Both pass `describeJobStoreConformance`,
 * so the fake cannot drift from the real thing.
 *
 * Records are plain data: callers get copies, and changing one changes nothing until it is written back. Methods
 * that name a job or worker that does not exist reject with a `JobStoreError` (see `store-errors.ts`).
 */

export type JobState = 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';
export type WorkerState = 'IDLE' | 'BUSY' | 'LOST';
export type TokenScope = 'api' | 'join' | 'session';
export type UserRole = 'admin' | 'member';

export interface JobRecord {
  /** `job-` + a time-sortable random id (see `newJobId`). */
  id: string;
  name: string;
  state: JobState;
  /** Why the job is in its state; '' when nothing to say. */
  reason: string;
  priority: number;
  /** The validated job spec as JSON; stored as JSONB, so read it back as data (no Dates, no undefined fields). */
  spec: unknown;
  datasetName: string;
  datasetSha256: string;
  minWorkers: number;
  maxWorkers: number;
  /** Membership generation: bumped each time the job's ring is (re)formed. */
  generation: number;
  /** Worker ids by rank for the current generation. */
  workerIds: string[];
  step: number;
  totalSteps: number;
  epoch: number;
  totalEpochs: number;
  /** Object-store key of the latest complete checkpoint manifest. */
  checkpointKey: string | null;
  idempotencyKey: string | null;
  /** How many times the job has been started (restarts after a loss included). */
  attempts: number;
  createdAt: Date;
  startedAt: Date | null;
  endedAt: Date | null;
}

export interface NewJob {
  name: string;
  spec: unknown;
  datasetName: string;
  datasetSha256: string;
  minWorkers: number;
  maxWorkers: number;
  state?: JobState;
  reason?: string;
  priority?: number;
  totalSteps?: number;
  totalEpochs?: number;
  idempotencyKey?: string | null;
}

export type JobPatch = Partial<Omit<JobRecord, 'id' | 'createdAt'>>;

export interface JobEventRecord {
  jobId: string;
  /** 1, 2, 3, ... per job, in the order the store accepted the events. */
  seq: number;
  at: Date;
  /** One of: state, worker_joined, worker_lost, checkpoint, error, info. */
  kind: string;
  message: string;
  /** The state after a `state` event. */
  state: JobState | null;
  workerId: string | null;
}

export interface NewJobEvent {
  jobId: string;
  kind: string;
  message: string;
  state?: JobState | null;
  workerId?: string | null;
}

export interface MetricRecord {
  jobId: string;
  step: number;
  epoch: number;
  /** train | test */
  split: string;
  /** loss | accuracy | samples_per_second ... */
  name: string;
  value: number;
  at: Date;
  workerId: string | null;
}

export interface WorkerRecord {
  id: string;
  host: string;
  peerAddress: string;
  /** webgpu | tensorflow | wasm | cpu */
  backend: string;
  device: string;
  state: WorkerState;
  jobId: string | null;
  rank: number | null;
  lastHeartbeatAt: Date;
  samplesPerSecond: number;
  registeredAt: Date;
}

export type WorkerPatch = Partial<Omit<WorkerRecord, 'id' | 'registeredAt'>>;

export interface DatasetRecord {
  name: string;
  sha256: string;
  /** tabular-csv | image-folder | ... */
  kind: string;
  /** Below 2^53 (9 PB); stored as BIGINT. */
  sizeBytes: number;
  manifestKey: string;
  /** Short human summary from the manifest ("208 rows x 61 columns"). */
  summary: string;
  createdAt: Date;
}

export interface UserRecord {
  username: string;
  /** The encoded scrypt hash (see auth/password-hash.ts); never the password. */
  passwordHash: string;
  role: UserRole;
  createdAt: Date;
}

export interface NewApiToken {
  name: string;
  scope: TokenScope;
  secretHash: string;
  /** Sessions: the signed-in user. */
  username?: string | null;
  /** Sessions: when the token stops working; null never. */
  expiresAt?: Date | null;
}

export interface ApiTokenRecord {
  name: string;
  scope: TokenScope;
  username: string | null;
  expiresAt: Date | null;
}

export interface JobFilter {
  /** Empty or absent: every state. */
  states?: JobState[];
  limit?: number;
  /** Case-insensitive substring of the job name; '' or absent: no filter. */
  nameContains?: string;
}

export interface JobStore {
  /**
   * Creates a QUEUED job (unless `state` says otherwise). When `idempotencyKey` is already taken, returns the job
   * that holds it instead of creating another, so two racing submits with one key agree on one job.
   */
  createJob(input: NewJob): Promise<JobRecord>;
  findJobByIdempotencyKey(key: string): Promise<JobRecord | null>;
  getJob(id: string): Promise<JobRecord | null>;
  /** Newest first (creation time, then id); all jobs when no limit is given. */
  listJobs(filter?: JobFilter): Promise<JobRecord[]>;
  /** Writes the given fields only. Rejects with JobNotFound. */
  updateJob(id: string, patch: JobPatch): Promise<JobRecord>;
  /**
   * Appends an event with the job's next sequence number (1, 2, 3, ...). Concurrent appends to one job get
   * distinct, gapless numbers: the number is taken and the row inserted in one statement. Rejects with JobNotFound.
   */
  appendEvent(event: NewJobEvent): Promise<JobEventRecord>;
  /** Events in sequence order, only those after `afterSeq` when given. */
  listEvents(jobId: string, afterSeq?: number): Promise<JobEventRecord[]>;
  /**
   * Idempotent on (jobId, step, split, name): the first value recorded for a key stays, so a retried progress report
   * records nothing twice. Rejects with JobNotFound when a metric names an unknown job (and then records none).
   */
  recordMetrics(metrics: MetricRecord[]): Promise<void>;
  /** Ordered by step, then split, then name. */
  listMetrics(jobId: string): Promise<MetricRecord[]>;
  /** Inserts or replaces the whole worker record. */
  upsertWorker(worker: WorkerRecord): Promise<WorkerRecord>;
  getWorker(id: string): Promise<WorkerRecord | null>;
  /** Ordered by id. */
  listWorkers(): Promise<WorkerRecord[]>;
  /** Writes the given fields only. Rejects with WorkerNotFound. */
  updateWorker(id: string, patch: WorkerPatch): Promise<WorkerRecord>;
  /**
   * Registers a data set version. Registering a (name, sha256) pair again changes nothing and returns the stored
   * record: the first registration's time keeps its place in the version order.
   */
  upsertDataset(dataset: DatasetRecord): Promise<DatasetRecord>;
  /** One version; the latest registered version of `name` when `sha256` is not given. */
  getDataset(name: string, sha256?: string): Promise<DatasetRecord | null>;
  /** Every version, by name, latest version of each name first. */
  listDatasets(): Promise<DatasetRecord[]>;
  /**
   * Stores a token by the hash of its secret. Adding a hash that is already stored changes nothing. A token naming
   * a user is deleted with that user.
   */
  addApiToken(token: NewApiToken): Promise<void>;
  /**
   * The token with this secret hash unless it was revoked. Expiry is returned, not applied: the caller's clock
   * decides (so tests can drive it).
   */
  findApiToken(secretHash: string): Promise<ApiTokenRecord | null>;
  /** Marks the token revoked; revoking an unknown or revoked token changes nothing (safe to retry). */
  revokeApiToken(secretHash: string): Promise<void>;
  /** Rejects with UserAlreadyExists when the username is taken (also when two creates race). */
  createUser(user: UserRecord): Promise<UserRecord>;
  getUser(username: string): Promise<UserRecord | null>;
  /** Ordered by username. */
  listUsers(): Promise<UserRecord[]>;
  close(): Promise<void>;
}
