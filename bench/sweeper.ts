/**
 * Notifications at scale (issue 19 item 5): 20,000 ledger rows due in the same minute across 200
 * tenants (one of them a big tenant's morning burst of reminders), then sweeps as the every-minute
 * schedule runs them (one after another, each with the Lambda's time budget) until everything is
 * queued. Meanwhile a small tenant's confirmation falls due: its latency is from the moment the first
 * sweep starts to the moment its row is queued. Prints figures; asserts nothing.
 */
import { PurgeQueueCommand } from '@aws-sdk/client-sqs';
import { DeleteCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import { DUE_SHARDS, putLedgerRows, dueShardOf, notifyKeys } from '../functions/notify/store';
import { MAX_LISTED_PER_SWEEP, sweepDueNotifications } from '../functions/notify/sweep';
import { documentClient } from '../functions/shared/clients';
import { sqsClient } from '../functions/shared/queue-client';
import type { LocalSystem } from '../local/runtime';
import { recordFigure, runPool } from './common';

const MESSAGES = Number(process.env.BENCH_SWEEPER_MESSAGES ?? 20_000);
const TENANTS = 200;
/** The big tenant's share of the minute; the other 199 split the rest. */
const BIG_SHARE = 0.4;
/** Before sharding: one `DUE` partition, 20 pages of 100 per sweep, one sweep a minute. */
const OLD_PER_SWEEP = 2_000;

export async function benchSweeper(system: LocalSystem): Promise<void> {
  const run = Date.now().toString(36);
  const big = `bench-sweep-${run}-big`;
  const others = Array.from({ length: TENANTS - 1 }, (_, i) => `bench-sweep-${run}-t${i}`);
  let small = `bench-sweep-${run}-small`;
  for (let i = 0; dueShardOf(small) !== dueShardOf(big); i++) small = `bench-sweep-${run}-small${i}`;
  const bigCount = Math.round(MESSAGES * BIG_SHARE);
  const perOther = Math.floor((MESSAGES - bigCount) / others.length);
  // Every row due within one minute (the last one, so all are due when the sweeps start).
  const minute = Math.floor(Date.now() / 60_000) * 60_000 - 60_000;
  const dueAt = (i: number) => new Date(minute + (i % 60) * 1_000).toISOString();
  const rows: Array<{ tenantId: string; bookingId: string; dueAt: string }> = [
    ...Array.from({ length: bigCount }, (_, i) => ({ tenantId: big, bookingId: `b${i}`, dueAt: dueAt(i) })),
    ...others.flatMap((tenantId) => Array.from({ length: perOther }, (_, i) => ({ tenantId, bookingId: `b${i}`, dueAt: dueAt(i) }))),
  ];
  const writeMs = await runPool(rows, 32, async ({ tenantId, bookingId, dueAt }) => {
    await putLedgerRows(tenantId, bookingId, [{ kind: 'reminder_day_of', channel: 'sms', dueAt }]);
  });

  // The small tenant's confirmation is due now, behind the whole burst of its shard in due-time order.
  await putLedgerRows(small, 'b0', [{ kind: 'confirmation', channel: 'sms', dueAt: new Date().toISOString() }]);
  const smallKey = notifyKeys.ledgerRow(small, 'b0', 'confirmation');
  const started = performance.now();
  let smallQueuedMs: number | undefined;
  let done = false;
  const watch = (async () => {
    while (!done && smallQueuedMs === undefined) {
      const { Item } = await documentClient().send(new GetCommand({ TableName: process.env.TABLE_NAME, Key: smallKey, ConsistentRead: true }));
      if (Item?.status === 'queued') smallQueuedMs = performance.now() - started;
      else await new Promise((r) => setTimeout(r, 20));
    }
  })();
  let queued = 0;
  let sweeps = 0;
  let firstSweepMs = 0;
  for (let n = 1; n > 0; sweeps++) {
    n = await sweepDueNotifications(new Date());
    queued += n;
    if (sweeps === 0) firstSweepMs = performance.now() - started;
  }
  const totalMs = performance.now() - started;
  done = true;
  await watch;
  // The synthetic rows go, then their messages: left queued, the running system's own sweeps would
  // queue them again a minute later, and the sections after this one would measure a send worker
  // failing 20,000 messages of tenants that do not exist (a whole `npm run bench` did).
  const removeMs = await runPool([...rows, { tenantId: small, bookingId: 'b0', kind: 'confirmation' as const }], 32, async (row) => {
    const kind = 'kind' in row ? row.kind : 'reminder_day_of';
    await documentClient().send(new DeleteCommand({ TableName: process.env.TABLE_NAME, Key: notifyKeys.ledgerRow(row.tenantId, row.bookingId, kind) }));
  });
  await sqsClient()
    .send(new PurgeQueueCommand({ QueueUrl: system.sqs.queueUrl('notify') }))
    .catch(() => undefined);

  console.log(`\nNotification sweeper at scale (${DUE_SHARDS} due shards; local DynamoDB and SQS)\n`);
  console.log(
    `${rows.length + 1} messages due in one minute across ${TENANTS + 1} tenants (the big one: ${bigCount}; written in ${(writeMs / 1000).toFixed(1)} s)`,
  );
  console.log(
    `queued ${queued} in ${(totalMs / 1000).toFixed(1)} s over ${sweeps - 1} sweep(s) with work: ${((queued / totalMs) * 1000).toFixed(0)} messages/s`,
  );
  console.log(
    `small tenant's confirmation (same shard as the burst) queued after ${smallQueuedMs === undefined ? 'never' : `${(smallQueuedMs / 1000).toFixed(2)} s`} (tenants taken in turn; up to ${MAX_LISTED_PER_SWEEP} rows listed per shard per sweep)`,
  );
  console.log(
    `before (one DUE partition, ${OLD_PER_SWEEP} per sweep, one sweep a minute): ${Math.ceil(queued / OLD_PER_SWEEP)} minutes to queue them all; a confirmation due after the burst waited as long`,
  );
  console.log(
    `(the ${rows.length + 1} synthetic rows removed in ${(removeMs / 1000).toFixed(1)} s and their messages purged: the sections after this one do not send them)`,
  );
  console.log('| figure | now | target |');
  console.log(`| time to queue ${queued} due messages | ${(totalMs / 1000).toFixed(1)} s | within the minute |`);
  console.log(`| small tenant's confirmation meanwhile | ${smallQueuedMs === undefined ? 'never' : `${(smallQueuedMs / 1000).toFixed(2)} s`} | first sweep |`);
  recordFigure({
    figure: `time to queue ${queued} messages due in one minute (${TENANTS + 1} tenants)`,
    now: `${(totalMs / 1000).toFixed(1)} s`,
    target: 'within the minute',
    met: totalMs < 60_000,
  });
  recordFigure({
    figure: "a small tenant's confirmation meanwhile",
    now: smallQueuedMs === undefined ? 'never' : `${(smallQueuedMs / 1000).toFixed(2)} s (first sweep ${(firstSweepMs / 1000).toFixed(2)} s)`,
    target: 'queued by the first sweep',
    met: smallQueuedMs !== undefined && smallQueuedMs <= firstSweepMs,
  });
}
