import { createHash, randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { JobStoreError } from './store-errors.ts';

/** The committed migrations (`prisma/migrations/<timestamp>_<name>/migration.sql`), oldest first by name. */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../../prisma/migrations', import.meta.url));

/**
 * Prisma's advisory lock key for migrations: holding the same lock keeps two coordinators, or a coordinator and
 * `prisma migrate deploy`, from migrating one PostgreSQL database at once.
 */
export const PRISMA_MIGRATION_LOCK_KEY = 72707369;

/** One database session, used only while migrating (PGlite itself, or a dedicated `pg.Client`). */
export interface MigrationConnection {
  /** Runs a script of several statements without parameters. */
  exec(sql: string): Promise<void>;
  query<Row>(sql: string, params?: unknown[]): Promise<Row[]>;
}

// The table exactly as Prisma's schema engine creates it, so `prisma migrate status`/`deploy` agree with us.
const CREATE_MIGRATIONS_TABLE = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: unknown;
  rolled_back_at: unknown;
}

/**
 * Applies the committed migrations that the database has not seen, the way `prisma migrate deploy` does: each
 * `migration.sql` in name order, recorded in `_prisma_migrations` with the sha256 of the file as checksum. Unlike
 * the CLI, each migration and its record commit in one transaction, so a failed migration leaves nothing to resolve
 * by hand (PostgreSQL DDL is transactional; a migration that cannot run in a transaction, such as
 * `CREATE INDEX CONCURRENTLY`, does not belong here). Costs one query when everything is applied already.
 *
 * Rejects with MigrationChanged when an applied migration's file was edited since, and with MigrationFailed when a
 * migration fails or the table records one that failed (the CLI left it; `prisma migrate resolve` clears it).
 * Returns the names of the migrations it applied.
 */
export async function applyMigrations(db: MigrationConnection, migrationsDir: string = MIGRATIONS_DIR): Promise<string[]> {
  const migrations = await readMigrations(migrationsDir);
  await db.exec(CREATE_MIGRATIONS_TABLE);
  const rows = await db.query<AppliedRow>(
    'SELECT "migration_name", "checksum", "finished_at", "rolled_back_at" FROM "_prisma_migrations" WHERE "rolled_back_at" IS NULL',
  );
  const applied = new Map<string, AppliedRow>();
  for (const row of rows) {
    if (row.finished_at === null) {
      throw new JobStoreError({
        kind: 'MigrationFailed',
        migration: row.migration_name,
        message: 'recorded as failed in _prisma_migrations; fix the database, then run `prisma migrate resolve`',
      });
    }
    applied.set(row.migration_name, row);
  }

  const done: string[] = [];
  for (const migration of migrations) {
    const previous = applied.get(migration.name);
    if (previous) {
      if (previous.checksum !== migration.checksum) {
        throw new JobStoreError({
          kind: 'MigrationChanged',
          migration: migration.name,
          expectedChecksum: previous.checksum,
          actualChecksum: migration.checksum,
        });
      }
      continue;
    }
    try {
      await db.exec('BEGIN');
      const startedAt = new Date();
      await db.exec(migration.sql);
      await db.query(
        `INSERT INTO "_prisma_migrations" ("id", "checksum", "finished_at", "migration_name", "logs", "rolled_back_at", "started_at", "applied_steps_count")
         VALUES ($1, $2, now(), $3, NULL, NULL, $4, 1)`,
        [randomUUID(), migration.checksum, migration.name, startedAt],
      );
      await db.exec('COMMIT');
    } catch (cause) {
      await db.exec('ROLLBACK').catch(() => {});
      throw new JobStoreError(
        { kind: 'MigrationFailed', migration: migration.name, message: cause instanceof Error ? cause.message : String(cause) },
        { cause },
      );
    }
    done.push(migration.name);
  }
  return done;
}

interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

async function readMigrations(dir: string): Promise<Migration[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
  return Promise.all(
    names.map(async (name) => {
      const bytes = await readFile(path.join(dir, name, 'migration.sql'));
      return { name, sql: bytes.toString('utf8'), checksum: createHash('sha256').update(bytes).digest('hex') };
    }),
  );
}
