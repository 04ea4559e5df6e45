import { Worker } from 'node:worker_threads';
import type { Logger } from '@tessera/core/logging/logger';
import type { HeartbeatRequest } from '@tessera/proto/generated/tessera/workers/v1/HeartbeatRequest';
import { CoordinatorLinkError, type CoordinatorLink } from './coordinator-link.ts';

/**
 * How a worker tells the coordinator it is alive. The agent hands over a `state` function (worker, job,
 * generation, throughput) and is called back when the coordinator no longer knows the worker.
 */
export interface Heartbeats {
  start(intervalMs: number, state: () => HeartbeatRequest, onUnknownWorker: () => void): void;
  stop(): void;
}

/** Heartbeats from a timer on the calling thread: they stop whenever that thread is busy (a long tfjs kernel). */
export class InThreadHeartbeats implements Heartbeats {
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly link: CoordinatorLink) {}

  start(intervalMs: number, state: () => HeartbeatRequest, onUnknownWorker: () => void): void {
    this.stop();
    this.timer = setInterval(() => {
      this.link.heartbeat(state()).catch((err: unknown) => {
        if (err instanceof CoordinatorLinkError && err.error.kind === 'Unknown worker') onUnknownWorker();
      });
    }, intervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}

/** What the heartbeat thread is started with (workerData). */
export interface HeartbeatThreadData {
  address: string;
  joinToken: string;
  intervalMs: number;
  stallLimitMs: number;
}

/** Messages between the agent and its heartbeat thread. */
export type ToHeartbeatThread = { kind: 'state'; state: HeartbeatRequest };
export type FromHeartbeatThread = { kind: 'unknown-worker' } | { kind: 'stalled'; sinceMs: number } | { kind: 'resumed' };

/**
 * Heartbeats from their own thread (its own event loop and gRPC channel), so that a training step that holds the
 * main thread for longer than the coordinator's heartbeat timeout (VGG16 at 224x224 on a CPU: tens of seconds per
 * step; tfjs kernels are synchronous) does not get a healthy worker declared lost. The main thread posts the
 * current state every interval; that post is also its sign of life: if none arrives for `stallLimitMs`
 * (TESSERA_STALL_LIMIT_MS, default 10 minutes) the thread stops beating, so a main thread that hangs for good is
 * still found lost, only later. A dead process takes the thread with it, so crashes are detected as before.
 */
export class ThreadHeartbeats implements Heartbeats {
  private thread: Worker | undefined;
  private ticker: NodeJS.Timeout | undefined;

  constructor(
    private readonly options: { address: string; joinToken: string; stallLimitMs: number; log: Logger },
  ) {}

  start(intervalMs: number, state: () => HeartbeatRequest, onUnknownWorker: () => void): void {
    this.stop();
    const data: HeartbeatThreadData = { address: this.options.address, joinToken: this.options.joinToken, intervalMs, stallLimitMs: this.options.stallLimitMs };
    const thread = new Worker(new URL('./heartbeat-thread-entry.mjs', import.meta.url), { workerData: data });
    thread.unref();
    thread.on('message', (message: FromHeartbeatThread) => {
      if (message.kind === 'unknown-worker') onUnknownWorker();
      else if (message.kind === 'stalled') this.options.log.warn('main thread unresponsive: heartbeats paused', { sinceMs: message.sinceMs });
      else this.options.log.info('main thread responsive again: heartbeats resumed');
    });
    thread.on('error', (err) => this.options.log.error('heartbeat thread failed', { err }));
    const post = () => thread.postMessage({ kind: 'state', state: state() } satisfies ToHeartbeatThread);
    post();
    this.ticker = setInterval(post, intervalMs);
    this.ticker.unref();
    this.thread = thread;
  }

  stop(): void {
    clearInterval(this.ticker);
    this.ticker = undefined;
    void this.thread?.terminate();
    this.thread = undefined;
  }
}
