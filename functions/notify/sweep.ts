/**
 * Queues every ledger row that is due on the notify queue. Send first, then mark: a crash between the
 * two re-sends, and the worker's exactly-once record makes that harmless; the other order could lose
 * a message. Two sweeps at once (EventBridge delivers a tick at least once; a tick may overrun the
 * next) both send a due row's message and one marks it: each sweep's messages carry its ring, the
 * mark writes it on the row, and the worker drops a message whose ring the row does not hold
 * (store.ts howToTake), so the customer is texted once.
 * The row is the record, the message the doorbell: a queued row stays in the due index until the
 * worker settles it, due again 15 minutes on (store.ts REQUEUE_AFTER_MS), or a minute on
 * for a row its writer queued and rang (FIRST_REQUEUE_AFTER_MS: nobody took it by then, so the
 * writer died before the ring or the ring was lost), so a message lost with the queue (a crash of
 * the local in-memory queue, a purge) is queued again. A requeued row's messages claim it before
 * sending (store.ts claimRow): the late original and the requeue send once; a message taken is due
 * again 15 minutes on, so one in flight is not queued again; after MAX_REQUEUES the row fails with
 * the reason instead of circling forever.
 *
 * At scale (issue 19 item 5): the due index is sharded per tenant (store.ts duePartition) and the
 * sweep reads every partition in parallel. In a partition it lists everything due (up to
 * MAX_LISTED_PER_SWEEP rows, a few pages of reads) before it queues anything, then queues the rows
 * taking tenants in turn: the first due row of every tenant, then the second of every tenant, and so
 * on. A tenant's burst of thousands of reminders therefore cannot hold another tenant's confirmation
 * past the first sweep, however deep the burst: the confirmation is among the first rows queued.
 * Passes repeat while rows were left (the time budget, the listing cap), until the budget ends.
 *
 * Idle (issue 19 item 4): a sweep first reads the due marker (store.ts DUE_MARKER_KEY), one item,
 * and reads only the shards whose earliest row may be due; a minute with nothing due is that one
 * read. A shard it read gets its hint back (its earliest row's due time), unless a writer marked it
 * meanwhile. Every FULL_SWEEP_EVERY_MINUTES, or with no marker yet, it reads every partition (the
 * legacy one too): a row whose writer died before marking it waits at most that long.
 */
import { forEachLimited } from '../shared/concurrency';
import { NOTIFY_BATCH, sendNotifyMessages } from './queue-store';
import {
  DUE_INDEX_LAG_MS,
  DUE_PARTITION,
  DUE_SHARDS,
  type DueMarker,
  duePartitionOfShard,
  duePartitions,
  earliestDue,
  listDuePage,
  markDueShards,
  markQueued,
  MAX_REQUEUES,
  newRing,
  readDueMarker,
  setDueHint,
  settleRow,
  shardOfPartition,
  type LedgerMessage,
} from './store';

/** Rows read per query (a due row is a few hundred bytes: a page stays well under DynamoDB's 1 MB). */
const READ_PAGE = 500;
/**
 * Rows of one partition a pass lists at most: the depth of backlog beyond which a tenant's row of
 * the same shard waits for the next sweep. Listing is cheap next to queueing (a page of 500 is one
 * read of ~40 units; queueing a row is a send and a write).
 */
export const MAX_LISTED_PER_SWEEP = 20_000;
/** A sweep at minute 0 of every hour (by its clock) reads every partition, whatever the marker says. */
export const FULL_SWEEP_EVERY_MINUTES = 60;

/** Whether a sweep at `at` reads every partition whatever the marker says. */
export function isFullSweep(at: Date): boolean {
  return Math.floor(at.getTime() / 60_000) % FULL_SWEEP_EVERY_MINUTES === 0;
}

/**
 * The partitions a sweep at `at` looks at, given the due marker (none: every one): the shards whose
 * hint is absent or due. Pure: `npm run bench idle` prices an empty run from it.
 */
export function partitionsToSweep(marker: DueMarker | undefined, at: Date): string[] {
  if (!marker || isFullSweep(at)) return duePartitions();
  const by = at.toISOString();
  return Array.from({ length: DUE_SHARDS }, (_, shard) => shard)
    .filter((shard) => !(marker[shard]?.next && marker[shard].next > by))
    .map(duePartitionOfShard);
}

/** Batches of one partition sent at once (each: one SendMessageBatch, then its rows marked in parallel). */
const BATCHES_IN_FLIGHT = 2;
/** A sweep stops starting batches after this long (the MinuteSweeps Lambda's timeout is 50 s). */
export const SWEEP_BUDGET_MS = 40_000;

export interface SweepOptions {
  /** Passes at most (default: until nothing is left or the budget is spent). */
  rounds?: number;
  /** Rows queued per partition per pass at most (default: all listed). */
  maxQueuedPerPartition?: number;
  budgetMs?: number;
}

/** The message of a listed row, rung by `ring`: the row's listing facts (status, requeues) are not part of it. */
function messageOf({ status: _status, requeues: _requeues, ...message }: LedgerMessage, ring: string): LedgerMessage {
  return { ...message, ring };
}

/** The rows with tenants taken in turn: every tenant's first row (oldest first), then every tenant's second, ... */
export function tenantsInTurn(rows: LedgerMessage[]): LedgerMessage[] {
  const byTenant = new Map<string, LedgerMessage[]>();
  for (const row of rows) {
    const list = byTenant.get(row.tenantId) ?? [];
    list.push(row);
    byTenant.set(row.tenantId, list);
  }
  const lists = [...byTenant.values()];
  const longest = Math.max(0, ...lists.map((list) => list.length));
  const ordered: LedgerMessage[] = [];
  for (let turn = 0; turn < longest; turn++) for (const list of lists) if (list[turn]) ordered.push(list[turn]!);
  return ordered;
}

/**
 * Sends one batch of listed rows (up to NOTIFY_BATCH) on the notify queue, each message rung by the
 * sweep's `ring`, then marks the rows the queue took; answers, per row, whether this sweep's mark won
 * (false: the queue refused it, or another sweep marked it first and its message is the row's).
 */
export async function queueBatch(batch: LedgerMessage[], at: Date, ring: string): Promise<boolean[]> {
  const sent = await sendNotifyMessages(batch.map((row) => messageOf(row, ring)));
  return Promise.all(batch.map((row, index) => (sent.has(index) ? markQueued(row, at, ring) : false)));
}

interface PassResult {
  queued: number;
  /** Rows settled as failed (lost too often): progress too. */
  settled: number;
  /** Whether the partition still has due rows this pass did not queue. */
  more: boolean;
}

async function sweepPartition(partition: string, at: Date, ring: string, deadline: number, maxQueued: number): Promise<PassResult> {
  const listed: LedgerMessage[] = [];
  let next: Record<string, unknown> | undefined;
  do {
    const page = await listDuePage(partition, at, Math.min(READ_PAGE, MAX_LISTED_PER_SWEEP - listed.length), next);
    listed.push(...page.rows);
    next = page.next;
  } while (next && listed.length < MAX_LISTED_PER_SWEEP);
  // A message lost again and again is not queued forever: the row fails with the reason.
  const given = listed.filter((row) => row.status === 'queued' && (row.requeues ?? 0) >= MAX_REQUEUES);
  for (const row of given) await settleRow(row, 'failed', `queued ${MAX_REQUEUES + 1} times without being sent (message lost)`, at);
  const ordered = tenantsInTurn(listed.filter((row) => !given.includes(row))).slice(0, maxQueued);
  const batches: LedgerMessage[][] = [];
  for (let i = 0; i < ordered.length; i += NOTIFY_BATCH) batches.push(ordered.slice(i, i + NOTIFY_BATCH));
  let queued = 0;
  const moved: string[] = [];
  await forEachLimited(
    batches,
    BATCHES_IN_FLIGHT,
    async (batch) => {
      const marked = await queueBatch(batch, at, ring);
      queued += marked.filter(Boolean).length;
      if (partition === DUE_PARTITION) moved.push(...batch.filter((_, index) => marked[index]).map((row) => row.tenantId));
    },
    // No batch is started past the budget, nor after one failed (a queue that refuses is not sent every batch).
    { until: (failures) => failures > 0 || Date.now() >= deadline },
  );
  // A legacy row moved to its tenant's shard (markQueued), due again there: the shard is marked.
  await markDueShards(moved);
  return { queued, settled: given.length, more: Boolean(next) || queued + given.length < listed.length };
}

/** A partition's earliest due time, and when the query started (real time: the due index's lag is). */
async function readEarliest(partition: string): Promise<{ next: string; readAt: number }> {
  const readAt = Date.now();
  return { next: await earliestDue(partition), readAt };
}

/** Queues what is due by `at` over the shards of the due index that may hold due rows; returns how many rows it queued. */
export async function sweepDueNotifications(at: Date, options: SweepOptions = {}): Promise<number> {
  const deadline = Date.now() + (options.budgetMs ?? SWEEP_BUDGET_MS);
  // This sweep's ring, on every message it sends and every row it marks: another sweep running at
  // the same time sends the same rows, and the worker drops the messages of the ring a row does not hold.
  const ring = newRing();
  const maxQueued = options.maxQueuedPerPartition ?? Number.POSITIVE_INFINITY;
  // Read before any shard is: a writer that marks a shard after this changes its seq, and its hint stays unset.
  const marker = await readDueMarker();
  const looked = partitionsToSweep(marker, at);
  // A shard's earliest row first (one query): a shard with nothing due is not listed, and its hint is known.
  const earliest = new Map(await Promise.all(looked.map(async (partition) => [partition, await readEarliest(partition)] as const)));
  const due = looked.filter((partition) => earliest.get(partition)!.next <= at.toISOString());
  let queued = 0;
  for (let pass = 0; due.length && pass < (options.rounds ?? Number.POSITIVE_INFINITY) && Date.now() < deadline; pass++) {
    const results = await Promise.all(due.map((partition) => sweepPartition(partition, at, ring, deadline, maxQueued)));
    const progress = results.reduce((sum, r) => sum + r.queued + r.settled, 0);
    queued += results.reduce((sum, r) => sum + r.queued, 0);
    // Another pass only when rows were left and this one moved (a failing queue does not spin).
    if (!progress || !results.some((r) => r.more)) break;
  }
  await Promise.all(
    looked.map(async (partition) => {
      const shard = shardOfPartition(partition);
      if (shard === undefined) return;
      const seen = marker?.[shard] ?? {};
      // A shard it queued from: its earliest row now (the queued ones are due again later).
      const { next, readAt } = due.includes(partition) ? await readEarliest(partition) : earliest.get(partition)!;
      // Marked shortly before the query: a row may not have reached the (eventually consistent) due index.
      if (seen.at && readAt - Date.parse(seen.at) < DUE_INDEX_LAG_MS) return;
      if (next !== seen.next) await setDueHint(shard, next, seen);
    }),
  );
  return queued;
}
