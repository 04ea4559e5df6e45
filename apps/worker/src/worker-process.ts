import { readFile } from 'node:fs/promises';
import { createLogger } from '@tessera/core/logging/logger';
import { objectStoreConfigFromEnv, openObjectStore } from '@tessera/storage/open-object-store';
import { CoordinatorLink } from './agent/coordinator-link.ts';
import { ThreadHeartbeats } from './agent/heartbeats.ts';
import { WorkerAgent } from './agent/worker-agent.ts';
import { backendOptionsFromEnv } from './backends/backend-options.ts';
import type { ModuleLoader } from './backends/backend-probe.ts';
import { selectBackend } from './backends/select-backend.ts';
import { workerConfigFromEnv } from './config/worker-config.ts';
import { PeerServer } from './peers/peer-server.ts';
import { runJob } from './training/job-runner.ts';

export interface WorkerProcessOptions {
  /**
   * How the optional backend packages (`webgpu`, tfjs-node) are found and loaded; default: from node_modules. A
   * bundle without node_modules (bench/gpu/prepare.sh's) passes one that loads Dawn's addon from a file.
   */
  readonly modules?: ModuleLoader;
}

/**
 * The worker process (`main.ts`): configuration from the environment and `--gpu`, the backend, the peer server,
 * registration with the coordinator; then it runs the jobs it is given until SIGINT or SIGTERM, and leaves.
 */
export async function runWorkerProcess(options: WorkerProcessOptions = {}): Promise<void> {
  const config = workerConfigFromEnv(process.env, process.cwd());
  const log = createLogger('worker', { fields: config.workerId ? { workerId: config.workerId } : {} });
  const joinToken = config.joinToken ?? (await readFile(config.joinTokenFile!, 'utf8')).trim();
  const backend = await selectBackend(config.backend, {
    ...backendOptionsFromEnv(process.env, process.argv),
    ...(options.modules ? { modules: options.modules } : {}),
    log: (line) => log.info(line),
  });
  log.info('backend selected', { backend: backend.backend, device: backend.device, reason: backend.reason });
  const objects = await openObjectStore(objectStoreConfigFromEnv(process.env, { dataDir: config.dataDir }));
  const peerServer = await PeerServer.start({ joinToken, host: config.peerListenHost, port: config.peerPort });
  const link = new CoordinatorLink(config.coordinator, joinToken);
  const agent = new WorkerAgent(
    link,
    { workerId: config.workerId, host: config.host, peerAddress: `${config.peerAdvertiseHost}:${peerServer.port}`, backend: backend.backend, device: backend.device },
    (assignment, report, throughput) =>
      runJob(assignment, report, throughput, {
        peerServer,
        joinToken,
        objects,
        cacheDir: config.cacheDir,
        log,
        backend: { name: backend.backend, device: backend.device, webgpuKernels: backend.webgpuKernels },
        collectiveTimeoutMs: config.collectiveTimeoutMs,
      }),
    log,
    new ThreadHeartbeats({ address: config.coordinator, joinToken, stallLimitMs: config.stallLimitMs, log }),
  );
  try {
    await agent.start();
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    log.info('shutting down');
  } finally {
    await agent.stop();
    await peerServer.close();
  }
}
