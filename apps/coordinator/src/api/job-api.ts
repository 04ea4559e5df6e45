import * as grpc from '@grpc/grpc-js';
import type { Logger } from '@tessera/core/logging/logger';
import type { JobServiceHandlers } from '@tessera/proto/generated/tessera/jobs/v1/JobService';
import type { JobUpdate } from '@tessera/proto/generated/tessera/jobs/v1/JobUpdate';
import type { UploadDatasetHeader__Output } from '@tessera/proto/generated/tessera/jobs/v1/UploadDatasetHeader';
import type { TokenAuthenticator } from '../auth/token-auth.ts';
import { CoordinatorError, toGrpcError } from '../errors/domain-error.ts';
import type { CheckpointService } from '../jobs/checkpoint-service.ts';
import type { DatasetService } from '../jobs/dataset-service.ts';
import { previewDataset } from '../jobs/dataset-preview.ts';
import { readJobResult } from '../jobs/prediction-jobs.ts';
import { listSegmentationCases } from '../jobs/segmentation-cases.ts';
import { isEnded, type JobManager } from '../jobs/job-manager.ts';
import type { JobUpdateBus, JobUpdateMessage } from '../jobs/job-update-bus.ts';
import type { ObjectStore } from '@tessera/storage/object-store';
import type { JobStore } from '../store/job-store.ts';
import { unary } from './grpc-handlers.ts';
import { streamSegmentationCase } from './segmentation-case-stream.ts';
import {
  jobStateFromProto, latestMetricValues, toProtoDataset, toProtoEvent, toProtoJob, toProtoMetric, toProtoWorker,
} from './job-messages.ts';

export interface JobApiDeps {
  auth: TokenAuthenticator;
  store: JobStore;
  jobs: JobManager;
  datasets: DatasetService;
  checkpoints: CheckpointService;
  objects: ObjectStore;
  bus: JobUpdateBus;
  log: Logger;
  uploadLimitBytes: number;
}

/** Checkpoint files leave in chunks of this size, well under gRPC's 4 MiB default message limit. */
const FILE_CHUNK = 1024 * 1024;

/** tessera.jobs.v1.JobService: the public API. Every call needs an API token or a live session. */
export function jobApiHandlers(deps: JobApiDeps): JobServiceHandlers {
  const { auth, store, jobs, datasets, log } = deps;
  const withMetrics = async (jobId: string) => latestMetricValues(await store.listMetrics(jobId));
  return {
    SubmitJob: unary(auth, 'api', log, 'SubmitJob', async (req) => {
      const job = await jobs.submit(req.specJson, req.idempotencyKey);
      return { job: toProtoJob(job) };
    }),
    GetJob: unary(auth, 'api', log, 'GetJob', async (req) => {
      const job = await jobs.get(req.jobId);
      return toProtoJob(job, await withMetrics(job.id));
    }),
    ListJobs: unary(auth, 'api', log, 'ListJobs', async (req) => {
      const states = req.states.map((s) => {
        const state = jobStateFromProto(s);
        if (!state) throw new CoordinatorError({ kind: 'InvalidArgument', field: 'states', message: `unknown state ${s}` });
        return state;
      });
      const limit = req.limit > 0 ? Math.min(req.limit, 1000) : 100;
      const list = await store.listJobs({ ...(states.length ? { states } : {}), limit, nameContains: req.nameContains });
      return { jobs: list.map((j) => toProtoJob(j)) };
    }),
    CancelJob: unary(auth, 'api', log, 'CancelJob', async (req) => toProtoJob(await jobs.cancel(req.jobId, req.reason))),
    ListWorkers: unary(auth, 'api', log, 'ListWorkers', async () => ({ workers: (await store.listWorkers()).map(toProtoWorker) })),
    RegisterDataset: unary(auth, 'api', log, 'RegisterDataset', async (req) => toProtoDataset(await datasets.register(req.name, req.sha256))),
    ListDatasets: unary(auth, 'api', log, 'ListDatasets', async () => ({ datasets: (await store.listDatasets()).map(toProtoDataset) })),
    UploadDataset: (call, callback) => {
      let header: UploadDatasetHeader__Output | undefined;
      const parts: Buffer[] = [];
      let size = 0;
      let failed = false;
      const fail = (err: unknown) => {
        if (failed) return;
        failed = true;
        callback(toGrpcError(err));
      };
      const authorized = auth.require(call.metadata, 'api');
      authorized.catch(fail);
      call.on('data', (msg: { header?: UploadDatasetHeader__Output | null; data?: Buffer; part?: string }) => {
        if (failed) return;
        if (msg.part === 'header' && msg.header) {
          header = msg.header;
        } else if (msg.data) {
          if (!header) return fail(new CoordinatorError({ kind: 'InvalidArgument', field: 'header', message: 'the first message must carry the header' }));
          size += msg.data.length;
          if (size > deps.uploadLimitBytes) return fail(new CoordinatorError({ kind: 'UploadTooLarge', limitBytes: deps.uploadLimitBytes }));
          parts.push(msg.data);
        }
      });
      call.on('error', fail);
      call.on('end', () => {
        void (async () => {
          try {
            await authorized;
            if (failed) return;
            if (!header) throw new CoordinatorError({ kind: 'InvalidArgument', field: 'header', message: 'missing' });
            callback(null, toProtoDataset(await datasets.upload(header, Buffer.concat(parts, size))));
          } catch (err) {
            fail(err);
          }
        })();
      });
    },
    WatchJob: (call) => void watchJob(deps, call),
    PreviewDataset: unary(auth, 'api', log, 'PreviewDataset', async (req) => {
      const preview = await previewDataset(store, deps.objects, req);
      return { ...preview, rows: preview.rows.map((cells) => ({ cells })) };
    }),
    ListCheckpoints: unary(auth, 'api', log, 'ListCheckpoints', async (req) => ({
      checkpoints: (await deps.checkpoints.list(req.jobId)).map((c) => ({
        step: c.step, manifestKey: c.manifestKey, createdAt: c.manifest.createdAt, sizeBytes: c.sizeBytes,
      })),
    })),
    ReadCheckpointFile: (call) => streamFile(deps, call, 'ReadCheckpointFile', () => deps.checkpoints.readFile(call.request.jobId, call.request.step, call.request.file)),
    ReadJobResult: (call) => streamFile(deps, call, 'ReadJobResult', async () => (await readJobResult(store, deps.objects, call.request.jobId)).bytes),
    ListSegmentationCases: unary(auth, 'api', log, 'ListSegmentationCases', (req) => listSegmentationCases(store, deps.objects, req)),
    ReadSegmentationCase: (call) => streamSegmentationCase(deps, call),
  };
}

/** Sends a file read by `read` (after the token check) in FILE_CHUNK pieces, honouring flow control; errors as status. */
function streamFile(deps: JobApiDeps, call: grpc.ServerWritableStream<unknown, { data: Buffer }>, rpc: string, read: () => Promise<Buffer>): void {
  void (async () => {
    try {
      await deps.auth.require(call.metadata, 'api');
      const bytes = await read();
      for (let offset = 0; offset < bytes.length && !call.cancelled; offset += FILE_CHUNK) {
        // Respect HTTP/2 flow control: wait for the client to drain before queueing more.
        if (!call.write({ data: bytes.subarray(offset, offset + FILE_CHUNK) })) await new Promise((resolve) => call.once('drain', resolve));
      }
      call.end();
    } catch (err) {
      const status = toGrpcError(err);
      if (status.code === grpc.status.INTERNAL) deps.log.error('rpc failed', { rpc, err });
      call.emit('error', status);
    }
  })();
}

/**
 * Replays a job's history, then streams live changes until the job ends. Subscribes before reading history so
 * nothing falls between the two; duplicates are dropped by event seq and metric identity.
 */
async function watchJob(deps: JobApiDeps, call: grpc.ServerWritableStream<{ jobId: string }, JobUpdate>): Promise<void> {
  const { auth, store, jobs, bus } = deps;
  const pending: JobUpdateMessage[] = [];
  let live = false;
  let lastSeq = 0;
  const seenMetrics = new Set<string>();
  let unsubscribe = (): void => undefined;
  const finish = () => {
    unsubscribe();
    call.end();
  };
  const emit = (message: JobUpdateMessage): boolean => {
    switch (message.type) {
      case 'event':
        if (message.event.seq <= lastSeq) return false;
        lastSeq = message.event.seq;
        call.write({ event: toProtoEvent(message.event) });
        return false;
      case 'metric': {
        const key = `${message.metric.step}/${message.metric.split}/${message.metric.name}`;
        if (seenMetrics.has(key)) return false;
        seenMetrics.add(key);
        call.write({ metric: toProtoMetric(message.metric) });
        return false;
      }
      case 'job':
        call.write({ job: toProtoJob(message.job) });
        return isEnded(message.job.state);
    }
  };
  try {
    await auth.require(call.metadata, 'api');
    const jobId = call.request.jobId;
    unsubscribe = bus.subscribe(jobId, (m) => {
      if (!live) pending.push(m);
      else if (emit(m)) finish();
    });
    call.on('cancelled', () => unsubscribe());
    const job = await jobs.get(jobId);
    const [events, metrics] = await Promise.all([store.listEvents(jobId), store.listMetrics(jobId)]);
    call.write({ job: toProtoJob(job, latestMetricValues(metrics)) });
    for (const event of events) emit({ type: 'event', event });
    for (const metric of metrics) emit({ type: 'metric', metric });
    let ended = isEnded(job.state);
    for (const m of pending) ended = emit(m) || ended;
    live = true;
    if (ended) finish();
  } catch (err) {
    unsubscribe();
    // grpc-js sends a server stream's status from an 'error' event carrying code and details.
    call.emit('error', toGrpcError(err));
  }
}
