import path from 'node:path';
import { DEFAULT_SESSION_TTL_MS } from '../auth/account-service.ts';
import type { CoordinatorOptions } from '../coordinator.ts';

export interface CoordinatorConfig extends CoordinatorOptions {
  dataDir: string;
  /** postgres:// URL; undefined means embedded PGlite under the data dir. */
  databaseUrl: string | undefined;
}

function intFrom(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return value;
}

/** Raw environment → defaults → one resolved config. Nothing else in the coordinator reads the environment. */
export function coordinatorConfigFromEnv(env: NodeJS.ProcessEnv, cwd: string): CoordinatorConfig {
  const heartbeatIntervalMs = intFrom(env, 'TESSERA_HEARTBEAT_MS', 1_000);
  const databaseUrl = env.DATABASE_URL || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new Error(`DATABASE_URL must be a postgres:// or postgresql:// URL (got "${databaseUrl.split(':')[0]}:…")`);
  }
  return {
    dataDir: path.resolve(cwd, env.TESSERA_DATA_DIR || '.tessera'),
    databaseUrl,
    listen: env.TESSERA_LISTEN || '127.0.0.1:7070',
    heartbeatIntervalMs,
    heartbeatTimeoutMs: intFrom(env, 'TESSERA_HEARTBEAT_TIMEOUT_MS', 6 * heartbeatIntervalMs),
    maxRestarts: intFrom(env, 'TESSERA_MAX_RESTARTS', 3),
    uploadLimitBytes: intFrom(env, 'TESSERA_UPLOAD_LIMIT_BYTES', 1024 * 1024 * 1024),
    sessionTtlMs: intFrom(env, 'TESSERA_SESSION_TTL_S', DEFAULT_SESSION_TTL_MS / 1000) * 1000,
    grpcKeepalive: {
      timeMs: intFrom(env, 'TESSERA_GRPC_KEEPALIVE_MS', 10_000),
      // Longer than any one training step holds a worker's event loop (see CoordinatorOptions.grpcKeepalive).
      timeoutMs: intFrom(env, 'TESSERA_GRPC_KEEPALIVE_TIMEOUT_MS', 30 * 60_000),
    },
  };
}
