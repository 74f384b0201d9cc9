// Test files read the local services directly (to assert what they hold): same endpoints as the system.
import { afterAll, beforeAll, inject } from 'vitest';
import { acquireLocks, locksOf, systemLocksOf } from './file-locks';

Object.assign(process.env, inject('localEnv'), { LOG_LEVEL: 'WARN' });

// What this file drives that other files drive too (a queue it drains, a sweep): held while it runs,
// so files that share it take turns and all others run beside it; a serial file waits for every
// parallel one (test/integration/file-locks.ts). A turn may wait for many files ahead of it: the
// deadline is the run's, not a hook's.
let release: (() => void) | undefined;
// biome-ignore lint/correctness/noEmptyPattern: vitest reads a hook's fixtures from its first argument's pattern; the file is the second.
beforeAll(async ({}, suite) => {
  release = await acquireLocks(inject('lockUrl'), [...locksOf(suite.file.filepath), ...systemLocksOf(suite.file.projectName ?? '')]);
}, 1_800_000);
afterAll(() => release?.());
