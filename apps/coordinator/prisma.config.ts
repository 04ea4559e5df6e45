import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { PrismaPg } from '@prisma/adapter-pg';
import { defineConfig } from 'prisma/config';

/**
 * Prisma CLI configuration for the coordinator's job store. The CLI runs the JavaScript schema engine through a
 * driver adapter, so no native engine is downloaded: `DATABASE_URL` (postgres://...) selects a PostgreSQL
 * server, otherwise the embedded PGlite database under `TESSERA_DATA_DIR` (default `.tessera`) is used, the same
 * one the coordinator opens. The coordinator itself does not need the CLI: it applies the committed migrations at
 * start.
 */
export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: path.join('prisma', 'schema.prisma'),
  migrations: { path: path.join('prisma', 'migrations') },
  async adapter() {
    const { PrismaPg } = await import('@prisma/adapter-pg');
    const url = process.env.DATABASE_URL;
    if (url) return new PrismaPg({ connectionString: url });
    const { PGlite } = await import('@electric-sql/pglite');
    const { PrismaPGlite } = await import('pglite-prisma-adapter');
    const dbDir = path.join(process.env.TESSERA_DATA_DIR ?? '.tessera', 'db');
    mkdirSync(dbDir, { recursive: true });
    // Typed against driver-adapter-utils 6.10 while the CLI expects 6.19; compatible at run time (see
    // src/store/open-job-store.ts, pgliteAdapter).
    return new PrismaPGlite(await PGlite.create(dbDir)) as unknown as PrismaPg;
  },
});
