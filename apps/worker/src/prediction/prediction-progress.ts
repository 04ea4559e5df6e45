import type { ReportFn } from '../agent/worker-agent.ts';

/** How often rank 0 tells the coordinator how many items it has predicted (each report is one RPC). */
const PROGRESS_INTERVAL_MS = 250;

/**
 * What a prediction rank calls after each item (image or case) with the count done: the rank's throughput every
 * time, and from rank 0 a progress report at most every 250 ms and at its last item. Start it just before predicting.
 */
export function predictionProgress(o: {
  readonly rank: number;
  /** This rank's items. */
  readonly total: number;
  readonly report: ReportFn;
  readonly throughput: (samplesPerSecond: number) => void;
}): (done: number) => Promise<void> {
  let lastReport = 0;
  const started = performance.now();
  return async (done) => {
    const now = performance.now();
    o.throughput((done * 1000) / Math.max(1, now - started));
    if (o.rank !== 0 || (now - lastReport < PROGRESS_INTERVAL_MS && done < o.total)) return;
    lastReport = now;
    await o.report({ step: done, totalSteps: o.total });
  };
}
