import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { defineConfig } from 'vitest/config';
import { locksCollide, locksOf, SERIAL_FILES } from './test/integration/file-locks';

const MAX_WORKERS = 4;

/**
 * vitest's order (slowest first, from the last run), with files that share a lock spread apart: a
 * file that waits for its turn holds a worker idle, so the next files picked are ones that need
 * none of the locks the files just started hold.
 */
class SpreadLocks extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const pending = await super.sort(files);
    const ordered: TestSpecification[] = [];
    while (pending.length) {
      const held = ordered.slice(1 - MAX_WORKERS).flatMap((spec) => locksOf(spec.moduleId));
      // Only within the project at the head: projects and groups keep vitest's order.
      const free = pending.findIndex((spec) => spec.project.name === pending[0]!.project.name && !locksCollide(locksOf(spec.moduleId), held));
      ordered.push(...pending.splice(Math.max(0, free), 1));
    }
    return ordered;
  }
}

/** Both integration projects: one local system (started once, shared), generous deadlines. */
const integration = {
  globalSetup: ['test/integration/global-setup.ts'],
  setupFiles: ['test/integration/setup-env.ts'],
  // Never shorter than the waits inside a test (a trail or a settled booking: up to 120 s on a loaded machine).
  testTimeout: 300_000,
  hookTimeout: 120_000,
  // A condition waited on gets a generous deadline: a shared 2-core machine is often busy, and
  // vitest's default (1 s) raced the clock in the browser tests.
  expect: { poll: { timeout: 30_000 } },
};

export default defineConfig({
  test: {
    // Files at once (vitest's default on 2 cores is 1: every file waited for the one before). Most
    // integration time is waiting on the local system, not CPU, so unit, infra and integration files
    // share four workers; the serial project runs after them, one file at a time.
    maxWorkers: MAX_WORKERS,
    sequence: { sequencer: SpreadLocks },
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
          exclude: SERIAL_FILES,
          ...integration,
          // One local system serves all files; files use their own tenants, so they run in parallel;
          // files that drive a shared queue or sweep take turns on it (test/integration/file-locks.ts).
          fileParallelism: true,
        },
      },
      {
        test: {
          name: 'integration-serial',
          // Files that look at the whole system (global counts and sweeps): alone, after the rest.
          include: SERIAL_FILES,
          ...integration,
          maxWorkers: 1,
          sequence: { groupOrder: 1 },
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
