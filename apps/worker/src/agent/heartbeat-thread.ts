import { parentPort, workerData } from 'node:worker_threads';
import type { HeartbeatRequest } from '@tessera/proto/generated/tessera/workers/v1/HeartbeatRequest';
import { CoordinatorLink, CoordinatorLinkError } from './coordinator-link.ts';
import type { FromHeartbeatThread, HeartbeatThreadData, ToHeartbeatThread } from './heartbeats.ts';

/** The body of the heartbeat thread (see ThreadHeartbeats): beats with the last state the main thread posted. */
const data = workerData as HeartbeatThreadData;
const port = parentPort;
if (port === null) throw new Error('heartbeat-thread.ts runs only as a worker thread');
const link = new CoordinatorLink(data.address, data.joinToken);
let state: HeartbeatRequest | undefined;
let lastPost = Date.now();
let stalled = false;
const tell = (message: FromHeartbeatThread) => port.postMessage(message);

port.on('message', (message: ToHeartbeatThread) => {
  state = message.state;
  lastPost = Date.now();
  if (stalled) {
    stalled = false;
    tell({ kind: 'resumed' });
  }
});

setInterval(() => {
  if (state === undefined) return;
  const silentMs = Date.now() - lastPost;
  if (silentMs > data.stallLimitMs) {
    if (!stalled) tell({ kind: 'stalled', sinceMs: silentMs });
    stalled = true;
    return;
  }
  link.heartbeat(state).catch((err: unknown) => {
    if (err instanceof CoordinatorLinkError && err.error.kind === 'Unknown worker') tell({ kind: 'unknown-worker' });
  });
}, data.intervalMs);
