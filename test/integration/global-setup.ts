/**
 * Starts the real local system once per test run: DynamoDB Local (in memory), the SQS server, the
 * Step Functions endpoint and the HTTP API. Pollers and the ticker stay off: tests drive the
 * sweeper and workers themselves, with their own clock, instead of waiting. Both integration
 * projects (parallel and serial, vitest.config.ts) name this setup: the first starts the system and
 * the lock server (test/integration/file-locks.ts), the second shares them, the last one out stops them.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startLocalSystem } from '../../local/runtime';
import { startLockServer } from './file-locks';

interface Shared {
  users: number;
  started: Promise<{ apiUrl: string; env: Record<string, string>; secretsFile: string; lockUrl: string; stop(): Promise<void> }>;
}
/** One per vitest process: each project loads this module on its own, so the state lives on globalThis. */
const shared = globalThis as { jobrelayTestSystem?: Shared };

async function start(): Promise<Awaited<Shared['started']>> {
  const secretsFile = join(mkdtempSync(join(tmpdir(), 'jobrelay-test-')), 'secrets.json');
  writeFileSync(secretsFile, '{}');
  process.env.LOG_LEVEL ??= 'WARN';
  const locks = await startLockServer();
  const system = await startLocalSystem({ port: 0, background: false, retryIntervalMs: 10, timeoutScale: 10, secretsFile }).catch(async (error) => {
    await locks.stop();
    throw error;
  });
  return {
    apiUrl: system.apiUrl,
    env: system.env,
    secretsFile,
    lockUrl: locks.url,
    stop: async () => {
      await system.stop();
      await locks.stop();
    },
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    apiUrl: string;
    localEnv: Record<string, string>;
    secretsFile: string;
    lockUrl: string;
  }
}

export async function setup(project: TestProject): Promise<void> {
  shared.jobrelayTestSystem ??= { users: 0, started: start() };
  shared.jobrelayTestSystem.users++;
  const system = await shared.jobrelayTestSystem.started;
  project.provide('apiUrl', system.apiUrl);
  project.provide('localEnv', system.env);
  project.provide('secretsFile', system.secretsFile);
  project.provide('lockUrl', system.lockUrl);
}

export async function teardown(): Promise<void> {
  const current = shared.jobrelayTestSystem;
  if (!current || --current.users > 0) return;
  shared.jobrelayTestSystem = undefined;
  await (await current.started).stop();
}
