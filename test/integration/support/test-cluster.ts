import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startEmbeddedCluster, type EmbeddedCluster } from '@tessera/client/cli/embedded-cluster';
import { TesseraClient } from '@tessera/client/tessera-client';
import { startTestPostgres } from './postgres.ts';
import { startTestS3Server, uniqueBucketName } from './s3-server.ts';

export type ClusterVariant = 'pglite+dir' | 'postgresql+s3';

export interface TestCluster {
  cluster: EmbeddedCluster;
  client: TesseraClient;
  dataDir: string;
  env: NodeJS.ProcessEnv;
  close(): Promise<void>;
}

/**
 * A real cluster for a test: coordinator and workers as separate processes on loopback ports, with either the
 * embedded defaults (PGlite + directory store) or PostgreSQL + an S3 server. Everything lives in a fresh temp dir,
 * database and bucket of its own; `close` stops the processes and removes them.
 */
export async function startTestCluster(options: { workers: number; variant?: ClusterVariant; label: string; env?: NodeJS.ProcessEnv }): Promise<TestCluster> {
  const dataDir = await mkdtemp(path.join(tmpdir(), `tessera-${options.label}-`));
  const cleanups: Array<() => Promise<void>> = [() => rm(dataDir, { recursive: true, force: true })];
  const env: NodeJS.ProcessEnv = { TESSERA_LOG_LEVEL: 'info', TESSERA_HEARTBEAT_MS: '500', ...options.env };
  try {
    if (options.variant === 'postgresql+s3') {
      const pg = await startTestPostgres();
      cleanups.push(() => pg.close());
      const db = await pg.createDatabase(options.label);
      cleanups.push(() => db.drop());
      const s3 = await startTestS3Server();
      cleanups.push(() => s3.close());
      Object.assign(env, {
        DATABASE_URL: db.url,
        TESSERA_STORE: `s3://${uniqueBucketName(options.label)}/cluster`,
        TESSERA_S3_ENDPOINT: s3.endpoint,
        TESSERA_S3_ACCESS_KEY: s3.accessKey,
        TESSERA_S3_SECRET_KEY: s3.secretKey,
        TESSERA_S3_REGION: s3.region,
      });
    }
    const cluster = await startEmbeddedCluster({ dataDir, workers: options.workers, env, backend: 'wasm' });
    cleanups.push(() => cluster.stop());
    const client = new TesseraClient({ address: cluster.address, token: cluster.apiToken });
    cleanups.push(() => Promise.resolve(client.close()));
    return {
      cluster,
      client,
      dataDir,
      env,
      close: async () => {
        for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
      },
    };
  } catch (err) {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    throw err;
  }
}
