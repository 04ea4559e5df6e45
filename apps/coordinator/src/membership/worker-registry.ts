import type { Clock } from '@tessera/core/time/clock';
import type { AssignmentMessage } from '@tessera/proto/generated/tessera/workers/v1/AssignmentMessage';

/** Where a worker's assignments go: its open StreamAssignments call. */
export interface AssignmentSink {
  send(message: AssignmentMessage): void;
  end(): void;
}

export interface LiveWorker {
  id: string;
  lastHeartbeatAt: number;
  sink?: AssignmentSink;
  /** The message to replay if the worker reopens its stream (its current assignment). */
  current?: AssignmentMessage;
}

/**
 * Liveness of workers, in memory (the store holds the durable record). A worker is lost when it has not sent a
 * heartbeat for `timeoutMs`; `onLost` fires once per loss, from a sweep every `sweepMs`.
 */
export class WorkerRegistry {
  private readonly workers = new Map<string, LiveWorker>();
  private sweeper: { cancel(): void } | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly options: { timeoutMs: number; sweepMs: number; onLost: (workerId: string, silentMs: number) => void },
  ) {}

  start(): void {
    this.sweeper = this.clock.setInterval(() => this.sweep(), this.options.sweepMs);
  }

  stop(): void {
    this.sweeper?.cancel();
    for (const w of this.workers.values()) w.sink?.end();
    this.workers.clear();
  }

  /** Registers (or re-registers) a worker and counts that as a heartbeat. */
  join(workerId: string): LiveWorker {
    const existing = this.workers.get(workerId);
    if (existing) {
      existing.lastHeartbeatAt = this.clock.now();
      return existing;
    }
    const live: LiveWorker = { id: workerId, lastHeartbeatAt: this.clock.now() };
    this.workers.set(workerId, live);
    return live;
  }

  /** Returns false for a worker the registry does not know (lost or never registered): it must register again. */
  heartbeat(workerId: string): boolean {
    const live = this.workers.get(workerId);
    if (!live) return false;
    live.lastHeartbeatAt = this.clock.now();
    return true;
  }

  get(workerId: string): LiveWorker | undefined {
    return this.workers.get(workerId);
  }

  /** Workers that are alive and listening for assignments. */
  reachableIds(): string[] {
    return [...this.workers.values()].filter((w) => w.sink).map((w) => w.id);
  }

  attach(workerId: string, sink: AssignmentSink): boolean {
    const live = this.workers.get(workerId);
    if (!live) return false;
    if (live.sink && live.sink !== sink) live.sink.end();
    live.sink = sink;
    if (live.current) sink.send(live.current);
    return true;
  }

  detach(workerId: string, sink: AssignmentSink): void {
    const live = this.workers.get(workerId);
    if (live?.sink === sink) live.sink = undefined;
  }

  /** Sends a message to a worker; an assignment is remembered and replayed on reconnect, a cancellation clears it. */
  send(workerId: string, message: AssignmentMessage): void {
    const live = this.workers.get(workerId);
    if (!live) return;
    live.current = message.assignment ? message : undefined;
    live.sink?.send(message);
  }

  /** Forgets a worker now (e.g. it re-registered after a crash); no `onLost` callback. */
  remove(workerId: string): void {
    const live = this.workers.get(workerId);
    live?.sink?.end();
    this.workers.delete(workerId);
  }

  private sweep(): void {
    const now = this.clock.now();
    for (const w of [...this.workers.values()]) {
      const silent = now - w.lastHeartbeatAt;
      if (silent > this.options.timeoutMs) {
        this.remove(w.id);
        this.options.onLost(w.id, silent);
      }
    }
  }
}
