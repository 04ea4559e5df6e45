import { fork, type ChildProcess } from 'node:child_process';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ringAllReduce } from '@tessera/core/collectives/ring-all-reduce';
import { buildVgg16 } from '@tessera/core/models/vgg16';
import { SynchronousUpdate } from '@tessera/core/training/synchronous-update';
import { GrpcPeerTransport } from '@tessera/worker/peers/grpc-peer-transport';
import { PeerServer } from '@tessera/worker/peers/peer-server';
import type { BenchSizes } from './bench-sizes.ts';
import { timingOf, type Timing } from './gpu-result.ts';

/** One rank of the data-parallel run: the backend and device it trained on, and its step times. */
export interface RankFigures {
  readonly rank: number;
  readonly backend: string;
  readonly device: string;
  readonly localBatch: number;
  readonly step: Timing;
}

/** VGG16 trained by `ranks` worker processes on this machine, each its own backend, over the real gRPC ring. */
export interface DataParallelFigures {
  readonly ranks: readonly RankFigures[];
  readonly globalBatch: number;
  /** Global batch ÷ the slowest rank's median step. */
  readonly totalImgPerSec: number;
  readonly imgPerSecPerWorker: number;
  /** Floats all-reduced per step: every parameter and the loss. */
  readonly allReduceFloats: number;
}

type ToParent =
  | { type: 'listening'; port: number }
  | { type: 'timed'; figures: RankFigures; allReduceFloats: number }
  | { type: 'failed'; message: string };
type ToRank = { type: 'ring'; addresses: string[] };

const joinToken = 'bench-gpu';

/**
 * Runs `ranks` copies of `script` with `--rank R --ranks N` (each one calls {@link runDataParallelRank}), gives them
 * each other's peer addresses, and collects their step times. Every rank selects its backend as a worker does.
 */
export async function measureDataParallel(script: string, ranks: number, log: (line: string) => void): Promise<DataParallelFigures> {
  const children = Array.from({ length: ranks }, (_, rank) =>
    fork(script, ['--rank', String(rank), '--ranks', String(ranks)], { execArgv: process.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }),
  );
  try {
    const listening = await Promise.all(children.map((child) => next(child, 'listening')));
    const addresses = listening.map((m) => `127.0.0.1:${m.port}`);
    log(`data-parallel: ${ranks} ranks listening on ${addresses.join(', ')}`);
    for (const child of children) child.send({ type: 'ring', addresses } satisfies ToRank);
    const timed = await Promise.all(children.map((child) => next(child, 'timed')));
    const figures = timed.map((m) => m.figures);
    const globalBatch = figures.reduce((sum, r) => sum + r.localBatch, 0);
    const slowest = Math.max(...figures.map((r) => r.step.medianMs));
    const totalImgPerSec = (globalBatch * 1000) / slowest;
    return { ranks: figures, globalBatch, totalImgPerSec, imgPerSecPerWorker: totalImgPerSec / ranks, allReduceFloats: timed[0]!.allReduceFloats };
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill();
  }
}

function next<T extends ToParent['type']>(child: ChildProcess, type: T): Promise<Extract<ToParent, { type: T }>> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: ToParent) => {
      cleanup();
      if (message.type === 'failed') reject(new Error(`rank process failed: ${message.message}`));
      else if (message.type !== type) reject(new Error(`rank process sent ${message.type}, expected ${type}`));
      else resolve(message as Extract<ToParent, { type: T }>);
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(new Error(`rank process exited (${code}) before sending ${type}; its stderr is above`));
    };
    const cleanup = () => {
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

/**
 * The body of one rank (a child process, tfjs already on its backend): a peer server, the ring, then VGG16 steps with
 * this rank's share of the global batch through SynchronousUpdate — the worker's own step: gradients read back
 * together, one ring all-reduce of the fusion buffer, the fused update on webgpu.
 */
export async function runDataParallelRank(
  rank: number,
  ranks: number,
  sizes: BenchSizes,
  selection: { backend: string; device: string },
  log: (line: string) => void,
): Promise<void> {
  const send = (message: ToParent) => process.send?.(message);
  try {
    const server = await PeerServer.start({ host: '127.0.0.1', port: 0, joinToken });
    const ringMessage = new Promise<ToRank>((resolve) => process.once('message', (m: ToRank) => resolve(m)));
    send({ type: 'listening', port: server.port });
    const { addresses } = await ringMessage;
    const ring = new GrpcPeerTransport({ server, jobId: 'bench-gpu', generation: 1, rank, worldSize: ranks, peerAddresses: addresses, joinToken });
    const side = sizes.imageSize;
    const localBatch = Math.floor(((rank + 1) * sizes.trainBatch) / ranks) - Math.floor((rank * sizes.trainBatch) / ranks);
    const model = buildVgg16({ inputShape: [side, side, 3], classes: sizes.classes, seed: 1 });
    const x = tf.randomUniform<tf.Rank.R4>([localBatch, side, side, 3], -1, 1, 'float32', 10 + rank);
    const labels = tf.oneHot(tf.tensor1d(Array.from({ length: localBatch }, (_, i) => (i * 7919 + rank) % sizes.classes), 'int32'), sizes.classes);
    let call = 0;
    const update = new SynchronousUpdate({
      model,
      optimizer: 'sgd',
      learningRate: 0.01,
      worldSize: ranks,
      allReduceSum: (flat) => ringAllReduce(ring, flat, { tag: `g${call++}`, op: 'sum', timeoutMs: 600_000 }),
    });
    const loss = () =>
      tf.div<tf.Scalar>(tf.sum(tfl.metrics.categoricalCrossentropy(labels, model.apply(x, { training: true }) as tf.Tensor)), sizes.trainBatch);
    const samplesMs: number[] = [];
    for (let i = 0; i < sizes.warmup + sizes.trainReps; i++) {
      const start = performance.now();
      const value = await update.step(loss);
      const ms = performance.now() - start;
      if (i >= sizes.warmup) samplesMs.push(ms);
      if (rank === 0) log(`data-parallel: step ${i + 1}/${sizes.warmup + sizes.trainReps} ${ms.toFixed(0)} ms, global loss ${value.toFixed(4)}`);
    }
    send({
      type: 'timed',
      figures: { rank, backend: selection.backend, device: selection.device, localBatch, step: timingOf(samplesMs) },
      allReduceFloats: update.fusionBufferLength,
    });
    await ring.close();
    await server.close();
  } catch (error) {
    send({ type: 'failed', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  }
}
