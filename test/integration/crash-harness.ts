/**
 * The crash harness: a whole local system in a child process (test/integration/crash-child.ts: its
 * own process group of Node, DynamoDB Local's Java and the Lambda workers, its data in a folder of
 * its own), killed with SIGKILL mid-request and started again on the same data, as `npm start`
 * after a crash. Used by crash.test.ts and the attack-crash-*.test.ts files.
 * Not a test file.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, paginateQuery, paginateScan } from '@aws-sdk/lib-dynamodb';
import type { Tenant } from '../../functions/tenant/model';
import { BUNDLE_DIR_ENV } from '../../local/lambdas';

const repoRoot = resolve(import.meta.dirname, '../..');

export interface Child {
  process: ChildProcess;
  apiUrl: string;
  dynamoEndpoint: string;
  apiKey?: string;
}

/** The seed file crash-child.ts reads: the demo company as `tenantId`, with `overrides`. */
export interface CrashSeed {
  tenantId: string;
  overrides: Partial<Tenant>;
}

/** Starts the child system (with a seed file: it first creates the tenant); resolves with its first JSON line. */
export function startChild(dataDir: string, extraEnv: Record<string, string>, seedFile?: string): Promise<Child> {
  // Only the machine's own variables: the child sets up its own endpoints, bundles and clock.
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^(AWS_|JOBRELAY_|TABLE_NAME$|.*_QUEUE_URL$|.*_DLQ_URL$|.*_STATE_MACHINE_ARN$)/.test(name)),
  );
  const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'test/integration/crash-child.ts'), dataDir, ...(seedFile ? [seedFile] : [])], {
    cwd: repoRoot,
    // The functions as this run bundled them (local/bundle.ts): the child need not bundle them again.
    env: { ...env, LOG_LEVEL: 'ERROR', [BUNDLE_DIR_ENV]: process.env[BUNDLE_DIR_ENV] ?? '', ...extraEnv },
    // Its own process group, so one kill reaches Node, Java and every worker at once.
    detached: true,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolveReady, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      if (!line.startsWith('{')) return;
      const parsed = JSON.parse(line) as Child & { ready: boolean };
      if (parsed.ready) resolveReady({ ...parsed, process: child });
    });
    child.once('exit', (code) => reject(new Error(`the child system exited (code ${code}) before it was ready`)));
  });
}

/** SIGKILL to the child's whole process group; resolves once it is gone. */
export async function killGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((done) => child.once('exit', () => done()));
  try {
    process.kill(-child.pid!, 'SIGKILL');
  } catch {
    return;
  }
  await gone;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A document client on the child's DynamoDB Local (destroy it when done). */
export function childTable(endpoint: string): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }));
}

/** Every item of the tenant in the child's table. */
export async function scanTenant(endpoint: string, tenantId: string): Promise<Array<Record<string, any>>> {
  const client = childTable(endpoint);
  const items: Array<Record<string, any>> = [];
  try {
    for await (const page of paginateScan(
      { client },
      { TableName: 'jobrelay', FilterExpression: 'begins_with(pk, :p)', ExpressionAttributeValues: { ':p': `T#${tenantId}#` } },
    )) {
      items.push(...(page.Items ?? []));
    }
  } finally {
    client.destroy();
  }
  return items;
}

/** The items of one partition of the child's table (a cheap look while it runs). */
export async function queryPartition(endpoint: string, pk: string): Promise<Array<Record<string, any>>> {
  const client = childTable(endpoint);
  const items: Array<Record<string, any>> = [];
  try {
    for await (const page of paginateQuery(
      { client },
      { TableName: 'jobrelay', KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': pk }, ConsistentRead: true },
    )) {
      items.push(...(page.Items ?? []));
    }
  } finally {
    client.destroy();
  }
  return items;
}

/** A call to the child's API with the tenant's key; a refused connection (the child was killed) is status 0. */
export async function childApi(
  child: Child,
  apiKey: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: any; retryAfter?: number }> {
  try {
    const response = await fetch(`${child.apiUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}`, ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined, retryAfter: Number(response.headers.get('retry-after') ?? 0) || undefined };
  } catch {
    return { status: 0, body: undefined };
  }
}
