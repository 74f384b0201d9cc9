import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { defineConfig } from 'vitest/config';
import { LONGEST_CHAIN, locksCollide, locksOf, SERIAL_FILES, SERIAL_PROJECT } from './test/integration/file-locks';

const MAX_WORKERS = 4;

/**
 * vitest's order (slowest first, from the last run), with files that share a lock spread apart: a
 * file that waits for its turn holds a worker idle, so the next files picked are ones that need
 * none of the locks the files just started hold. Then the projects in the order that keeps the cores
 * busy (`byPhase`).
 */
class SpreadLocks extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const pending = await super.sort(files);
    const ordered: TestSpecification[] = [];
    while (pending.length) {
      const held = ordered.slice(1 - MAX_WORKERS).flatMap((spec) => locksOf(spec.moduleId));
      // Only within the project at the head: projects keep vitest's order here.
      const free = pending.findIndex((spec) => spec.project.name === pending[0]!.project.name && !locksCollide(locksOf(spec.moduleId), held));
      ordered.push(...pending.splice(Math.max(0, free), 1));
    }
    return byPhase(ordered);
  }
}

/**
 * The parallel integration files first; then the serial files, each followed by its share of the
 * infra and unit files. A serial file waits for every integration file before it and runs alone
 * among them (file-locks.ts `systemLocksOf`), often waiting on the local system (a CRM page's
 * delay, a sweep ahead of now): the workers it leaves free take the infra files (tens of
 * CPU-seconds of synth and bundling each) and the unit files (CPU only, no system) meanwhile. Before,
 * the unit files ran between the two phases, on cores the parallel files kept busy anyway, and the
 * last serial files ran with a core idle (issue 19: `npm test` time).
 */
function byPhase(ordered: TestSpecification[]): TestSpecification[] {
  const of = (name: string) => ordered.filter((spec) => spec.project.name === name);
  const parallel = ordered.filter((spec) => spec.project.name.startsWith('integration') && spec.project.name !== SERIAL_PROJECT);
  const serial = of(SERIAL_PROJECT);
  // The infra files first (the longest), then the unit files, spread evenly behind the serial files.
  const beside = [...of('infra'), ...of('unit')];
  const besideSerial = serial.length
    ? serial.flatMap((spec, i) => [
        spec,
        ...beside.slice(Math.round((i * beside.length) / serial.length), Math.round(((i + 1) * beside.length) / serial.length)),
      ])
    : beside;
  return [...spreadChain(parallel, LONGEST_CHAIN), ...besideSerial];
}

/**
 * The files that take turns on `lock` spread evenly over `specs`, the first of them first: the chain
 * starts with the run instead of wherever file size (a clean clone's order) puts it, and each of its
 * files is picked about when the one before it ends, so none holds a worker idle for long.
 */
function spreadChain(specs: TestSpecification[], lock: string): TestSpecification[] {
  const chain = specs.filter((spec) => locksOf(spec.moduleId).includes(lock));
  const rest = specs.filter((spec) => !chain.includes(spec));
  for (const [i, spec] of chain.entries()) rest.splice(Math.round((i * specs.length) / chain.length), 0, spec);
  return rest;
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
    // share four workers, all projects in one phase; the serial files take turns after the parallel
    // ones by a lock (file-locks.ts), beside the unit and infra files (SpreadLocks' order).
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
          name: SERIAL_PROJECT,
          // Files that look at the whole system (global counts and sweeps): alone among the integration
          // files, after the parallel ones (file-locks.ts systemLocksOf), beside unit and infra files.
          // Not a group of its own (sequence.groupOrder): a group runs only when the one before has
          // ended, so the serial files ran one at a time while a core idled (about a quarter of the run).
          include: SERIAL_FILES,
          ...integration,
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
