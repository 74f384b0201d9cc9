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
import { startDynamoDb } from '../../local/dynamodb';
import { BUNDLE_DIR_ENV, LOCAL_TABLE_NAME } from '../../local/lambdas';

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

/** Set in a child's environment: it starts without the warm booking path (crash-child.ts). */
export const CRASH_CHILD_COLD_ENV = 'CRASH_CHILD_COLD';
/**
 * For a restart that books nothing (a recovery sweep, a plan apply, reads): its synchronous booking
 * path is not warmed (local/runtime.ts `warmSynchronousPath`): a child then takes ~5.5 s of CPU
 * to be ready instead of ~11 (measured 2026-11-30, load ~25). The functions it does call start on
 * their first call, as every function outside that path always does.
 */
export const BOOKS_NOTHING = { [CRASH_CHILD_COLD_ENV]: '1' };

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

/**
 * What a killed child left on disk, read with DynamoDB Local alone on its data (the folder the child's
 * local system gives it), not a whole system started only to be read: `read` gets its endpoint.
 */
export async function readChildData<T>(dataDir: string, read: (endpoint: string) => Promise<T>): Promise<T> {
  const dynamo = await startDynamoDb({ dataDir: join(dataDir, 'dynamodb'), tableName: LOCAL_TABLE_NAME });
  try {
    return await read(dynamo.endpoint);
  } finally {
    await dynamo.stop();
  }
}

/** A document client on the child's DynamoDB Local (destroy it when done). */
export function childTable(endpoint: string): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }));
}

/**
 * One client for the child's table at a time (one child system runs at a time; a new endpoint ends
 * the last one's client): the looks below run every 20-500 ms while a child works, and a client made
 * per look paid its construction and a new connection each time.
 */
let lookClient: { endpoint: string; client: DynamoDBDocumentClient } | undefined;
function clientFor(endpoint: string): DynamoDBDocumentClient {
  if (lookClient?.endpoint !== endpoint) {
    lookClient?.client.destroy();
    lookClient = { endpoint, client: childTable(endpoint) };
  }
  return lookClient.client;
}

/** Every item of the tenant in the child's table. */
export async function scanTenant(endpoint: string, tenantId: string): Promise<Array<Record<string, any>>> {
  const items: Array<Record<string, any>> = [];
  for await (const page of paginateScan(
    { client: clientFor(endpoint) },
    { TableName: 'jobrelay', FilterExpression: 'begins_with(pk, :p)', ExpressionAttributeValues: { ':p': `T#${tenantId}#` } },
  )) {
    items.push(...(page.Items ?? []));
  }
  return items;
}

/** The items of one partition of the child's table (a cheap look while it runs). */
export async function queryPartition(endpoint: string, pk: string): Promise<Array<Record<string, any>>> {
  const items: Array<Record<string, any>> = [];
  for await (const page of paginateQuery(
    { client: clientFor(endpoint) },
    { TableName: 'jobrelay', KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': pk }, ConsistentRead: true },
  )) {
    items.push(...(page.Items ?? []));
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
