import * as tf from '@tensorflow/tfjs-core';
import { ringAllReduce } from '@tessera/core/collectives/ring-all-reduce';
import { parseCsvTable } from '@tessera/core/data/csv-table';
import { prepareTabularDataset } from '@tessera/core/data/tabular-dataset';
import { parseJobSpec, type TabularClassificationSpec } from '@tessera/core/jobs/job-spec';
import type { Logger } from '@tessera/core/logging/logger';
import { buildMlp } from '@tessera/core/models/mlp';
import { DataParallelTrainer, type MetricValue } from '@tessera/core/training/data-parallel-trainer';
import type { Assignment__Output } from '@tessera/proto/generated/tessera/workers/v1/Assignment';
import type { ObjectStore } from '@tessera/storage/object-store';
import type { JobRun, ReportFn } from '../agent/worker-agent.ts';
import { GrpcPeerTransport } from '../peers/grpc-peer-transport.ts';
import type { PeerServer } from '../peers/peer-server.ts';
import { loadTrainingCheckpoint, saveTrainingCheckpoint } from './checkpoint-codec.ts';
import { readDatasetThroughCache } from './dataset-cache.ts';

export interface RunnerContext {
  peerServer: PeerServer;
  joinToken: string;
  objects: ObjectStore;
  cacheDir: string;
  log: Logger;
  backend: { name: string; device: string };
  /** A collective that takes longer than this fails the run: a peer is gone or stuck. */
  collectiveTimeoutMs: number;
}

/** How often rank 0 tells the coordinator about progress between epochs (each report is one RPC). */
const STEP_REPORT_INTERVAL_MS = 250;

/**
 * Whether a failure is the ring's rather than the job's (horovod's HorovodInternalError): a lost peer or a
 * collective timeout ends this generation, and the coordinator re-forms the ring or fails the job.
 */
function ringBreak(err: unknown, workerIds: readonly string[]): { lostPeer: string } | undefined {
  const kind = (err as { kind?: unknown } | undefined)?.kind;
  if (kind === 'PeerLost') return { lostPeer: workerIds[(err as { rank: number }).rank] ?? '' };
  if (kind === 'CollectiveTimeout' || kind === 'StaleGeneration') return { lostPeer: '' };
  return undefined;
}

/** Why a run stopped on purpose (cancellation, new generation): not an error to report. */
class RunAborted extends Error {}

/**
 * Runs one rank of a tabular-classification job: data from the store (cached by hash), the seeded MLP, ring
 * all-reduce over gRPC with its neighbours, checkpoints and metrics from rank 0, and a final report from every rank.
 */
export function runTabularJob(
  assignment: Assignment__Output,
  report: ReportFn,
  throughput: (samplesPerSecond: number) => void,
  ctx: RunnerContext,
): JobRun {
  const abort = new AbortController();
  const log = ctx.log.child({ jobId: assignment.jobId, generation: assignment.generation, rank: assignment.rank });
  let transport: GrpcPeerTransport | undefined;

  const done = (async () => {
    let trainer: DataParallelTrainer | undefined;
    let model: ReturnType<typeof buildMlp> | undefined;
    try {
      const parsed = parseJobSpec(JSON.parse(assignment.specJson));
      if (!parsed.ok) throw new Error(`job spec: ${parsed.field}: ${parsed.message}`);
      const spec: TabularClassificationSpec = parsed.spec;
      const { rank, worldSize } = assignment;
      await report({ info: `rank ${rank}/${worldSize} starting on ${ctx.backend.name} (${ctx.backend.device})` });

      const { fileName, bytes } = await readDatasetThroughCache(ctx.objects, assignment.datasetManifestKey, ctx.cacheDir);
      const csv = parseCsvTable(bytes.toString('utf8'), { fileName, labelColumn: spec.data.labelColumn, header: spec.data.header });
      if (!csv.ok) throw new Error(csv.error.message);
      const dataset = prepareTabularDataset(csv.table, {
        standardize: spec.data.standardize,
        stratify: spec.data.stratify,
        testFraction: spec.data.testFraction,
        splitSeed: spec.data.splitSeed,
      });
      model = buildMlp({ hidden: spec.model.hidden, inputSize: dataset.featureCount, classCount: dataset.classCount, seed: spec.training.seed });

      transport = new GrpcPeerTransport({
        server: ctx.peerServer,
        jobId: assignment.jobId,
        generation: assignment.generation,
        rank,
        worldSize,
        peerAddresses: assignment.peerAddresses,
        joinToken: ctx.joinToken,
      });
      const ring = transport;
      let call = 0;
      trainer = new DataParallelTrainer({
        spec,
        model,
        dataset,
        rank,
        worldSize,
        evaluate: rank === 0,
        allReduceSum: (flat) => ringAllReduce(ring, flat, { tag: `g${call++}`, op: 'sum', timeoutMs: ctx.collectiveTimeoutMs, signal: abort.signal }),
      });
      if (assignment.resumeCheckpointKey) {
        await trainer.restoreTrainingState(await loadTrainingCheckpoint(ctx.objects, assignment.resumeCheckpointKey));
        await report({ info: `rank ${rank} resumed from ${assignment.resumeCheckpointKey} at step ${trainer.step}` });
      }
      const totalSteps = trainer.totalSteps;
      const totalEpochs = spec.training.epochs;
      const localRows = Math.ceil(spec.training.batchSize / worldSize);
      let lastReport = 0;
      let lastCheckpointStep = -1;
      let windowStart = performance.now();
      let windowSteps = 0;

      const checkpoint = async (): Promise<string> => {
        const key = await saveTrainingCheckpoint(ctx.objects, assignment.checkpointPrefix, await trainer!.saveTrainingState());
        lastCheckpointStep = trainer!.step;
        return key;
      };
      const toProto = (metrics: readonly MetricValue[]) => metrics.map((m) => ({ split: m.split, name: m.name, value: m.value }));

      const result = await trainer.run({
        signal: abort.signal,
        onStep: async ({ step, loss }) => {
          windowSteps++;
          const now = performance.now();
          if (now - windowStart >= 1_000) {
            throughput((windowSteps * localRows * 1000) / (now - windowStart));
            windowStart = now;
            windowSteps = 0;
          }
          if (rank === 0 && (now - lastReport >= STEP_REPORT_INTERVAL_MS || step === totalSteps)) {
            lastReport = now;
            await report({ step, totalSteps, epoch: trainer!.epoch, totalEpochs, metrics: [{ split: 'train', name: 'step_loss', value: loss }] });
          }
        },
        onEpoch: async ({ epoch, step, metrics }) => {
          if (rank !== 0) return;
          const due = epoch % spec.checkpoint.everyEpochs === 0 && step < totalSteps;
          const checkpointKey = due ? await checkpoint() : '';
          await report({ step, totalSteps, epoch, totalEpochs, metrics: toProto(metrics), checkpointKey });
        },
      });
      if (result.status === 'stopped') throw new RunAborted(String(abort.signal.reason ?? 'stopped'));
      const finalKey = rank === 0 && lastCheckpointStep !== trainer.step ? await checkpoint() : '';
      await report({ step: result.step, totalSteps, epoch: result.epoch, totalEpochs, metrics: toProto(result.metrics), checkpointKey: finalKey, finished: true });
      log.info('run finished', { step: result.step });
    } catch (err) {
      if (abort.signal.aborted || err instanceof RunAborted) {
        log.info('run stopped', { reason: String(abort.signal.reason ?? (err as Error).message) });
        return;
      }
      const message = err instanceof Error ? err.message : String(err);
      const broken = ringBreak(err, assignment.workerIds);
      log.error(broken ? 'ring broke' : 'run failed', { err: message, lostPeer: broken?.lostPeer });
      await report({ finished: true, error: message, ringBroken: broken !== undefined, lostPeer: broken?.lostPeer ?? '' })
        .catch((e: unknown) => log.error('could not report the failure', { err: e }));
    } finally {
      throughput(0);
      await transport?.close().catch(() => undefined);
      trainer?.dispose();
      model?.dispose();
      log.debug('tensors after run', { numTensors: tf.memory().numTensors });
    }
  })();

  return {
    done,
    abort: (reason) => {
      if (abort.signal.aborted) return;
      abort.abort(reason);
      // Closing the transport rejects a collective that is waiting on a peer, so the run stops at once.
      void transport?.close(new Error(reason)).catch(() => undefined);
    },
  };
}
