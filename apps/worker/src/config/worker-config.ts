import os from 'node:os';
import path from 'node:path';

export type BackendRequest = 'auto' | 'webgpu' | 'tensorflow' | 'wasm' | 'cpu';
const BACKENDS: readonly BackendRequest[] = ['auto', 'webgpu', 'tensorflow', 'wasm', 'cpu'];

export interface WorkerConfig {
  coordinator: string;
  /** The join token itself, or where to read it. */
  joinToken: string | undefined;
  joinTokenFile: string | undefined;
  workerId: string;
  host: string;
  /** Where the peer server listens and the address peers dial. */
  peerListenHost: string;
  peerPort: number;
  peerAdvertiseHost: string;
  backend: BackendRequest;
  dataDir: string;
  cacheDir: string;
  collectiveTimeoutMs: number;
  /** How long the main thread may be unresponsive (one long step) before heartbeats stop: TESSERA_STALL_LIMIT_MS. */
  stallLimitMs: number;
}

/** Raw environment → defaults → one resolved config. Nothing else in the worker reads the environment. */
export function workerConfigFromEnv(env: NodeJS.ProcessEnv, cwd: string): WorkerConfig {
  const coordinator = env.TESSERA_COORDINATOR;
  if (!coordinator) throw new Error('TESSERA_COORDINATOR (host:port of the coordinator) is required');
  if (!env.TESSERA_JOIN_TOKEN && !env.TESSERA_JOIN_TOKEN_FILE) throw new Error('TESSERA_JOIN_TOKEN or TESSERA_JOIN_TOKEN_FILE is required');
  const backend = (env.TESSERA_BACKEND || 'auto') as BackendRequest;
  if (!BACKENDS.includes(backend)) throw new Error(`TESSERA_BACKEND must be one of ${BACKENDS.join(', ')}, got "${backend}"`);
  const dataDir = path.resolve(cwd, env.TESSERA_DATA_DIR || '.tessera');
  const peerPort = Number(env.TESSERA_PEER_PORT || 0);
  if (!Number.isInteger(peerPort) || peerPort < 0 || peerPort > 65535) throw new Error(`TESSERA_PEER_PORT must be a port number, got "${env.TESSERA_PEER_PORT}"`);
  const loopback = /^(127\.|localhost|\[::1\])/.test(coordinator);
  return {
    coordinator,
    joinToken: env.TESSERA_JOIN_TOKEN || undefined,
    joinTokenFile: env.TESSERA_JOIN_TOKEN_FILE || undefined,
    workerId: env.TESSERA_WORKER_ID || '',
    host: os.hostname(),
    // A worker of a local cluster only needs loopback; a real cluster's peers dial the advertised host.
    peerListenHost: env.TESSERA_PEER_LISTEN || (loopback ? '127.0.0.1' : '0.0.0.0'),
    peerPort,
    peerAdvertiseHost: env.TESSERA_PEER_ADVERTISE || (loopback ? '127.0.0.1' : os.hostname()),
    backend,
    dataDir,
    cacheDir: path.join(dataDir, 'cache', 'worker-datasets'),
    collectiveTimeoutMs: Number(env.TESSERA_COLLECTIVE_TIMEOUT_MS || 120_000),
    stallLimitMs: positiveMs(env, 'TESSERA_STALL_LIMIT_MS', 10 * 60_000),
  };
}

function positiveMs(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive whole number of milliseconds, got "${raw}"`);
  return value;
}
