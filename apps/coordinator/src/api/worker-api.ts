import os from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Logger } from '@tessera/core/logging/logger';
import type { WorkerServiceHandlers } from '@tessera/proto/generated/tessera/workers/v1/WorkerService';
import type { TokenAuthenticator } from '../auth/token-auth.ts';
import { CoordinatorError, toGrpcError } from '../errors/domain-error.ts';
import type { JobManager } from '../jobs/job-manager.ts';
import type { AssignmentSink, WorkerRegistry } from '../membership/worker-registry.ts';
import type { JobStore } from '../store/job-store.ts';
import { unary } from './grpc-handlers.ts';

const BACKENDS = new Set(['webgpu', 'tensorflow', 'wasm', 'cpu']);

export interface WorkerApiDeps {
  auth: TokenAuthenticator;
  store: JobStore;
  jobs: JobManager;
  registry: WorkerRegistry;
  log: Logger;
  heartbeatIntervalMs: number;
}

/** tessera.workers.v1.WorkerService: how workers join, stay alive, get work and report it. Join token only. */
export function workerApiHandlers(deps: WorkerApiDeps): WorkerServiceHandlers {
  const { auth, store, jobs, registry, log } = deps;
  return {
    Register: unary(auth, 'join', log, 'Register', async (req) => {
      if (!req.peerAddress) throw new CoordinatorError({ kind: 'InvalidArgument', field: 'peer_address', message: 'required' });
      if (!BACKENDS.has(req.backend)) {
        throw new CoordinatorError({ kind: 'InvalidArgument', field: 'backend', message: `"${req.backend}" is not one of ${[...BACKENDS].join(', ')}` });
      }
      const workerId = req.workerId || `w-${(req.host || os.hostname()).replace(/[^a-zA-Z0-9-]/g, '').slice(0, 20)}-${randomBytes(3).toString('hex')}`;
      const previous = await store.getWorker(workerId);
      if (previous?.jobId) await jobs.workerRestarted(workerId);
      registry.remove(workerId);
      registry.join(workerId);
      const now = new Date();
      await store.upsertWorker({
        id: workerId,
        host: req.host,
        peerAddress: req.peerAddress,
        backend: req.backend,
        device: req.device,
        state: 'IDLE',
        jobId: null,
        rank: null,
        lastHeartbeatAt: now,
        samplesPerSecond: 0,
        registeredAt: previous?.registeredAt ?? now,
      });
      log.info('worker registered', { workerId, host: req.host, backend: req.backend, device: req.device, peer: req.peerAddress });
      return { workerId, heartbeatIntervalMs: deps.heartbeatIntervalMs };
    }),
    Heartbeat: unary(auth, 'join', log, 'Heartbeat', async (req) => {
      if (!registry.heartbeat(req.workerId)) throw new CoordinatorError({ kind: 'WorkerNotFound', workerId: req.workerId });
      await store.updateWorker(req.workerId, { lastHeartbeatAt: new Date(), samplesPerSecond: req.samplesPerSecond });
      return {};
    }),
    ReportProgress: unary(auth, 'join', log, 'ReportProgress', async (req) => {
      await jobs.report(req);
      return {};
    }),
    StreamAssignments: (call) => {
      void (async () => {
        try {
          await auth.require(call.metadata, 'join');
          const workerId = call.request.workerId;
          const sink: AssignmentSink = { send: (m) => call.write(m), end: () => call.end() };
          if (!registry.attach(workerId, sink)) throw new CoordinatorError({ kind: 'WorkerNotFound', workerId });
          call.on('cancelled', () => registry.detach(workerId, sink));
          call.on('close', () => registry.detach(workerId, sink));
          // A newly listening worker may be what a queued job was waiting for.
          await jobs.schedule();
        } catch (err) {
          call.emit('error', toGrpcError(err));
        }
      })();
    },
  };
}
