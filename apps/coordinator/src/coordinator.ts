import * as grpc from '@grpc/grpc-js';
import { systemClock, type Clock } from '@tessera/core/time/clock';
import type { Logger } from '@tessera/core/logging/logger';
import { contracts } from '@tessera/proto/contracts';
import type { ObjectStore } from '@tessera/storage/object-store';
import { authApiHandlers } from './api/auth-api.ts';
import { jobApiHandlers } from './api/job-api.ts';
import { workerApiHandlers } from './api/worker-api.ts';
import { AccountService } from './auth/account-service.ts';
import { TokenAuthenticator } from './auth/token-auth.ts';
import { CheckpointService } from './jobs/checkpoint-service.ts';
import { DatasetService } from './jobs/dataset-service.ts';
import { JobManager } from './jobs/job-manager.ts';
import { JobUpdateBus } from './jobs/job-update-bus.ts';
import { WorkerRegistry } from './membership/worker-registry.ts';
import type { JobStore } from './store/job-store.ts';

export interface CoordinatorOptions {
  /** host:port to listen on; port 0 picks a free one. */
  listen: string;
  heartbeatIntervalMs: number;
  /** Silence after which a worker is lost. Keep it well under 30 s: a lost worker must end or restart its job by then. */
  heartbeatTimeoutMs: number;
  maxRestarts: number;
  uploadLimitBytes: number;
  /** Lifetime of a sign-in session (AuthService.Login). */
  sessionTtlMs: number;
  /**
   * HTTP/2 keepalive of the gRPC server: a ping every `timeMs` on each connection, closed when unanswered for
   * `timeoutMs`. A client answers pings on its event loop, and a worker's event loop is held by each training step
   * (tfjs kernels are synchronous): a 5 s timeout dropped the assignment stream of every worker whose step took
   * longer than ~15 s (a 32³ 3D U-Net's did on the package's wasm kernels), and the job failed with "restarted and
   * lost its run". Worker liveness is the heartbeat thread's job (its own event loop);
   * the keepalive only clears connections whose peer vanished without closing them, so it may wait long.
   */
  grpcKeepalive: { timeMs: number; timeoutMs: number };
}

export interface RunningCoordinator {
  /** The address clients and workers dial. */
  address: string;
  port: number;
  close(): Promise<void>;
}

/** Wires store, membership, scheduler and the three services (jobs, auth, workers) into one gRPC server. */
export async function startCoordinator(
  deps: { store: JobStore; objects: ObjectStore; log: Logger; clock?: Clock },
  options: CoordinatorOptions,
): Promise<RunningCoordinator> {
  const { store, objects, log } = deps;
  const clock = deps.clock ?? systemClock;
  const bus = new JobUpdateBus();
  const auth = new TokenAuthenticator(store, clock);
  const registry = new WorkerRegistry(clock, {
    timeoutMs: options.heartbeatTimeoutMs,
    sweepMs: Math.max(100, Math.floor(options.heartbeatIntervalMs / 2)),
    // Called from the sweep, which starts after `jobs` exists.
    onLost: (workerId, silentMs) => void jobs.workerLost(workerId, silentMs).catch((err: unknown) => log.error('handling lost worker failed', { workerId, err })),
  });
  const jobs = new JobManager(store, registry, bus, log, { maxRestarts: options.maxRestarts, ringBrokenGraceMs: options.heartbeatTimeoutMs * 2 }, objects);
  await jobs.recoverAfterRestart();
  const datasets = new DatasetService(store, objects);
  const checkpoints = new CheckpointService(store, objects);
  const accounts = new AccountService(store, { sessionTtlMs: options.sessionTtlMs, clock });

  const { jobs: jobsProto, workers: workersProto, auth: authProto } = contracts();
  const server = new grpc.Server({
    // Uploads arrive in 1 MiB chunks; anything larger than this is a client bug or an attack.
    'grpc.max_receive_message_length': 8 * 1024 * 1024,
    'grpc.keepalive_time_ms': options.grpcKeepalive.timeMs,
    'grpc.keepalive_timeout_ms': options.grpcKeepalive.timeoutMs,
  });
  server.addService(jobsProto.tessera.jobs.v1.JobService.service, jobApiHandlers({ auth, store, jobs, datasets, checkpoints, objects, bus, log, uploadLimitBytes: options.uploadLimitBytes }));
  server.addService(authProto.tessera.auth.v1.AuthService.service, authApiHandlers({ auth, accounts, log }));
  server.addService(workersProto.tessera.workers.v1.WorkerService.service, workerApiHandlers({ auth, store, jobs, registry, log, heartbeatIntervalMs: options.heartbeatIntervalMs }));
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(options.listen, grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  registry.start();
  const host = options.listen.slice(0, options.listen.lastIndexOf(':'));
  const address = `${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${port}`;
  log.info('coordinator listening', { address });
  return {
    address,
    port,
    close: async () => {
      registry.stop();
      jobs.close();
      // Watch streams stay open until their jobs end; give in-flight unary calls a moment, then cut the rest.
      await Promise.race([
        new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
        new Promise<void>((resolve) => setTimeout(resolve, 1_000).unref()),
      ]);
      server.forceShutdown();
    },
  };
}
