/**
 * Starts the real local system once per test run: DynamoDB Local (in memory), the SQS server, the
 * Step Functions endpoint and the HTTP API. Pollers and the ticker stay off: tests drive the
 * sweeper and workers themselves, with their own clock, instead of waiting.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startLocalSystem, type LocalSystem } from '../../local/runtime';

let system: LocalSystem | undefined;

declare module 'vitest' {
  export interface ProvidedContext {
    apiUrl: string;
    localEnv: Record<string, string>;
    secretsFile: string;
  }
}

export async function setup(project: TestProject): Promise<void> {
  const secretsFile = join(mkdtempSync(join(tmpdir(), 'jobrelay-test-')), 'secrets.json');
  writeFileSync(secretsFile, '{}');
  process.env.LOG_LEVEL ??= 'WARN';
  system = await startLocalSystem({ port: 0, background: false, retryIntervalMs: 10, timeoutScale: 10, secretsFile });
  project.provide('apiUrl', system.apiUrl);
  project.provide('localEnv', system.env);
  project.provide('secretsFile', secretsFile);
}

export async function teardown(): Promise<void> {
  await system?.stop();
}
