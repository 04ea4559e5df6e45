import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyMigrations } from './apply-migrations.ts';
import type { MigrationConnection } from './apply-migrations.ts';

interface Row {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
}

/** Records statements; keeps `_prisma_migrations` rows in memory; fails any script containing FAIL. */
class FakeConnection implements MigrationConnection {
  readonly statements: string[] = [];
  rows: Row[] = [];
  private pending: Row[] = [];

  exec(sql: string): Promise<void> {
    this.statements.push(sql.trim().split('\n')[0] ?? '');
    if (sql.includes('FAIL')) return Promise.reject(new Error('syntax error at or near "FAIL"'));
    if (sql === 'COMMIT') this.rows.push(...this.pending.splice(0));
    if (sql === 'ROLLBACK') this.pending = [];
    return Promise.resolve();
  }

  query<R>(sql: string, params: unknown[] = []): Promise<R[]> {
    if (sql.startsWith('SELECT')) return Promise.resolve(this.rows.filter((r) => r.rolled_back_at === null) as R[]);
    const [, checksum, name] = params as [string, string, string];
    this.pending.push({ migration_name: name, checksum, finished_at: new Date(), rolled_back_at: null });
    return Promise.resolve([]);
  }
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('applyMigrations', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'tessera-migrations-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const migration = async (name: string, sql: string) => {
    await mkdir(path.join(dir, name));
    await writeFile(path.join(dir, name, 'migration.sql'), sql);
  };

  it('applies pending migrations in name order, each in its own transaction, recording the file checksum', async () => {
    await migration('20260102000000_second', 'ALTER TABLE "A" ADD "b" INT;');
    await migration('20260101000000_first', 'CREATE TABLE "A" ();');
    await writeFile(path.join(dir, 'migration_lock.toml'), 'provider = "postgresql"\n');
    const db = new FakeConnection();
    expect(await applyMigrations(db, dir)).toEqual(['20260101000000_first', '20260102000000_second']);
    expect(db.statements.slice(1)).toEqual(['BEGIN', 'CREATE TABLE "A" ();', 'COMMIT', 'BEGIN', 'ALTER TABLE "A" ADD "b" INT;', 'COMMIT']);
    expect(db.rows.map((r) => [r.migration_name, r.checksum])).toEqual([
      ['20260101000000_first', sha256('CREATE TABLE "A" ();')],
      ['20260102000000_second', sha256('ALTER TABLE "A" ADD "b" INT;')],
    ]);

    expect(await applyMigrations(db, dir)).toEqual([]);
    await migration('20260103000000_third', 'CREATE TABLE "C" ();');
    expect(await applyMigrations(db, dir)).toEqual(['20260103000000_third']);
  });

  it('rolls a failed migration back, records nothing and names it', async () => {
    await migration('20260101000000_first', 'CREATE TABLE "A" ();');
    await migration('20260102000000_broken', 'FAIL;');
    const db = new FakeConnection();
    await expect(applyMigrations(db, dir)).rejects.toMatchObject({
      error: { kind: 'MigrationFailed', migration: '20260102000000_broken', message: 'syntax error at or near "FAIL"' },
    });
    expect(db.statements.at(-1)).toBe('ROLLBACK');
    expect(db.rows.map((r) => r.migration_name)).toEqual(['20260101000000_first']);
  });

  it('refuses to start over a migration edited after it was applied', async () => {
    await migration('20260101000000_first', 'CREATE TABLE "A" ();');
    const db = new FakeConnection();
    await applyMigrations(db, dir);
    await writeFile(path.join(dir, '20260101000000_first', 'migration.sql'), 'CREATE TABLE "A" ("x" INT);');
    await expect(applyMigrations(db, dir)).rejects.toMatchObject({
      error: { kind: 'MigrationChanged', migration: '20260101000000_first', expectedChecksum: sha256('CREATE TABLE "A" ();') },
    });
  });

  it('refuses to start while the table records a failed migration, as prisma migrate deploy does', async () => {
    await migration('20260101000000_first', 'CREATE TABLE "A" ();');
    const db = new FakeConnection();
    db.rows.push({ migration_name: '20260101000000_first', checksum: 'x', finished_at: null, rolled_back_at: null });
    await expect(applyMigrations(db, dir)).rejects.toMatchObject({ error: { kind: 'MigrationFailed', migration: '20260101000000_first' } });
  });
});
