import * as grpc from '@grpc/grpc-js';
import { contracts } from '@tessera/proto/contracts';
import type { Dataset__Output } from '@tessera/proto/generated/tessera/jobs/v1/Dataset';
import type { Job__Output } from '@tessera/proto/generated/tessera/jobs/v1/Job';
import type { JobServiceClient } from '@tessera/proto/generated/tessera/jobs/v1/JobService';
import type { JobState } from '@tessera/proto/generated/tessera/jobs/v1/JobState';
import type { JobUpdate__Output } from '@tessera/proto/generated/tessera/jobs/v1/JobUpdate';
import type { Worker__Output } from '@tessera/proto/generated/tessera/jobs/v1/Worker';
import { fromGrpcError } from './client-error.ts';

export type Job = Job__Output;
export type JobUpdate = JobUpdate__Output;
export type Worker = Worker__Output;
export type Dataset = Dataset__Output;

export interface ClientOptions {
  /** host:port of the coordinator. */
  address: string;
  /** An API token (not a join token). */
  token: string;
  /** Per-call deadline for unary calls; default 30 s. */
  deadlineMs?: number;
}

const UPLOAD_CHUNK = 1024 * 1024;

/**
 * Typed client for the public job API. Every call carries the token; failures reject with `TesseraClientError`.
 * One client holds one HTTP/2 connection: create it once and `close()` it when done.
 */
export class TesseraClient {
  private readonly stub: JobServiceClient;
  private readonly metadata: grpc.Metadata;

  constructor(private readonly options: ClientOptions) {
    const Service = contracts().jobs.tessera.jobs.v1.JobService;
    this.stub = new Service(options.address, grpc.credentials.createInsecure(), {
      'grpc.max_receive_message_length': 64 * 1024 * 1024,
    });
    this.metadata = new grpc.Metadata();
    this.metadata.set('authorization', `Bearer ${options.token}`);
  }

  close(): void {
    this.stub.close();
  }

  private unary<Req, Res>(method: string, request: Req): Promise<Res> {
    const deadline = Date.now() + (this.options.deadlineMs ?? 30_000);
    return new Promise<Res>((resolve, reject) => {
      const fn = (this.stub as unknown as Record<string, (r: Req, m: grpc.Metadata, o: grpc.CallOptions, cb: (e: grpc.ServiceError | null, v?: Res) => void) => void>)[method]!;
      fn.call(this.stub, request, this.metadata, { deadline }, (err, value) => (err ? reject(fromGrpcError(err)) : resolve(value as Res)));
    });
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

  async listJobs(options: { states?: JobState[]; limit?: number } = {}): Promise<Job[]> {
    const res = await this.unary<object, { jobs: Job[] }>('ListJobs', { states: options.states ?? [], limit: options.limit ?? 0 });
    return res.jobs;
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

  /** Streams a file's bytes to the coordinator, which stores and registers them. */
  uploadDataset(
    input: { name: string; kind?: string; fileName: string; bytes: Uint8Array; sha256?: string },
    onProgress?: (sentBytes: number, totalBytes: number) => void,
  ): Promise<Dataset> {
    return new Promise<Dataset>((resolve, reject) => {
      const call = this.stub.uploadDataset(this.metadata, (err, value) => (err ? reject(fromGrpcError(err)) : resolve(value!)));
      call.write({ header: { name: input.name, kind: input.kind ?? 'tabular-csv', fileName: input.fileName, sha256: input.sha256 ?? '' } });
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
  async *watchJob(jobId: string): AsyncGenerator<JobUpdate> {
    const call = this.stub.watchJob({ jobId }, this.metadata);
    try {
      for await (const update of call as AsyncIterable<JobUpdate>) yield update;
    } catch (err) {
      throw fromGrpcError(err);
    } finally {
      call.cancel();
    }
  }

  /** Watches until the job ends and returns its final state with its latest metrics. */
  async waitForJob(jobId: string, onUpdate?: (update: JobUpdate) => void): Promise<Job> {
    for await (const update of this.watchJob(jobId)) onUpdate?.(update);
    return this.getJob(jobId);
  }
}

export const ENDED_STATES: ReadonlySet<string> = new Set(['JOB_STATE_SUCCEEDED', 'JOB_STATE_FAILED', 'JOB_STATE_CANCELLED']);
