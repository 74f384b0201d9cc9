/**
 * The sharded due index at scale (issue 19 item 5): a big tenant's burst of thousands of due
 * messages does not hold a small tenant's confirmation past the first sweep round, even when both
 * tenants hash to the same shard; rows written with the old single `DUE` partition are still swept
 * (dual read) and move to their tenant's shard. The sweep runs in this process against a table and
 * a notify queue of this file's own (same DynamoDB Local and SQS server), so the burst never reaches
 * the sweeps of other test files, and theirs never reach it.
 */
import { CreateTableCommand, DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, DeleteQueueCommand } from '@aws-sdk/client-sqs';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addLedgerRows, DUE_PARTITION, duePartition, dueShardOf, notifyKeys } from '../../functions/notify/store';
import { sweepDueNotifications } from '../../functions/notify/sweep';
import { documentClient } from '../../functions/shared/clients';
import { sqsClient } from '../../functions/shared/queue-client';
import { tableDefinition } from '../../local/table';

const BIG_BURST = 2_000;
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
          addLedgerRows(big, `b${start + i}`, [{ kind: 'confirmation', channel: 'sms', dueAt: burstDue }]),
        ),
      );
    }
    // Due after every row of the burst: in due-time order it is the last of its shard.
    await addLedgerRows(small, 'b0', [{ kind: 'confirmation', channel: 'sms', dueAt: new Date(Date.now() - 1_000).toISOString() }]);
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
    expect(await sweepDueNotifications(new Date())).toBe(1);
    expect(await ledgerRow(tenantId, 'b1')).toMatchObject({ status: 'queued', duePk: duePartition(tenantId) });
  });
});
