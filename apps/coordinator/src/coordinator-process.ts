import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createLogger } from '@tessera/core/logging/logger';
import { objectStoreConfigFromEnv, openObjectStore } from '@tessera/storage/open-object-store';
import { bootstrapTokens } from './auth/bootstrap-tokens.ts';
import { coordinatorConfigFromEnv } from './config/coordinator-config.ts';
import { startCoordinator } from './coordinator.ts';
import { openJobStore } from './store/open-job-store.ts';

export interface CoordinatorProcessOptions {
  /**
   * The committed migrations (`apps/coordinator/prisma/migrations`); default: found relative to this source file,
   * which a bundle elsewhere (bench/gpu/prepare.sh's) cannot rely on, so it ships a copy and names it.
   */
  readonly migrationsDir?: string;
}

/**
 * The coordinator process (`main.ts`): configuration from the environment, the job store (migrated), the object
 * store and tokens, the gRPC server; writes `<dataDir>/coordinator.json` once it listens and serves until SIGINT or
 * SIGTERM.
 */
export async function runCoordinatorProcess(options: CoordinatorProcessOptions = {}): Promise<void> {
  const log = createLogger('coordinator');
  const config = coordinatorConfigFromEnv(process.env, process.cwd());
  const store = await openJobStore({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    ...(options.migrationsDir ? { migrationsDir: options.migrationsDir } : {}),
  });
  try {
    const objects = await openObjectStore(objectStoreConfigFromEnv(process.env, { dataDir: config.dataDir }));
    const tokens = await bootstrapTokens(store, config.dataDir, process.env);
    const coordinator = await startCoordinator({ store, objects, log }, config);
    const info = {
      address: coordinator.address,
      pid: process.pid,
      database: config.databaseUrl ? 'postgresql' : `pglite:${path.join(config.dataDir, 'db')}`,
      objects: objects.location,
      tokens: Object.fromEntries(tokens.map((t) => [t.scope, t.source])),
    };
    await writeFile(path.join(config.dataDir, 'coordinator.json'), JSON.stringify(info, null, 2) + '\n');
    log.info('ready', info);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    log.info('shutting down');
    await coordinator.close();
  } finally {
    await store.close();
  }
}
