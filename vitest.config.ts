import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          // Property tests are CPU-bound: on a busy shared machine vitest's default 5 s is a race, not a check.
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/integration/global-setup.ts'],
          setupFiles: ['test/integration/setup-env.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // A condition waited on gets a generous deadline: a shared 2-core machine is often busy, and
          // vitest's default (1 s) raced the clock in the browser tests.
          expect: { poll: { timeout: 30_000 } },
          // One local system serves all files; files use their own tenants, so they may run in parallel.
          fileParallelism: true,
        },
      },
      {
        test: {
          name: 'infra',
          include: ['test/infra/**/*.test.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
