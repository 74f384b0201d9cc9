/**
 * The sharded due index at scale (issue 19 item 5): a big tenant's burst of thousands of due
 * messages does not hold a small tenant's confirmation past the first sweep round, even when both
 * tenants hash to the same shard; rows written with the old single `DUE` partition are still swept
 * (dual read, by the full sweep) and move to their tenant's shard; an idle minute is one read of the
 * due marker, and a row written to a shard the marker called quiet is swept when due. The sweep runs in this process against a table and
 * a notify queue of this file's own (same DynamoDB Local and SQS server), so the burst never reaches
 * the sweeps of other test files, and theirs never reach it.
 */
import { CreateTableCommand, DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, DeleteQueueCommand } from '@aws-sdk/client-sqs';
import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  putLedgerRows,
  DUE_MARKER_KEY,
  DUE_PARTITION,
  duePartition,
  dueShardOf,
  NO_ROWS,
  notifyKeys,
  readDueMarker,
  setDueHint,
} from '../../functions/notify/store';
import { isFullSweep, sweepDueNotifications } from '../../functions/notify/sweep';
import { counted } from './dynamo-calls';
import { documentClient } from '../../functions/shared/clients';
import { sqsClient } from '../../functions/shared/queue-client';
import { tableDefinition } from '../../local/table';

const BIG_BURST = 2_000;
/** Shards this file's last test marked (the race test wants one it marks afresh). */
const markedHere: number[] = [];
const saved = { table: process.env.TABLE_NAME, queue: process.env.NOTIFY_QUEUE_URL };
const table = `jobrelay-sweep-${ulid().toLowerCase()}`;
let queueUrl = '';

beforeAll(async () => {
  const dynamo = new DynamoDBClient({});
  await dynamo.send(new CreateTableCommand(tableDefinition(table)));
  dynamo.destroy();
  queueUrl = (await sqsClient().send(new CreateQueueCommand({ QueueName: `jobrelay-sweep-test-${ulid().toLowerCase()}` }))).QueueUrl!;
  process.env.TABLE_NAME = table;
  process.env.NOTIFY_QUEUE_URL = queueUrl;
});

afterAll(async () => {
  process.env.TABLE_NAME = saved.table;
  process.env.NOTIFY_QUEUE_URL = saved.queue;
  const dynamo = new DynamoDBClient({});
  await dynamo.send(new DeleteTableCommand({ TableName: table })).catch(() => undefined);
  dynamo.destroy();
  await sqsClient()
    .send(new DeleteQueueCommand({ QueueUrl: queueUrl }))
    .catch(() => undefined);
});

async function ledgerRow(tenantId: string, bookingId: string) {
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: table, Key: notifyKeys.ledgerRow(tenantId, bookingId, 'confirmation'), ConsistentRead: true }),
  );
  return Item;
}

/** A tenant id in the same due shard as `other` (the worst case for fairness). */
function sameShardAs(other: string): string {
  for (let i = 0; ; i++) {
    const candidate = `small-${ulid().toLowerCase()}-${i}`;
    if (dueShardOf(candidate) === dueShardOf(other)) return candidate;
  }
}

describe('sharded due index', () => {
  it("a small tenant's confirmation is queued in the first sweep round while a big tenant of the same shard has thousands due", {
    timeout: 300_000,
  }, async () => {
    const big = `big-${ulid().toLowerCase()}`;
    const small = sameShardAs(big);
    const burstDue = new Date(Date.now() - 60_000).toISOString();
    for (let start = 0; start < BIG_BURST; start += 50) {
      await Promise.all(
        Array.from({ length: Math.min(50, BIG_BURST - start) }, (_, i) =>
          putLedgerRows(big, `b${start + i}`, [{ kind: 'confirmation', channel: 'sms', dueAt: burstDue }]),
        ),
      );
    }
    // Due after every row of the burst: in due-time order it is the last of its shard.
    await putLedgerRows(small, 'b0', [{ kind: 'confirmation', channel: 'sms', dueAt: new Date(Date.now() - 1_000).toISOString() }]);
    expect(await ledgerRow(small, 'b0')).toMatchObject({ duePk: duePartition(big), status: 'pending' });

    // One pass that may queue only 20 rows of the shard: tenants are taken in turn, so the small
    // tenant's row is among them although 2,000 of the burst are due before it.
    const firstRound = await sweepDueNotifications(new Date(), { rounds: 1, maxQueuedPerPartition: 20 });
    expect(firstRound).toBe(20);
    expect(await ledgerRow(small, 'b0')).toMatchObject({ status: 'queued' });

    // Further rounds (here: further sweeps) queue the rest of the burst.
    let queued = firstRound;
    for (let n = await sweepDueNotifications(new Date()); n > 0; n = await sweepDueNotifications(new Date())) queued += n;
    expect(queued).toBe(BIG_BURST + 1);
    const sample = await Promise.all([0, 1_000, BIG_BURST - 1].map((i) => ledgerRow(big, `b${i}`)));
    expect(sample.map((row) => row?.status)).toEqual(['queued', 'queued', 'queued']);
  });

  it('a row written with the old single DUE partition is still swept (dual read) and moves to its shard', async () => {
    const tenantId = `legacy-${ulid().toLowerCase()}`;
    await documentClient().send(
      new PutCommand({
        TableName: table,
        Item: {
          ...notifyKeys.ledgerRow(tenantId, 'b1', 'confirmation'),
          type: 'Notification',
          tenantId,
          bookingId: 'b1',
          kind: 'confirmation',
          channel: 'sms',
          dueAt: new Date(Date.now() - 1_000).toISOString(),
          status: 'pending',
          duePk: DUE_PARTITION,
        },
      }),
    );
    // The legacy partition is read by the full sweep (every FULL_SWEEP_EVERY_MINUTES, or with no due marker: a deployment's first sweep).
    await documentClient().send(new DeleteCommand({ TableName: table, Key: DUE_MARKER_KEY }));
    expect(await sweepDueNotifications(notFull(new Date()))).toBe(1);
    expect(await ledgerRow(tenantId, 'b1')).toMatchObject({ status: 'queued', duePk: duePartition(tenantId) });
  });

  it('an idle minute is one read (the due marker); a row written to a quiet shard, due now or a few minutes on, is still swept when due', {
    timeout: 300_000,
  }, async () => {
    // Once every shard has its hint (writers' marks older than the due index's lag): one GetItem.
    const idleCalls = async () => (await counted(() => sweepDueNotifications(notFull(new Date())))).calls.map((call) => call.command);
    await expect.poll(idleCalls, { timeout: 120_000, interval: 2_000 }).toEqual(['GetItemCommand']);

    const now = `now-${ulid().toLowerCase()}`;
    markedHere.push(dueShardOf(now));
    await putLedgerRows(now, 'b1', [{ kind: 'confirmation', channel: 'sms', dueAt: new Date().toISOString() }]);
    expect(await sweepDueNotifications(notFull(new Date()))).toBe(1);
    expect(await ledgerRow(now, 'b1')).toMatchObject({ status: 'queued' });

    // Due in five minutes: not before, and then (the hint is the row's due time, not "nothing").
    await expect.poll(idleCalls, { timeout: 120_000, interval: 2_000 }).toEqual(['GetItemCommand']);
    const later = `later-${ulid().toLowerCase()}`;
    markedHere.push(dueShardOf(later));
    const dueAt = new Date(Date.now() + 5 * 60_000);
    await putLedgerRows(later, 'b1', [{ kind: 'confirmation', channel: 'sms', dueAt: dueAt.toISOString() }]);
    await expect.poll(idleCalls, { timeout: 120_000, interval: 2_000 }).toEqual(['GetItemCommand']);
    expect(await ledgerRow(later, 'b1')).toMatchObject({ status: 'pending' });
    expect(await sweepDueNotifications(notFull(new Date(dueAt.getTime() + 1_000)))).toBe(1);
    expect(await ledgerRow(later, 'b1')).toMatchObject({ status: 'queued' });
  });

  it("a sweep never sets a shard's hint over a row a writer marked after the sweep read the marker", async () => {
    // A shard this process has not marked in the last seconds (a fresh mark, not one it reuses).
    let tenantId = `race-${ulid().toLowerCase()}`;
    while (markedHere.includes(dueShardOf(tenantId))) tenantId = `race-${ulid().toLowerCase()}`;
    const shard = dueShardOf(tenantId);
    const seen = (await readDueMarker())?.[shard] ?? {};
    await putLedgerRows(tenantId, 'b1', [{ kind: 'confirmation', channel: 'sms', dueAt: new Date().toISOString() }]);
    expect(await setDueHint(shard, NO_ROWS, seen)).toBe(false);
    expect((await readDueMarker())?.[shard]?.next).toBeUndefined();
  });
});

/** `at`, or a minute on when `at` is a full sweep's minute. */
function notFull(at: Date): Date {
  return isFullSweep(at) ? new Date(at.getTime() + 60_000) : at;
}
