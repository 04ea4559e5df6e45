import { execFile } from 'node:child_process';
import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS_DIR } from '@tessera/coordinator/store/apply-migrations';
import { describeJobStoreConformance } from '@tessera/coordinator/store/job-store-conformance';
import type { JobStore } from '@tessera/coordinator/store/job-store';
import { openJobStore } from '@tessera/coordinator/store/open-job-store';
import type { TestPostgres } from './support/postgres.ts';
import { postgresUnavailableReason, queryDatabase, startTestPostgres } from './support/postgres.ts';

const run = promisify(execFile);
const COORDINATOR_DIR = path.resolve(import.meta.dirname, '../../apps/coordinator');

const tempDirs: string[] = [];
async function tempDataDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'tessera-store-'));
  tempDirs.push(dir);
  return dir;
}
afterAll(async () => {
  await Promise.all(tempDirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('PGlite job store', () => {
  describeJobStoreConformance('PGlite', async ({ now }) => openJobStore({ dataDir: await tempDataDir(), now }));

  describe('persistence', () => {
    const open: JobStore[] = [];
    afterEach(async () => {
      await Promise.all(open.splice(0).map((s) => s.close()));
    });

    it('keeps everything across a close and a reopen of the same data directory', async () => {
      const dataDir = await tempDataDir();
      const first = await openJobStore({ dataDir });
      const job = await first.createJob({
        name: 'sonar', spec: { epochs: 3 }, datasetName: 'sonar', datasetSha256: 'e'.repeat(64), minWorkers: 1, maxWorkers: 2, idempotencyKey: 'k-1',
      });
      const running = await first.updateJob(job.id, { state: 'RUNNING', workerIds: ['w-1'], checkpointKey: 'jobs/x/latest.json' });
      await first.appendEvent({ jobId: job.id, kind: 'state', message: 'running', state: 'RUNNING' });
      await first.recordMetrics([{ jobId: job.id, step: 1, epoch: 0, split: 'train', name: 'loss', value: 0.5, at: new Date(), workerId: 'w-1' }]);
      const worker = await first.upsertWorker({
        id: 'w-1', host: 'h', peerAddress: '127.0.0.1:1', backend: 'cpu', device: 'cpu', state: 'BUSY', jobId: job.id, rank: 0,
        lastHeartbeatAt: new Date(), samplesPerSecond: 10, registeredAt: new Date(),
      });
      const dataset = await first.upsertDataset({
        name: 'sonar', sha256: 'e'.repeat(64), kind: 'tabular-csv', sizeBytes: 87_776, manifestKey: 'datasets/sonar/e/manifest.json', summary: '208 rows', createdAt: new Date(),
      });
      await first.addApiToken({ name: 'ci', scope: 'api', secretHash: 'a'.repeat(64) });
      await first.close();

      const second = await openJobStore({ dataDir });
      open.push(second);
      expect(await second.getJob(job.id)).toEqual(running);
      expect(await second.findJobByIdempotencyKey('k-1')).toEqual(running);
      expect((await second.listMetrics(job.id)).map((m) => m.value)).toEqual([0.5]);
      expect(await second.getWorker('w-1')).toEqual(worker);
      expect(await second.getDataset('sonar')).toEqual(dataset);
      expect(await second.findApiToken('a'.repeat(64))).toEqual({ name: 'ci', scope: 'api', username: null, expiresAt: null });
      // The event counter survives too: numbering continues instead of colliding with the stored event.
      expect((await second.appendEvent({ jobId: job.id, kind: 'info', message: 'after restart' })).seq).toBe(2);
      expect((await second.listEvents(job.id)).map((e) => e.message)).toEqual(['running', 'after restart']);
    });

    it('applies the migrations in migrationsDir when given one (a bundle ships its own copy)', async () => {
      const copy = path.join(await tempDataDir(), 'migrations');
      await cp(MIGRATIONS_DIR, copy, { recursive: true });
      const migrated = await openJobStore({ dataDir: await tempDataDir(), migrationsDir: copy });
      open.push(migrated);
      await migrated.addApiToken({ name: 'ci', scope: 'api', secretHash: 'b'.repeat(64) });
      expect((await migrated.findApiToken('b'.repeat(64)))?.name).toBe('ci');
      // No migrations there: the store opens on an empty schema, so it was that folder, not the default, that counted.
      const empty = await openJobStore({ dataDir: await tempDataDir(), migrationsDir: await tempDataDir() });
      open.push(empty);
      await expect(empty.addApiToken({ name: 'ci', scope: 'api', secretHash: 'c'.repeat(64) })).rejects.toThrow();
    });

    it('records its migrations so that the Prisma CLI sees the database as up to date', async () => {
      const dataDir = await tempDataDir();
      await (await openJobStore({ dataDir })).close();
      const { stdout } = await run('npx', ['prisma', 'migrate', 'status'], {
        cwd: COORDINATOR_DIR,
        env: { ...process.env, TESSERA_DATA_DIR: dataDir, DATABASE_URL: '' },
      });
      expect(stdout).toContain('Database schema is up to date');
    });
  });
});

const unavailable = postgresUnavailableReason();
if (unavailable) console.warn(`skipping the PostgreSQL job store tests: ${unavailable}`);

(unavailable ? describe.skip : describe)('PostgreSQL job store', () => {
  let server: TestPostgres | undefined;
  const drops: (() => Promise<void>)[] = [];
  const freshDatabase = async (label: string): Promise<string> => {
    if (!server) throw new Error('PostgreSQL not started');
    const db = await server.createDatabase(label);
    drops.push(() => db.drop());
    return db.url;
  };
  beforeAll(async () => {
    server = await startTestPostgres();
  });
  afterAll(async () => {
    for (const drop of drops.splice(0)) await drop();
    await server?.close();
  });

  describeJobStoreConformance('PostgreSQL', async ({ now }) => openJobStore({ databaseUrl: await freshDatabase('conformance'), dataDir: await tempDataDir(), now }));

  it('migrates once when two coordinators open one database at the same time', async () => {
    const databaseUrl = await freshDatabase('concurrent');
    const dataDir = await tempDataDir();
    const [a, b] = await Promise.all([openJobStore({ databaseUrl, dataDir }), openJobStore({ databaseUrl, dataDir })]);
    try {
      const job = await a.createJob({ name: 'j', spec: {}, datasetName: 'd', datasetSha256: 'e'.repeat(64), minWorkers: 1, maxWorkers: 1 });
      expect((await b.getJob(job.id))?.id).toBe(job.id);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
    const reopened = await openJobStore({ databaseUrl, dataDir });
    expect(await reopened.listJobs()).toHaveLength(1);
    await reopened.close();
    const migrations = await queryDatabase<{ migration_name: string }>(databaseUrl, 'SELECT "migration_name" FROM "_prisma_migrations"');
    const committed = (await readdir(MIGRATIONS_DIR, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort();
    expect(migrations.map((m) => m.migration_name).sort()).toEqual(committed);
  });

  it('hides a revoked token', async () => {
    const databaseUrl = await freshDatabase('revoked');
    const store = await openJobStore({ databaseUrl, dataDir: await tempDataDir() });
    try {
      await store.addApiToken({ name: 'old', scope: 'api', secretHash: 'b'.repeat(64) });
      expect(await store.findApiToken('b'.repeat(64))).toEqual({ name: 'old', scope: 'api', username: null, expiresAt: null });
      await queryDatabase(databaseUrl, 'UPDATE "ApiToken" SET "revokedAt" = now() WHERE "secretHash" = $1', ['b'.repeat(64)]);
      expect(await store.findApiToken('b'.repeat(64))).toBeNull();
    } finally {
      await store.close();
    }
  });
});
