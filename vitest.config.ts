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

/**
 * Integration files that need a process of their own: they point a process-wide client at a system of
 * their own before its first use (functions/shared/workflow-client.ts keeps one SFN client per process).
 */
const ISOLATED_FILES = ['test/integration/workflow-failure-signals.test.ts'];

/** Every integration project: one local system (started once, shared), generous deadlines. */
const integration = {
  globalSetup: ['test/integration/global-setup.ts'],
  setupFiles: ['test/integration/setup-env.ts'],
  // Never shorter than the waits inside a test (a trail or a settled booking: up to 120 s on a loaded machine).
  testTimeout: 300_000,
  hookTimeout: 120_000,
  // A condition waited on gets a generous deadline: a shared 2-core machine is often busy, and
  // vitest's default (1 s) raced the clock in the browser tests. Looked at every 250 ms, not vitest's
  // 50: each look is an API call or a table read (a Lambda invocation, DynamoDB Local's CPU), and a
  // wait of seconds spun 20 of them a second for an answer 200 ms sooner (a poll that names its
  // own interval keeps it).
  expect: { poll: { timeout: 30_000, interval: 250 } },
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
          // Pure code with no module state a file leaves behind (a file that sets a variable puts it
          // back): files share worker threads and their imports instead of each loading zod, the
          // schemas and the registry afresh in a new process (issue 19: 90 -> 50 CPU-seconds).
          pool: 'threads',
          isolate: false,
          // Property tests are CPU-bound: on a busy shared machine vitest's default 5 s is a race, not a
          // check, and so was 60 s beside two CPU loops. A hang guard, not a speed check.
          testTimeout: 300_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          exclude: [...SERIAL_FILES, ...ISOLATED_FILES],
          ...integration,
          // A worker runs file after file in one process: the helpers, the functions' modules and the
          // local Lambda instances a file warms (pollOnce, drain) are loaded once per worker, not once
          // per file. Files use their own tenants, and a file that changes a variable puts it back
          // (setup-env.ts sets the system's again before each file); files that need a fresh process
          // are ISOLATED_FILES.
          isolate: false,
          // One local system serves all files; files use their own tenants, so they run in parallel;
          // files that drive a shared queue or sweep take turns on it (test/integration/file-locks.ts).
          fileParallelism: true,
        },
      },
      {
        test: {
          // Beside the parallel files, each in a process of its own.
          name: 'integration-isolated',
          include: ISOLATED_FILES,
          ...integration,
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
