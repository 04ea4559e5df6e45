import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { TesseraClient } from '../tessera-client.ts';
import { tsxChildLauncher, type ChildLauncher, type ClusterRole } from './child-launcher.ts';
import { ensureFirstAdmin } from './first-admin.ts';

export interface EmbeddedClusterOptions {
  dataDir: string;
  workers: number;
  backend?: string;
  /** Where child processes' structured logs go; default `<dataDir>/logs`. */
  logDir?: string;
  env?: NodeJS.ProcessEnv;
  /** Print the children's logs on this process's stderr instead of files. */
  inheritLogs?: boolean;
  startTimeoutMs?: number;
  /** How the coordinator and workers are started; default {@link tsxChildLauncher} (tsx on the checkout's main.ts). */
  launcher?: ChildLauncher;
}

export interface EmbeddedCluster {
  address: string;
  apiToken: string;
  /**
   * Set only on the start that created the first user, `admin`: its random password, to print once. It is never
   * written to disk; a lost one is replaced by creating another admin with the API token (`tessera user create`).
   */
  adminPassword?: string;
  dataDir: string;
  logDir: string;
  coordinator: ChildProcess;
  workers: ChildProcess[];
  /** Stops workers, then the coordinator (SIGTERM, then SIGKILL after 5 s). */
  stop(): Promise<void>;
}

/**
 * Starts a coordinator and N workers on this machine as separate processes, with embedded PGlite and a directory
 * object store under `dataDir` (unless the environment says otherwise), and waits until every worker has joined.
 */
export async function startEmbeddedCluster(options: EmbeddedClusterOptions): Promise<EmbeddedCluster> {
  const dataDir = path.resolve(options.dataDir);
  const logDir = options.logDir ?? path.join(dataDir, 'logs');
  await mkdir(logDir, { recursive: true });
  await rm(path.join(dataDir, 'coordinator.json'), { force: true });
  const baseEnv: NodeJS.ProcessEnv = { ...process.env, ...options.env, TESSERA_DATA_DIR: dataDir };
  const children: ChildProcess[] = [];
  const launcher = options.launcher ?? tsxChildLauncher;
  const launch = (name: string, role: ClusterRole, env: NodeJS.ProcessEnv): ChildProcess => {
    const { command, args, cwd } = launcher(role);
    const child = spawn(command, args, {
      cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (options.inheritLogs) {
      child.stdout?.pipe(process.stderr);
      child.stderr?.pipe(process.stderr);
    } else {
      const log = createWriteStream(path.join(logDir, `${name}.log`), { flags: 'a' });
      child.stdout?.pipe(log);
      child.stderr?.pipe(log);
    }
    children.push(child);
    return child;
  };
  const stop = async () => {
    await Promise.all([...children].reverse().map((c) => stopChild(c)));
  };
  try {
    const coordinator = launch('coordinator', 'coordinator', { ...baseEnv, TESSERA_LISTEN: baseEnv.TESSERA_LISTEN ?? '127.0.0.1:0' });
    const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
    const info = await waitFor(async () => {
      if (coordinator.exitCode !== null) throw new Error(`coordinator exited with code ${coordinator.exitCode}; see ${path.join(logDir, 'coordinator.log')}`);
      const text = await readFile(path.join(dataDir, 'coordinator.json'), 'utf8').catch(() => undefined);
      const parsed = text ? (JSON.parse(text) as { address: string; pid: number }) : undefined;
      return parsed?.pid === coordinator.pid ? parsed : undefined;
    }, deadline);
    const apiToken = baseEnv.TESSERA_API_TOKEN || (await readFile(path.join(dataDir, 'api-token'), 'utf8')).trim();
    const workerIds = Array.from({ length: options.workers }, (_, i) => `${baseEnv.TESSERA_WORKER_ID_PREFIX || 'local-'}${i}`);
    const workers = workerIds.map((workerId, i) =>
      launch(`worker-${i}`, 'worker', {
        ...baseEnv,
        TESSERA_COORDINATOR: info.address,
        TESSERA_WORKER_ID: workerId,
        ...(baseEnv.TESSERA_JOIN_TOKEN ? {} : { TESSERA_JOIN_TOKEN_FILE: path.join(dataDir, 'join-token') }),
        ...(options.backend ? { TESSERA_BACKEND: options.backend } : {}),
        // Workers of one machine share its cores: wasm threads beyond cores / workers only contend.
        TESSERA_WASM_THREADS: baseEnv.TESSERA_WASM_THREADS ?? String(Math.max(1, Math.floor(availableParallelism() / options.workers))),
      }),
    );
    const client = new TesseraClient({ address: info.address, token: apiToken });
    let adminPassword: string | undefined;
    try {
      adminPassword = await ensureFirstAdmin(client);
      await waitFor(async () => {
        const dead = workers.find((w) => w.exitCode !== null);
        if (dead) throw new Error(`a worker exited with code ${dead.exitCode}; see the worker logs in ${logDir}`);
        const joined = (await client.listWorkers().catch(() => [])).filter((w) => w.state === 'WORKER_STATE_IDLE' && workerIds.includes(w.id));
        return joined.length >= options.workers ? joined : undefined;
      }, deadline);
    } finally {
      client.close();
    }
    return { address: info.address, apiToken, ...(adminPassword ? { adminPassword } : {}), dataDir, logDir, coordinator, workers, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function waitFor<T>(probe: () => Promise<T | undefined>, deadline: number): Promise<T> {
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting for the cluster to start');
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}
