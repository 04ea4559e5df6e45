import { defineConfig } from 'vitest/config';

// One test command runs every tier: unit tests beside the code, integration tests (real gRPC, PostgreSQL, S3,
// processes) in test/integration, end-to-end tests (a cluster, the built dashboard and Debian's Chromium) in test/e2e,
// which skip with a printed reason when Chromium is missing. Integration tests start their own servers and need `.ci/run`'s services only
// for the PostgreSQL/S3 variants, which skip with a printed reason when TESSERA_TEST_DATABASE_URL is unset.
export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'apps/*/src/**/*.test.ts', 'bench/**/*.test.ts', 'test/integration/**/*.test.ts', 'test/e2e/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
