import { defineConfig } from 'vitest/config'

// Unit tests run in parallel; integration tests start real node processes and
// run one file at a time so they do not starve each other of the two cores.
// Tests import the TypeScript sources; the CLI processes integration tests start
// run dist/, which the integration project's global setup brings up to date first.
export default defineConfig({
  test: {
    setupFiles: ['test/setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      // Fixed-seed simulations: one process each, every node in it running the real protocol code.
      { extends: true, test: { name: 'sim', include: ['test/sim/**/*.test.ts'] } },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          fileParallelism: false,
          globalSetup: ['test/helpers/build-dist-setup.ts'],
        },
      },
    ],
  },
})
