import { EventEmitter } from 'node:events';
import type { JobEventRecord, JobRecord, MetricRecord } from '../store/job-store.ts';

export type JobUpdateMessage =
  | { type: 'job'; job: JobRecord }
  | { type: 'event'; event: JobEventRecord }
  | { type: 'metric'; metric: MetricRecord };

/**
 * In-process fan-out of one job's changes to its watchers (gRPC WatchJob streams). History comes from the store;
 * this bus only carries what happens after a watcher subscribed.
 */
export class JobUpdateBus {
  private readonly emitter = new EventEmitter();

  constructor() {
    // Every open WatchJob stream is a listener; hundreds of dashboard tabs are normal.
    this.emitter.setMaxListeners(0);
  }

  publish(jobId: string, message: JobUpdateMessage): void {
    this.emitter.emit(jobId, message);
  }

  subscribe(jobId: string, listener: (message: JobUpdateMessage) => void): () => void {
    this.emitter.on(jobId, listener);
    return () => this.emitter.off(jobId, listener);
  }
}
