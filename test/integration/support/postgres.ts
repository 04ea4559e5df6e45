import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, constants } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type pgModule from 'pg';

// `pg` is a dependency of @tessera/coordinator, not of the workspace root that holds test/: resolve it from there.
const pg = createRequire(new URL('../../../apps/coordinator/package.json', import.meta.url))('pg') as typeof pgModule;

const run = promisify(execFile);

/** The cluster's OS user when tests run as root: PostgreSQL refuses to run as root. */
const POSTGRES_OS_USER = 'postgres';

export interface TestPostgres {
  /** URL of the server's `postgres` database, for creating and dropping test databases. */
  readonly adminUrl: string;
  /** A fresh, empty database of its own; `drop` removes it. */
  createDatabase(label: string): Promise<{ url: string; drop(): Promise<void> }>;
  /** Stops and deletes a throwaway cluster; a no-op for an external server. */
  close(): Promise<void>;
}

/**
 * Why the PostgreSQL tests cannot run here, or null when they can: either `TESSERA_TEST_DATABASE_URL` names a server
 * (CI starts one) or `initdb` and `pg_ctl` are on PATH (and, as root, a `postgres` user exists to run them).
 * Synchronous, so a test file can pick `describe` or `describe.skip` while it is being collected.
 */
export function postgresUnavailableReason(): string | null {
  if (process.env.TESSERA_TEST_DATABASE_URL) return null;
  for (const tool of ['initdb', 'pg_ctl']) {
    if (!onPath(tool)) return `TESSERA_TEST_DATABASE_URL is unset and ${tool} is not on PATH`;
  }
  if (userInfo().uid === 0 && !onPath('runuser')) return 'running as root and runuser is not on PATH to run PostgreSQL as another user';
  return null;
}

/**
 * The server PostgreSQL tests use: `TESSERA_TEST_DATABASE_URL` when set (its user needs CREATEDB), else a throwaway
 * cluster made with initdb in a temp directory, listening on 127.0.0.1 on a free port, durability switched off
 * (a test cluster need not survive a crash).
 */
export async function startTestPostgres(): Promise<TestPostgres> {
  const external = process.env.TESSERA_TEST_DATABASE_URL;
  if (external) return testPostgres(external, async () => {});

  const root = await mkdtemp(path.join(tmpdir(), 'tessera-pg-'));
  const dataDir = path.join(root, 'data');
  const asRoot = userInfo().uid === 0;
  if (asRoot) {
    const { stdout } = await run('id', ['-u', POSTGRES_OS_USER]);
    const { stdout: gid } = await run('id', ['-g', POSTGRES_OS_USER]);
    await chown(root, Number(stdout.trim()), Number(gid.trim()));
  }
  const exec = (tool: string, args: string[]) => (asRoot ? run('runuser', ['-u', POSTGRES_OS_USER, '--', tool, ...args]) : run(tool, args));
  const port = await freePort();
  try {
    await exec('initdb', ['-D', dataDir, '-U', 'postgres', '--auth=trust', '--no-locale', '-E', 'UTF8', '--no-sync']);
    const serverOptions = [
      `-p ${port}`,
      `-k ${root}`,
      '-c listen_addresses=127.0.0.1',
      '-c fsync=off',
      '-c synchronous_commit=off',
      '-c full_page_writes=off',
    ].join(' ');
    await exec('pg_ctl', ['-D', dataDir, '-l', path.join(root, 'server.log'), '-o', serverOptions, '-w', '-t', '60', 'start']);
  } catch (err) {
    await rm(root, { recursive: true, force: true });
    throw err;
  }
  return testPostgres(`postgresql://postgres@127.0.0.1:${port}/postgres`, async () => {
    try {
      await exec('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', 'stop']);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
}

/** Runs one query on its own connection to `url`; for checking what a test wrote behind the store's back. */
export async function queryDatabase<Row>(url: string, sql: string, params: unknown[] = []): Promise<Row[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as Row[];
  } finally {
    await client.end();
  }
}

function testPostgres(adminUrl: string, stop: () => Promise<void>): TestPostgres {
  return {
    adminUrl,
    async createDatabase(label) {
      const name = `tessera_test_${label.replace(/[^a-z0-9_]/g, '_')}_${randomBytes(4).toString('hex')}`;
      await queryDatabase(adminUrl, `CREATE DATABASE "${name}"`);
      const url = new URL(adminUrl);
      url.pathname = `/${name}`;
      return {
        url: url.toString(),
        drop: async () => {
          await queryDatabase(adminUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
        },
      };
    },
    close: stop,
  };
}

function onPath(tool: string): boolean {
  return (process.env.PATH ?? '').split(path.delimiter).some((dir) => {
    try {
      accessSync(path.join(dir, tool), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
