import * as grpc from '@grpc/grpc-js';
import { contracts } from '@tessera/proto/contracts';
import type { AuthServiceClient } from '@tessera/proto/generated/tessera/auth/v1/AuthService';
import type { Dataset__Output } from '@tessera/proto/generated/tessera/jobs/v1/Dataset';
import type { DatasetPreview__Output } from '@tessera/proto/generated/tessera/jobs/v1/DatasetPreview';
import type { Job__Output } from '@tessera/proto/generated/tessera/jobs/v1/Job';
import type { ListSegmentationCasesResponse__Output } from '@tessera/proto/generated/tessera/jobs/v1/ListSegmentationCasesResponse';
import type { JobServiceClient } from '@tessera/proto/generated/tessera/jobs/v1/JobService';
import type { JobState } from '@tessera/proto/generated/tessera/jobs/v1/JobState';
import type { JobUpdate__Output } from '@tessera/proto/generated/tessera/jobs/v1/JobUpdate';
import type { Worker__Output } from '@tessera/proto/generated/tessera/jobs/v1/Worker';
import { fromGrpcError } from './client-error.ts';
import { collectSegmentationCase, type SegmentationCaseVolumes } from './segmentation-case.ts';

export type Job = Job__Output;
export type JobUpdate = JobUpdate__Output;
export type Worker = Worker__Output;
export type Dataset = Dataset__Output;
/**
 * `columns`, then `rows[i].cells` (text as in the file), `totalRows` in the whole file, `kind`, `name`, `sha256`.
 * For an image-folder data set: `classNames`, `trainCount`/`validCount`, `imageHeight`/`imageWidth` and
 * `thumbnails` (`{ className, id, png }`, up to 4 per class, PNG bytes at most 96 px on a side), no rows.
 */
export type DatasetPreview = DatasetPreview__Output;
/**
 * A segmentation data set's `cases` (`id`, `split`, `shape` [depth, height, width], `spacing`, `foregroundVoxels`,
 * and with a prediction job `scored`/`dice`/`iou`), its `dims`, `units`, `modality`, `classNames`, and with a
 * prediction job `hasSummary`, `predictionSplit`, `meanDice`, `meanIou`.
 */
export type SegmentationCaseList = ListSegmentationCasesResponse__Output;

export type UserRole = 'admin' | 'member';

export interface User {
  username: string;
  role: UserRole;
  /** RFC 3339. */
  createdAt: string;
}

export interface LoginResult {
  /** Send as the `token` of a client (see `withToken`); shown once, the coordinator keeps only its hash. */
  sessionToken: string;
  /** RFC 3339 time after which the session stops working. */
  expiresAt: string;
  user: User;
}

export interface WhoAmI {
  /** The signed-in user; '' for an API token. */
  username: string;
  /** An API token acts as an admin. */
  role: UserRole;
  tokenKind: 'api' | 'session';
  /** RFC 3339 for a session; '' for an API token. */
  expiresAt: string;
}

export interface CheckpointInfo {
  step: number;
  manifestKey: string;
  /** RFC 3339. */
  createdAt: string;
  /** All four files together. */
  sizeBytes: number;
}

/** The files of a checkpoint: model.json + weights.bin load with tfjs `loadLayersModel`; the rest resume training. */
export const CHECKPOINT_FILES = ['model.json', 'weights.bin', 'optimizer.bin', 'state.json'] as const;
export type CheckpointFile = (typeof CHECKPOINT_FILES)[number];

export interface ClientOptions {
  /** host:port of the coordinator. */
  address: string;
  /**
   * An API token or a session token from `login` (never a join token). '' for a client that only signs in: every
   * other call then fails with Unauthenticated.
   */
  token: string;
  /** Per-call deadline for unary calls; default 30 s. */
  deadlineMs?: number;
}

const UPLOAD_CHUNK = 1024 * 1024;

/**
 * Typed client for the public job and auth APIs. Every call carries the token; failures reject with
 * `TesseraClientError`. One client holds one HTTP/2 connection: create it once and `close()` it when done
 * (`withToken` reuses it for another token).
 */
export class TesseraClient {
  private readonly stub: JobServiceClient;
  private readonly authStub: AuthServiceClient;
  private readonly metadata: grpc.Metadata;
  private readonly ownsChannel: boolean;

  /** `shared` is internal: `withToken` passes the stubs of the client whose connection it reuses. */
  constructor(
    private readonly options: ClientOptions,
    shared?: { stub: JobServiceClient; authStub: AuthServiceClient },
  ) {
    if (shared) {
      this.stub = shared.stub;
      this.authStub = shared.authStub;
    } else {
      const { jobs, auth } = contracts();
      this.stub = new jobs.tessera.jobs.v1.JobService(options.address, grpc.credentials.createInsecure(), {
        'grpc.max_receive_message_length': 64 * 1024 * 1024,
      });
      // Same channel, so the two services share one HTTP/2 connection.
      this.authStub = new auth.tessera.auth.v1.AuthService(options.address, grpc.credentials.createInsecure(), {
        channelOverride: this.stub.getChannel(),
      });
    }
    this.ownsChannel = !shared;
    this.metadata = new grpc.Metadata();
    if (options.token) this.metadata.set('authorization', `Bearer ${options.token}`);
  }

  /**
   * A client that acts with another token (a user's session) over this client's connection: cheap, so a server can
   * make one per request. Closing it does nothing; closing this client closes both.
   */
  withToken(token: string): TesseraClient {
    return new TesseraClient({ ...this.options, token }, { stub: this.stub, authStub: this.authStub });
  }

  close(): void {
    if (this.ownsChannel) this.stub.close();
  }

  private unary<Req, Res>(method: string, request: Req, stub: grpc.Client = this.stub): Promise<Res> {
    const deadline = Date.now() + (this.options.deadlineMs ?? 30_000);
    return new Promise<Res>((resolve, reject) => {
      const fn = (stub as unknown as Record<string, (r: Req, m: grpc.Metadata, o: grpc.CallOptions, cb: (e: grpc.ServiceError | null, v?: Res) => void) => void>)[method]!;
      fn.call(stub, request, this.metadata, { deadline }, (err, value) => (err ? reject(fromGrpcError(err)) : resolve(value as Res)));
    });
  }

  /**
   * Signs in; works on a client made with token ''. Unauthenticated "invalid username or password" for a wrong
   * password or an unknown user alike. `ttlSeconds` asks for a session shorter than the coordinator's default.
   */
  async login(username: string, password: string, options: { ttlSeconds?: number } = {}): Promise<LoginResult> {
    const res = await this.unary<object, { sessionToken: string; expiresAt: string; user: User | null }>(
      'Login', { username, password, ttlSeconds: options.ttlSeconds ?? 0 }, this.authStub,
    );
    if (!res.user) throw fromGrpcError(new Error('the coordinator answered a login without its user'));
    return { sessionToken: res.sessionToken, expiresAt: res.expiresAt, user: res.user };
  }

  /** Ends this client's session (its token stops working at once). FailedPrecondition for an API token. */
  async logout(): Promise<void> {
    await this.unary('Logout', {}, this.authStub);
  }

  whoAmI(): Promise<WhoAmI> {
    return this.unary('WhoAmI', {}, this.authStub);
  }

  /**
   * Needs an API token or an admin's session (PermissionDenied for a member). InvalidArgument names the field
   * (username: 3-32 of a-z0-9._- starting with a letter; password: at least 12 characters); AlreadyExists when taken.
   */
  createUser(input: { username: string; password: string; role?: UserRole }): Promise<User> {
    return this.unary('CreateUser', { username: input.username, password: input.password, role: input.role ?? 'member' }, this.authStub);
  }

  /** By username. Needs an API token or an admin's session. */
  async listUsers(): Promise<User[]> {
    return (await this.unary<object, { users: User[] }>('ListUsers', {}, this.authStub)).users;
  }

  /** Submits a job spec (an object or its JSON). Pass an idempotency key to make retries safe. */
  async submitJob(spec: unknown, options: { idempotencyKey?: string } = {}): Promise<Job> {
    const specJson = typeof spec === 'string' ? spec : JSON.stringify(spec);
    const res = await this.unary<object, { job: Job }>('SubmitJob', { specJson, idempotencyKey: options.idempotencyKey ?? '' });
    return res.job;
  }

  getJob(jobId: string): Promise<Job> {
    return this.unary('GetJob', { jobId });
  }

  /** Newest first. `nameContains`: case-insensitive substring of the job name. `limit`: default 100, at most 1000. */
  async listJobs(options: { states?: JobState[]; limit?: number; nameContains?: string } = {}): Promise<Job[]> {
    const res = await this.unary<object, { jobs: Job[] }>('ListJobs', {
      states: options.states ?? [], limit: options.limit ?? 0, nameContains: options.nameContains ?? '',
    });
    return res.jobs;
  }

  /** A job's complete checkpoints, newest (highest step) first. NotFound for an unknown job. */
  async listCheckpoints(jobId: string): Promise<CheckpointInfo[]> {
    return (await this.unary<object, { checkpoints: CheckpointInfo[] }>('ListCheckpoints', { jobId })).checkpoints;
  }

  /**
   * Downloads one checkpoint file (see `CHECKPOINT_FILES`), verified by the coordinator against the checkpoint's
   * manifest. InvalidArgument names a bad file or step; NotFound for an unknown job or step; DataLoss when damaged.
   */
  async readCheckpointFile(jobId: string, step: number, file: CheckpointFile | (string & {})): Promise<Buffer> {
    return collectChunks(this.stub.readCheckpointFile({ jobId, step, file }, this.metadata));
  }

  /**
   * Downloads the result file of a SUCCEEDED job (`job.resultKey`): for an image-prediction job, its predictions CSV
   * (`id,label,probability`; parse it with `parsePredictionsCsv` from `@tessera/core/prediction/predictions-csv`).
   * NotFound for an unknown job; FailedPrecondition when the job writes no result or has not succeeded; DataLoss when
   * the file is gone from the store.
   */
  async readJobResult(jobId: string): Promise<Buffer> {
    return collectChunks(this.stub.readJobResult({ jobId }, this.metadata));
  }

  /**
   * The first rows of a tabular-csv data set (latest version unless `sha256` is given); `rows` default 20, at most
   * 200. NotFound for an unknown data set; InvalidArgument for a bad argument or a kind with no tabular preview.
   */
  previewDataset(name: string, options: { sha256?: string; rows?: number } = {}): Promise<DatasetPreview> {
    return this.unary('PreviewDataset', { name, sha256: options.sha256 ?? '', rows: options.rows ?? 0 });
  }

  /**
   * The cases of a segmentation data set (latest version unless `sha256` is given), with each case's Dice and IoU
   * when `predictionJobId` names a segmentation-prediction job of it that has written its summary. NotFound for an
   * unknown data set or job; InvalidArgument for a data set of another kind or a job that did not predict it.
   */
  listSegmentationCases(dataset: string, options: { sha256?: string; predictionJobId?: string } = {}): Promise<SegmentationCaseList> {
    return this.unary('ListSegmentationCases', { dataset, sha256: options.sha256 ?? '', predictionJobId: options.predictionJobId ?? '' });
  }

  /**
   * One case of a segmentation data set: its image in source units, its true mask and, with `predictionJobId`, the
   * mask that job predicted (when it wrote one for the case). NotFound names an unknown data set, case or job;
   * DataLoss for damaged stored bytes. A 512x512x100 CT is about 100 MB on the wire and in memory.
   */
  readSegmentationCase(dataset: string, caseId: string, options: { sha256?: string; predictionJobId?: string } = {}): Promise<SegmentationCaseVolumes> {
    return collectSegmentationCase(
      this.stub.readSegmentationCase({ dataset, caseId, sha256: options.sha256 ?? '', predictionJobId: options.predictionJobId ?? '' }, this.metadata),
    );
  }

  cancelJob(jobId: string, reason = ''): Promise<Job> {
    return this.unary('CancelJob', { jobId, reason });
  }

  async listWorkers(): Promise<Worker[]> {
    return (await this.unary<object, { workers: Worker[] }>('ListWorkers', {})).workers;
  }

  registerDataset(name: string, sha256: string): Promise<Dataset> {
    return this.unary('RegisterDataset', { name, sha256 });
  }

  async listDatasets(): Promise<Dataset[]> {
    return (await this.unary<object, { datasets: Dataset[] }>('ListDatasets', {})).datasets;
  }

  /**
   * Streams a file's bytes to the coordinator, which stores and registers them. `kind` is `tabular-csv` (default) for
   * a CSV, `image-folder` for a zip of `train/<class>/<image>` (optionally `valid/...`) stored at `imageHeight` x
   * `imageWidth` (both 0 or absent: 224 x 224), or `segmentation` for a zip of `images/` and `masks/` (2D slices at
   * that size, 256 x 256 by default; NIfTI volumes; DICOM series, de-identified before anything is stored) whose mask
   * class is `className` (default `foreground`) and whose PNG/TIFF/NIfTI images have `modality` (default `OT`; `CT`
   * means NIfTI in HU). A bad zip rejects with InvalidArgument naming the file at fault.
   */
  uploadDataset(
    input: {
      name: string;
      kind?: string;
      fileName: string;
      bytes: Uint8Array;
      sha256?: string;
      imageHeight?: number;
      imageWidth?: number;
      className?: string;
      modality?: string;
    },
    onProgress?: (sentBytes: number, totalBytes: number) => void,
  ): Promise<Dataset> {
    return new Promise<Dataset>((resolve, reject) => {
      const call = this.stub.uploadDataset(this.metadata, (err, value) => (err ? reject(fromGrpcError(err)) : resolve(value!)));
      call.write({
        header: {
          name: input.name,
          kind: input.kind ?? 'tabular-csv',
          fileName: input.fileName,
          sha256: input.sha256 ?? '',
          imageHeight: input.imageHeight ?? 0,
          imageWidth: input.imageWidth ?? 0,
          className: input.className ?? '',
          modality: input.modality ?? '',
        },
      });
      const bytes = Buffer.from(input.bytes.buffer, input.bytes.byteOffset, input.bytes.byteLength);
      for (let offset = 0; offset < bytes.length; offset += UPLOAD_CHUNK) {
        call.write({ data: bytes.subarray(offset, offset + UPLOAD_CHUNK) });
        onProgress?.(Math.min(offset + UPLOAD_CHUNK, bytes.length), bytes.length);
      }
      call.end();
    });
  }

  /**
   * Streams a job's history and then its live changes; the iterator ends when the job ends.
   * Breaking out of the loop cancels the stream.
   */
  async *watchJob(jobId: string, options: { signal?: AbortSignal } = {}): AsyncGenerator<JobUpdate> {
    const call = this.stub.watchJob({ jobId }, this.metadata);
    // An abort (e.g. the browser tab behind a server-sent-event stream closed) ends the stream at once, not at the
    // job's next update.
    const cancel = () => call.cancel();
    options.signal?.addEventListener('abort', cancel, { once: true });
    try {
      for await (const update of call as AsyncIterable<JobUpdate>) yield update;
    } catch (err) {
      if (options.signal?.aborted) return;
      throw fromGrpcError(err);
    } finally {
      options.signal?.removeEventListener('abort', cancel);
      call.cancel();
    }
  }

  /** Watches until the job ends and returns its final state with its latest metrics. */
  async waitForJob(jobId: string, onUpdate?: (update: JobUpdate) => void): Promise<Job> {
    for await (const update of this.watchJob(jobId)) onUpdate?.(update);
    return this.getJob(jobId);
  }
}

/** Joins a server stream of file chunks; a failed stream rejects with its TesseraClientError. */
async function collectChunks(call: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of call as AsyncIterable<{ data: Buffer }>) chunks.push(chunk.data);
  } catch (err) {
    throw fromGrpcError(err);
  }
  return Buffer.concat(chunks);
}

export const ENDED_STATES: ReadonlySet<string> = new Set(['JOB_STATE_SUCCEEDED', 'JOB_STATE_FAILED', 'JOB_STATE_CANCELLED']);
