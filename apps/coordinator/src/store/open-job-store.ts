import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { applyMigrations, MIGRATIONS_DIR, PRISMA_MIGRATION_LOCK_KEY } from './apply-migrations.ts';
import type { MigrationConnection } from './apply-migrations.ts';
import { PrismaClient } from './generated/prisma/client.ts';
import type { Prisma } from './generated/prisma/client.ts';
import type { JobStore } from './job-store.ts';
import { PrismaJobStore } from './prisma-job-store.ts';

export interface OpenJobStoreOptions {
  /** `postgres://` or `postgresql://` URL of a PostgreSQL server; without one the store is embedded PGlite. */
  databaseUrl?: string;
  /** The coordinator's data directory; PGlite keeps its database in `<dataDir>/db`. */
  dataDir: string;
  /** Clock for the timestamps the store sets itself (job creation, events, tokens). */
  now?: () => Date;
  /** The migrations to apply; default {@link MIGRATIONS_DIR} (the committed ones, found beside this source). */
  migrationsDir?: string;
}

/**
 * Opens the job store and brings its schema up to date with the committed migrations (see `applyMigrations`).
 *
 * Embedded PGlite is the default: no server to run, one process at a time per data directory (PGlite does not
 * lock it; a second coordinator on the same directory would corrupt it). Reopening an existing directory keeps
 * everything. With `databaseUrl` the store uses PostgreSQL through a `pg` connection pool; several coordinators
 * may migrate at once (Prisma's advisory lock serialises them). Close the store to release the database.
 */
export async function openJobStore(options: OpenJobStoreOptions): Promise<JobStore> {
  const storeOptions = options.now ? { now: options.now } : {};
  const migrationsDir = options.migrationsDir ?? MIGRATIONS_DIR;
  if (options.databaseUrl) return openPostgres(options.databaseUrl, migrationsDir, storeOptions);
  return openPglite(path.join(options.dataDir, 'db'), migrationsDir, storeOptions);
}

async function openPglite(dir: string, migrationsDir: string, storeOptions: { now?: () => Date }): Promise<JobStore> {
  await mkdir(dir, { recursive: true });
  const db = await PGlite.create(dir);
  try {
    await applyMigrations(pgliteConnection(db), migrationsDir);
  } catch (err) {
    await db.close();
    throw err;
  }
  const prisma = new PrismaClient({ adapter: pgliteAdapter(db) });
  return new PrismaJobStore(prisma, { ...storeOptions, onClose: () => db.close() });
}

async function openPostgres(url: string, migrationsDir: string, storeOptions: { now?: () => Date }): Promise<JobStore> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    // Session-level lock: released when the client disconnects, even if migrating throws.
    await client.query('SELECT pg_advisory_lock($1)', [PRISMA_MIGRATION_LOCK_KEY]);
    await applyMigrations(pgConnection(client), migrationsDir);
  } finally {
    await client.end();
  }
  const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: url }) });
  return new PrismaJobStore(prisma, storeOptions);
}

/**
 * pglite-prisma-adapter 0.6.1 is typed against @prisma/driver-adapter-utils 6.10, whose `SqlQuery.argTypes` differ
 * from 6.19's; the adapter never reads `argTypes` (it passes `args` to PGlite), so the two are compatible at run time.
 */
export function pgliteAdapter(db: PGlite): NonNullable<Prisma.PrismaClientOptions['adapter']> {
  return new PrismaPGlite(db) as unknown as NonNullable<Prisma.PrismaClientOptions['adapter']>;
}

function pgliteConnection(db: PGlite): MigrationConnection {
  return {
    exec: async (sql) => {
      await db.exec(sql);
    },
    query: async <Row>(sql: string, params: unknown[] = []) => (await db.query<Row>(sql, params)).rows,
  };
}

function pgConnection(client: pg.Client): MigrationConnection {
  return {
    exec: async (sql) => {
      await client.query(sql);
    },
    query: async <Row>(sql: string, params: unknown[] = []) => (await client.query(sql, params)).rows as Row[],
  };
}
