import { defineConfig } from 'vitest/config';

// One test command runs every tier: unit tests beside the code, integration tests (real gRPC, PostgreSQL, S3,
// processes) in test/integration. Integration tests start their own servers and need `.ci/run`'s services only
// for the PostgreSQL/S3 variants, which skip with a printed reason when TESSERA_TEST_DATABASE_URL is unset.
export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'apps/*/src/**/*.test.ts', 'test/integration/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
