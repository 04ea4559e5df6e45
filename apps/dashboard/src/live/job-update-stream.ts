import 'server-only';
import type { TesseraClient } from '@tessera/client/tessera-client';
import { toUpdateView, toWorkerThroughput, type UpdateView } from './job-view.ts';

/** How often the per-worker throughput is re-read while a job streams (workers report it with their heartbeats). */
const WORKERS_EVERY_MS = 2_000;

/**
 * Bridges one WatchJob stream to Server-Sent Events for one browser tab. Updates that arrive together (the history
 * replay, a step and its metrics) go out as one `updates` message on the next turn of the event loop, so a replay of
 * 10,000 points is a few messages and a live step is sent at once. Messages: `reset` (first: forget what you have,
 * this is a fresh replay), `updates` (UpdateView[]), `workers` (WorkerThroughputView[]), `end` (the job ended) and
 * `failure` ({ kind, message }). Cancelling the response (tab closed) cancels the gRPC watch at once.
 */
export function jobUpdateStream(client: TesseraClient, jobId: string): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let closed = false;
  let timer: ReturnType<typeof setInterval> | undefined;
  const abort = new AbortController();
  return new ReadableStream<Uint8Array>({
    async start(controller) {
      const send = (event: string, data: unknown) => {
        if (!closed) controller.enqueue(encoder.encode(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`));
      };
      let pending: UpdateView[] = [];
      let flushQueued = false;
      const flush = () => {
        flushQueued = false;
        if (pending.length === 0) return;
        send('updates', pending);
        pending = [];
      };
      let workerIds: string[] = [];
      const sendWorkers = async () => {
        const workers = await client.listWorkers().catch(() => undefined);
        if (workers) send('workers', toWorkerThroughput(workers, { id: jobId, workerIds }));
      };
      send('reset', {});
      timer = setInterval(() => void sendWorkers(), WORKERS_EVERY_MS);
      try {
        for await (const update of client.watchJob(jobId, { signal: abort.signal })) {
          if (closed) break;
          const view = toUpdateView(update);
          if (!view) continue;
          if ('job' in view && view.job.workerIds.join() !== workerIds.join()) {
            // New ranks: show their throughput now rather than at the next tick.
            workerIds = view.job.workerIds;
            void sendWorkers();
          }
          pending.push(view);
          if (!flushQueued) {
            flushQueued = true;
            setImmediate(flush);
          }
        }
        flush();
        await sendWorkers();
        send('end', {});
      } catch (err) {
        flush();
        send('failure', { kind: (err as { kind?: string }).kind ?? 'Internal', message: (err as Error).message });
      } finally {
        clearInterval(timer);
        if (!closed) {
          closed = true;
          controller.close();
        }
      }
    },
    cancel() {
      closed = true;
      clearInterval(timer);
      abort.abort();
    },
  });
}
