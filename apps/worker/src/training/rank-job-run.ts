import * as tf from '@tensorflow/tfjs-core';
import { ringAllReduce } from '@tessera/core/collectives/ring-all-reduce';
import { parseJobSpec, type JobSpec } from '@tessera/core/jobs/job-spec';
import type { Logger } from '@tessera/core/logging/logger';
import type { AllReduceSum, FirstGradientsHook } from '@tessera/core/training/synchronous-update';
import type { TrainingState } from '@tessera/core/training/training-state';
import type { Assignment__Output } from '@tessera/proto/generated/tessera/workers/v1/Assignment';
import type { ObjectStore } from '@tessera/storage/object-store';
import type { JobRun, ReportFn } from '../agent/worker-agent.ts';
import type { WebgpuKernelChoice } from '../backends/webgpu-backend.ts';
import { GrpcPeerTransport } from '../peers/grpc-peer-transport.ts';
import type { PeerServer } from '../peers/peer-server.ts';
import { loadTrainingCheckpoint, saveTrainingCheckpoint } from './checkpoint-codec.ts';
import { webgpuCompileAhead, webgpuFirstStep, type CompileAheadHook } from './webgpu-first-step.ts';

/**
 * What every workload's runner shares: parsing the spec, the ring and its all-reduce, abort handling, failure
 * classification and the final report (start/finish), plus {@link TrainingReporter} for progress, metrics and
 * checkpoints from rank 0. A runner supplies only its data, model and trainer.
 */

export interface RunnerContext {
  peerServer: PeerServer;
  joinToken: string;
  objects: ObjectStore;
  cacheDir: string;
  log: Logger;
  /** `webgpuKernels`: on webgpu, how the kernels Tessera overrides are picked (`measure`: per job, see kernel-choice-probe.ts). */
  backend: { name: string; device: string; webgpuKernels?: WebgpuKernelChoice | undefined };
  /** A collective that takes longer than this fails the run: a peer is gone or stuck. */
  collectiveTimeoutMs: number;
}

/** What a workload's body gets: the parsed spec, its rank, a lazily opened ring, and where to register cleanup. */
export interface RankScope {
  readonly spec: JobSpec;
  readonly rank: number;
  readonly worldSize: number;
  readonly signal: AbortSignal;
  readonly log: Logger;
  /** Connects to the ring (once) and returns the all-reduce every trainer step calls. */
  readonly openRing: () => AllReduceSum;
  /** Runs after the body, success or failure, in reverse order. */
  readonly defer: (dispose: () => void) => void;
  /** For the trainer's `onFirstGradients`: on webgpu, compiling the step's shaders ahead and the kernel choice. */
  readonly onFirstGradients: FirstGradientsHook | undefined;
  /** For passes that are not training steps (bottleneck features): on webgpu, compiling their shaders ahead. */
  readonly compileAhead: CompileAheadHook | undefined;
}

/** Why a run stopped on purpose (cancellation, new generation): not an error to report. */
export class RunAborted extends Error {}

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

/** Runs `body` as one rank of the assignment: failures are reported (ring breaks marked), aborts are silent. */
export function runRankJob(
  assignment: Assignment__Output,
  report: ReportFn,
  throughput: (samplesPerSecond: number) => void,
  ctx: RunnerContext,
  body: (scope: RankScope) => Promise<void>,
): JobRun {
  const abort = new AbortController();
  const log = ctx.log.child({ jobId: assignment.jobId, generation: assignment.generation, rank: assignment.rank });
  let transport: GrpcPeerTransport | undefined;
  const disposals: Array<() => void> = [];

  const done = (async () => {
    // Why the run ended without finishing, for the ring: peers still in a collective then fail at once (see close()).
    let leaveReason: Error | undefined;
    try {
      const parsed = parseJobSpec(JSON.parse(assignment.specJson));
      if (!parsed.ok) throw new Error(`job spec: ${parsed.field}: ${parsed.message}`);
      const { rank, worldSize } = assignment;
      await report({ info: `rank ${rank}/${worldSize} starting on ${ctx.backend.name} (${ctx.backend.device})` });
      let allReduce: AllReduceSum | undefined;
      await body({
        spec: parsed.spec,
        rank,
        worldSize,
        signal: abort.signal,
        log,
        defer: (dispose) => disposals.push(dispose),
        onFirstGradients: webgpuFirstStep({ backend: ctx.backend, rank, log, report }),
        compileAhead: webgpuCompileAhead({ backend: ctx.backend, log }),
        openRing: () => {
          if (allReduce) return allReduce;
          const ring = new GrpcPeerTransport({
            server: ctx.peerServer,
            jobId: assignment.jobId,
            generation: assignment.generation,
            rank,
            worldSize,
            peerAddresses: assignment.peerAddresses,
            joinToken: ctx.joinToken,
          });
          transport = ring;
          let call = 0;
          allReduce = async (flat) => {
            const started = performance.now();
            const tag = `g${call++}`;
            const reduced = await ringAllReduce(ring, flat, { tag, op: 'sum', timeoutMs: ctx.collectiveTimeoutMs, signal: abort.signal });
            // Time in the collective includes waiting for the slowest rank to arrive: compute imbalance shows here.
            log.debug('all-reduce', { tag, floats: flat.length, ms: Math.round(performance.now() - started) });
            return reduced;
          };
          return allReduce;
        },
      });
    } catch (err) {
      leaveReason = err instanceof Error ? err : new Error(String(err));
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
      await transport?.close(leaveReason).catch(() => undefined);
      for (const dispose of disposals.reverse()) dispose();
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

export interface ReportedMetric {
  readonly split: string;
  readonly name: string;
  readonly value: number;
}

export interface TrainingReporterOptions {
  readonly rank: number;
  readonly report: ReportFn;
  readonly throughput: (samplesPerSecond: number) => void;
  readonly objects: ObjectStore;
  readonly checkpointPrefix: string;
  readonly totalSteps: number;
  readonly totalEpochs: number;
  /** Samples this rank processes per step, for the throughput figure. */
  readonly localSamplesPerStep: number;
  readonly checkpointEveryEpochs: number;
  readonly trainer: { readonly step: number; readonly epoch: number; saveTrainingState(): Promise<TrainingState> };
  readonly log?: Logger | undefined;
}

/**
 * Progress, metrics and checkpoints of one rank, as the trainers' hooks call them: throughput every second, step
 * reports from rank 0 at most every 250 ms, epoch metrics and checkpoints every `checkpointEveryEpochs` and at the end
 * of every training phase from rank 0 (so each phase of a transfer-learning job leaves a checkpoint), an event per
 * phase change, and a final report (with a last checkpoint unless one was just written) from every rank.
 */
export class TrainingReporter {
  private lastReport = 0;
  private lastCheckpointStep = -1;
  private windowStart = performance.now();
  private windowSteps = 0;

  constructor(private readonly options: TrainingReporterOptions) {}

  readonly onStep = async ({ step, loss }: { step: number; loss: number }): Promise<void> => {
    const o = this.options;
    this.windowSteps++;
    const now = performance.now();
    if (now - this.windowStart >= 1_000) {
      o.throughput((this.windowSteps * o.localSamplesPerStep * 1000) / (now - this.windowStart));
      this.windowStart = now;
      this.windowSteps = 0;
    }
    if (o.rank === 0 && (now - this.lastReport >= STEP_REPORT_INTERVAL_MS || step === o.totalSteps)) {
      this.lastReport = now;
      await o.report({ step, totalSteps: o.totalSteps, epoch: o.trainer.epoch, totalEpochs: o.totalEpochs, metrics: [{ split: 'train', name: 'step_loss', value: loss }] });
    }
  };

  readonly onEpoch = async ({ epoch, step, metrics, phaseEnd }: EpochProgress): Promise<void> => {
    const o = this.options;
    if (o.rank !== 0) return;
    const due = (epoch % o.checkpointEveryEpochs === 0 || phaseEnd === true) && step < o.totalSteps;
    const checkpointKey = due ? await this.checkpoint() : '';
    await o.report({ step, totalSteps: o.totalSteps, epoch, totalEpochs: o.totalEpochs, metrics: toProto(metrics), checkpointKey });
  };

  /** A training phase begins or resumes: a log line on every rank, an event from rank 0. */
  readonly onPhase = async ({ message }: { message: string }): Promise<void> => {
    this.options.log?.info('training phase', { phase: message });
    if (this.options.rank === 0) await this.options.report({ info: message });
  };

  /** The final report of a completed run; rank 0 writes the last checkpoint. */
  async finish(result: { step: number; epoch: number; metrics: readonly ReportedMetric[] }): Promise<void> {
    const o = this.options;
    const finalKey = o.rank === 0 && this.lastCheckpointStep !== o.trainer.step ? await this.checkpoint() : '';
    await o.report({ step: result.step, totalSteps: o.totalSteps, epoch: result.epoch, totalEpochs: o.totalEpochs, metrics: toProto(result.metrics), checkpointKey: finalKey, finished: true });
  }

  private async checkpoint(): Promise<string> {
    const key = await saveTrainingCheckpoint(this.options.objects, this.options.checkpointPrefix, await this.options.trainer.saveTrainingState());
    this.lastCheckpointStep = this.options.trainer.step;
    return key;
  }
}

/** An epoch's end as trainers report it; `phaseEnd`: the last epoch of a training phase (image jobs with phases). */
export interface EpochProgress {
  readonly epoch: number;
  readonly step: number;
  readonly metrics: readonly ReportedMetric[];
  readonly phaseEnd?: boolean | undefined;
}

/** What `trainToCompletion` needs of a trainer; both the tabular and the image trainer are one. */
export interface RankTrainer {
  readonly step: number;
  readonly epoch: number;
  readonly totalSteps: number;
  saveTrainingState(): Promise<TrainingState>;
  restoreTrainingState(state: TrainingState): Promise<void>;
  run(hooks: {
    signal: AbortSignal;
    onStep: (progress: { step: number; loss: number }) => Promise<void>;
    onEpoch: (progress: EpochProgress) => Promise<void>;
    /** Called by trainers with phases when one begins or resumes. */
    onPhase: (change: { message: string }) => Promise<void>;
  }): Promise<{ status: 'completed' | 'stopped'; step: number; epoch: number; metrics: readonly ReportedMetric[] }>;
}

/**
 * The common life of a rank once its trainer is built: resume from the assignment's checkpoint if it names one,
 * train to the end with progress, metrics and checkpoints reported, and send the final report. A stop (cancellation,
 * new generation) throws `RunAborted`.
 */
export async function trainToCompletion(
  trainer: RankTrainer,
  run: {
    assignment: Assignment__Output;
    report: ReportFn;
    throughput: (samplesPerSecond: number) => void;
    objects: ObjectStore;
    spec: { training: { epochs: number; batchSize: number }; checkpoint: { everyEpochs: number } };
    rank: number;
    worldSize: number;
    signal: AbortSignal;
    log?: Logger;
  },
): Promise<void> {
  const { assignment, report, rank } = run;
  if (assignment.resumeCheckpointKey) {
    await trainer.restoreTrainingState(await loadTrainingCheckpoint(run.objects, assignment.resumeCheckpointKey));
    await report({ info: `rank ${rank} resumed from ${assignment.resumeCheckpointKey} at step ${trainer.step}` });
  }
  const reporter = new TrainingReporter({
    rank,
    report,
    throughput: run.throughput,
    objects: run.objects,
    checkpointPrefix: assignment.checkpointPrefix,
    totalSteps: trainer.totalSteps,
    totalEpochs: run.spec.training.epochs,
    localSamplesPerStep: Math.ceil(run.spec.training.batchSize / run.worldSize),
    checkpointEveryEpochs: run.spec.checkpoint.everyEpochs,
    trainer,
    log: run.log,
  });
  const result = await trainer.run({ signal: run.signal, onStep: reporter.onStep, onEpoch: reporter.onEpoch, onPhase: reporter.onPhase });
  if (result.status === 'stopped') throw new RunAborted(String(run.signal.reason ?? 'stopped'));
  await reporter.finish(result);
}

function toProto(metrics: readonly ReportedMetric[]): ReportedMetric[] {
  return metrics.map((m) => ({ split: m.split, name: m.name, value: m.value }));
}
