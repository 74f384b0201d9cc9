/**
 * The notification ledger and the local outbox. Ledger rows sit in the booking's partition
 * (`NOTIFY#<kind>`); pending rows carry `duePk`/`dueAt`, the sparse GSI `byDue` the sweeper reads,
 * `duePk` one of DUE_SHARDS partitions by tenant (duePartition).
 * Sending is one conditional write of the row (pending/queued -> sent, with what was sent), so a
 * message is recorded once.
 */
import { createHash, randomBytes } from 'node:crypto';
import { PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type BookingRecord, bookingKeys } from '../booking/store';
import { type CustomerRecord, customerKeys, withProfile } from '../recognise/store';
import { documentClient } from '../shared/clients';
import { config } from '../shared/config';
import type { NotificationKind } from './catalogue';
import type { MessageParties, NotifyMessage } from './schemas';
import type { PlannedNotification } from './plan';
import { getItem, getItems, queryPages, queryPartition, queryPrefix, sendConditional } from '../shared/dynamo';
import type { IndexName } from '../shared/table';
import type { JobType, Technician, Tenant } from '../tenant/model';
import { jobTypeFromItem, technicianFromItem, tenantFromItem, tenantKeys } from '../tenant/store';

/** The sparse due-work index (functions/shared/table.ts declares it). */
export const DUE_INDEX: IndexName = 'byDue';
/**
 * How many partitions of the due index notifications spread over: a tenant's rows sit in one
 * (`DUE#<hash(tenant) mod DUE_SHARDS>`, duePartition), so no single partition holds every tenant's
 * due messages and the sweep queries them in parallel. The one place the number is.
 */
export const DUE_SHARDS = 16;
/**
 * The single partition every row used before the index was sharded. Dual read: the sweep still
 * lists it (duePartitions), and markQueued/deferRow move each row they touch to its tenant's shard,
 * so it empties on its own; drop it from duePartitions once a deployment's legacy partition is empty.
 */
export const DUE_PARTITION = 'DUE';

/** The shard of a tenant's due rows, 0 .. DUE_SHARDS - 1 (stable: the first 32 bits of sha256(tenantId)). */
export function dueShardOf(tenantId: string): number {
  return createHash('sha256').update(tenantId).digest().readUInt32BE(0) % DUE_SHARDS;
}

/** The due-index partition key of a tenant's notification rows: every writer and reader goes through it. */
export function duePartition(tenantId: string): string {
  return duePartitionOfShard(dueShardOf(tenantId));
}

export function duePartitionOfShard(shard: number): string {
  return `${DUE_PARTITION}#${shard}`;
}

/** Every partition the sweep reads: the shards, then the legacy single partition (dual read). */
export function duePartitions(): string[] {
  return [...Array.from({ length: DUE_SHARDS }, (_, shard) => duePartitionOfShard(shard)), DUE_PARTITION];
}

/**
 * The due marker (issue 19 item 4: an idle sweep is one read, not a query per shard): one item that
 * says, per shard, when its earliest row falls due. Per shard s: `next<s>`, a lower bound on every
 * row's due time in the shard (NO_ROWS when it has none), which only the sweep sets, after reading
 * the shard; `seq<s>` and `at<s>`, which every writer that adds a row or moves one earlier bumps, and
 * `next<s>` it removes (markDueShards), in one unconditional write after its row is written. The
 * sweep queries a shard only when `next<s>` is absent or due, and sets it only if `seq<s>` is what it
 * read before it looked (so a row written meanwhile is never hidden behind a later hint) and the last
 * writer is older than DUE_INDEX_LAG_MS (the due index is eventually consistent). A marker that is
 * missing, a crash between a row and its mark, and the legacy partition are covered by a full sweep
 * (sweep.ts FULL_SWEEP_EVERY_MINUTES).
 */
export const DUE_MARKER_KEY = { pk: 'NOTIFY#DUE', sk: 'MARKER' } as const;
/** `next<s>` of a shard with no row in the due index: sorts after every ISO time. */
export const NO_ROWS = '~';
/** A shard written to this recently is not given a hint yet: its row may not be in the due index yet. */
export const DUE_INDEX_LAG_MS = 10_000;

/** Per shard: `next` (the hint), `seq` and `at` (the last writer's), as the marker holds them. */
export type DueMarker = Record<number, { next?: string; seq?: number; at?: string }>;

export async function readDueMarker(): Promise<DueMarker | undefined> {
  const item = await getItem(DUE_MARKER_KEY, { consistent: true });
  if (!item) return undefined;
  const marker: DueMarker = {};
  for (let shard = 0; shard < DUE_SHARDS; shard++) marker[shard] = { next: item[`next${shard}`], seq: item[`seq${shard}`], at: item[`at${shard}`] };
  return marker;
}

/**
 * After writing rows of these tenants (or moving one earlier): their shards are to be read again.
 * `at<s>` is the real time (not a workflow's or a test's clock): the sweep compares it with its own.
 */
export async function markDueShards(tenantIds: string[]): Promise<void> {
  const at = new Date();
  // A shard this process marked less than MARK_REUSE_MS ago needs no new mark: no sweep sets its hint
  // from a query started within DUE_INDEX_LAG_MS of that mark (sweep.ts), and a row written since has
  // been in the due index for at least DUE_INDEX_LAG_MS - MARK_REUSE_MS by then.
  const marked = recentMarks.get(config.tableName) ?? new Map<number, number>();
  recentMarks.set(config.tableName, marked);
  const shards = [...new Set(tenantIds.map(dueShardOf))].filter((shard) => !(at.getTime() - (marked.get(shard) ?? 0) < MARK_REUSE_MS));
  if (!shards.length) return;
  await documentClient().send(
    new UpdateCommand({
      TableName: config.tableName,
      Key: DUE_MARKER_KEY,
      UpdateExpression: `SET ${shards.map((s) => `at${s} = :at`).join(', ')} ADD ${shards.map((s) => `seq${s} :one`).join(', ')} REMOVE ${shards.map((s) => `next${s}`).join(', ')}`,
      ExpressionAttributeValues: { ':at': at.toISOString(), ':one': 1 },
    }),
  );
  for (const shard of shards) marked.set(shard, at.getTime());
}

/** How long a mark of this process stands for its shard (half the due index's lag allowance). */
export const MARK_REUSE_MS = DUE_INDEX_LAG_MS / 2;
/** Per table, per shard: when this process last marked it (epoch ms). */
const recentMarks = new Map<string, Map<number, number>>();

/** Sets a shard's hint, unless a writer marked it since `seen` was read; false when it did. */
export async function setDueHint(shard: number, next: string, seen: { seq?: number }): Promise<boolean> {
  return sendConditional(
    new UpdateCommand({
      TableName: config.tableName,
      Key: DUE_MARKER_KEY,
      UpdateExpression: `SET next${shard} = :next`,
      ConditionExpression: seen.seq === undefined ? `attribute_not_exists(seq${shard})` : `seq${shard} = :seq`,
      ExpressionAttributeValues: { ':next': next, ...(seen.seq === undefined ? {} : { ':seq': seen.seq }) },
    }),
  );
}

/** The due time of a partition's earliest row (whether due or not), NO_ROWS when it has none. */
export async function earliestDue(partition: string): Promise<string> {
  const { Items = [] } = await documentClient().send(
    new QueryCommand({
      TableName: config.tableName,
      IndexName: DUE_INDEX,
      KeyConditionExpression: 'duePk = :due',
      ExpressionAttributeValues: { ':due': partition },
      ProjectionExpression: 'dueAt',
      Limit: 1,
    }),
  );
  return (Items[0]?.dueAt as string | undefined) ?? NO_ROWS;
}

/** The shard of a due-index partition; undefined for the legacy single partition. */
export function shardOfPartition(partition: string): number | undefined {
  const match = /^DUE#(\d+)$/.exec(partition);
  return match ? Number(match[1]) : undefined;
}

export const notifyKeys = {
  ledgerRow: (tenantId: string, bookingId: string, kind: NotificationKind, technicianId?: string, version = 1) => ({
    pk: bookingKeys.partition(tenantId, bookingId),
    sk: ['NOTIFY', kind, technicianId, version > 1 ? `v${version}` : undefined].filter(Boolean).join('#'),
  }),
  ledgerPrefix: 'NOTIFY#',
  /** The tenant's outbox: sent ledger rows in the due index under it (recordSent), and the items of messages sent before. */
  outboxPartition: (tenantId: string) => `T#${tenantId}#OUTBOX`,
  /** An outbox item of a message sent before the ledger row recorded it (read only: activity, listOutbox). */
  outboxMessage: (tenantId: string, sentAt: string, bookingId: string, rowId: string) => ({
    pk: notifyKeys.outboxPartition(tenantId),
    sk: `MSG#${sentAt}#${bookingId}#${rowId}`,
  }),
};

/** A ledger row as the sweeper lists it: the queue message plus how it stands. */
export type LedgerMessage = NotifyMessage & {
  /** As listed by the sweeper: `queued` means a lost message queued again. Not part of the message. */
  status?: string;
  /** How often the sweeper queued it again (listed by the sweeper, not part of the message). */
  requeues?: number;
};

function rowKey(row: LedgerMessage) {
  return notifyKeys.ledgerRow(row.tenantId, row.bookingId, row.kind, row.technicianId, row.version);
}

/** A row a writer wrote: `queued` (due by its `queuedAt`) with the `ring` its doorbell must carry (NotifyMessage.ring). */
export type WrittenRow = PlannedNotification & { queued: boolean; ring?: string };

/**
 * A fresh ring: which ringing of a row a message is (NotifyMessage.ring), written on the row by the
 * write that queues it (ledgerRowItem, markQueued). Random: two sweeps at once never share one.
 */
export function newRing(): string {
  return randomBytes(9).toString('base64url');
}

/**
 * Writes planned rows and answers with the ones it wrote (a row that already exists is left as it
 * is). With `queuedAt`, a row due by then is written already `queued` (the mark markQueued makes),
 * due again FIRST_REQUEUE_AFTER_MS later: the writer rings its doorbell itself (sendNotifyMessages)
 * with the row's `ring`.
 * The worker that takes the message moves the deadline to REQUEUE_AFTER_MS (claimRow) or settles the
 * row first; a row still queued at its deadline had its doorbell lost (the writer died before the
 * ring, or the queue lost it), and the sweeper's next tick queues it again.
 * Writers go through notify/queue-now.ts addLedgerRows, which does both; without `queuedAt` every
 * row is written pending for the sweeper (tests and benches that set up the sweeper's work).
 */
export async function putLedgerRows(
  tenantId: string,
  bookingId: string,
  rows: PlannedNotification[],
  options: { queuedAt?: Date; parties?: MessageParties } = {},
): Promise<WrittenRow[]> {
  const queuedAt = options.queuedAt?.toISOString();
  const written = await Promise.all(
    rows.map(async (row) => {
      const { Item, written } = ledgerRowItem(tenantId, bookingId, row, queuedAt, options.parties);
      const ok = await sendConditional(new PutCommand({ TableName: config.tableName, Item, ConditionExpression: 'attribute_not_exists(pk)' }));
      return ok ? written : undefined;
    }),
  );
  const added = written.filter((row) => row !== undefined);
  // The sweep reads this tenant's shard again (a row due sooner than its hint may have been added).
  if (added.length) await markDueShards([tenantId]);
  return added;
}

/**
 * A planned row as putLedgerRows writes it (put it only where none exists): due by `queuedAt` (ISO),
 * it is written already `queued`, with a fresh ring (`written.ring`: its doorbell carries it). Also
 * the item of notify/schedule-store.ts's transaction. `parties`: the ids the worker reads with the
 * row (NotifyMessage.parties), listed with it by the sweeper.
 */
export function ledgerRowItem(tenantId: string, bookingId: string, row: PlannedNotification, queuedAt?: string, parties?: MessageParties) {
  const queued = queuedAt !== undefined && row.dueAt <= queuedAt;
  const ring = queued ? newRing() : undefined;
  const named = partiesOf(parties);
  const Item = {
    ...notifyKeys.ledgerRow(tenantId, bookingId, row.kind, row.technicianId, row.version),
    type: 'Notification',
    tenantId,
    bookingId,
    ...row,
    ...(named ? { parties: named } : {}),
    status: 'pending',
    duePk: duePartition(tenantId),
    ...(queued ? { status: 'queued', queuedAt, dueAt: new Date(Date.parse(queuedAt) + FIRST_REQUEUE_AFTER_MS).toISOString(), requeues: 0, ring } : {}),
  };
  const written: WrittenRow = { ...row, queued, ...(ring ? { ring } : {}) };
  return { Item, written };
}

/** The ids that are set, or undefined when none is (a row or message names no parties then). */
export function partiesOf(parties: MessageParties | undefined): MessageParties | undefined {
  const named = Object.fromEntries(Object.entries(parties ?? {}).filter(([, id]) => typeof id === 'string' && id.length > 0));
  return Object.keys(named).length ? named : undefined;
}

/** One page of a due-index partition's rows due by `dueBy`, oldest first; `next` continues it. */
export async function listDuePage(
  partition: string,
  dueBy: Date,
  limit: number,
  startKey?: Record<string, unknown>,
): Promise<{ rows: LedgerMessage[]; next?: Record<string, unknown> }> {
  const { Items = [], LastEvaluatedKey } = await documentClient().send(
    new QueryCommand({
      TableName: config.tableName,
      IndexName: DUE_INDEX,
      KeyConditionExpression: 'duePk = :due AND dueAt <= :by',
      ExpressionAttributeValues: { ':due': partition, ':by': dueBy.toISOString() },
      Limit: limit,
      ExclusiveStartKey: startKey,
    }),
  );
  const rows = Items.map((item) => ({
    tenantId: item.tenantId,
    bookingId: item.bookingId,
    kind: item.kind,
    technicianId: item.technicianId,
    version: item.version,
    ...(item.parties ? { parties: item.parties } : {}),
    status: item.status,
    requeues: item.requeues,
  }));
  return { rows, next: LastEvaluatedKey };
}

/** Up to `limit` rows due by `dueBy` over every partition (duePartitions), oldest first. */
export async function listDueRows(dueBy: Date, limit: number): Promise<LedgerMessage[]> {
  const pages = await Promise.all(duePartitions().map((partition) => listDuePage(partition, dueBy, limit)));
  return pages.flatMap((page) => page.rows).slice(0, limit);
}

/**
 * A queued row whose message has not settled it this long after it was queued is taken as lost (the
 * queue is the doorbell, the row the record): the sweeper queues it again, at most MAX_REQUEUES times.
 * The deadline of a row the sweeper queued, of every requeue, and of a row a worker took (claimRow):
 * a message still in a busy queue, or a worker still at it, is not queued twice.
 */
export const REQUEUE_AFTER_MS = 15 * 60_000;
/**
 * The first deadline of a row its writer wrote `queued` (issue 19): a doorbell rung at once is taken
 * within seconds, so a row nobody took after this was never rung (the writer died between the write
 * and the ring) or its ring was lost, and the sweeper's next tick (every minute) queues it again:
 * an on-call page or a cancellation text goes one to two minutes late instead of fifteen. Taken, the
 * row is due again REQUEUE_AFTER_MS on (claimRow); a message merely slow (a backlog) meets its
 * requeue at the row's claim and sends nothing twice.
 */
export const FIRST_REQUEUE_AFTER_MS = 60_000;
export const MAX_REQUEUES = 3;
/**
 * How long after taking a row a NotifyWorker may still be calling the provider: its timeout (20 s,
 * functions/registry.ts) and some clock skew. A worker that reads a row further than this from its
 * deadline sends without a claim (no sweep can queue it again before the worker is done); a claim
 * older than this belongs to a worker that is gone.
 */
export const IN_FLIGHT_BOUND_MS = 30_000;

/**
 * pending -> queued (or a lost queued row queued again), by the message `ring` (the sweep's, which
 * its messages carry; none: a message without one). The row stays in the due index, due again
 * REQUEUE_AFTER_MS later, until the worker settles it (sent, suppressed, failed, deferred). False
 * when another sweep got there first: its ring is on the row, and this sweep's message, sent already,
 * is dropped by the worker (howToTake).
 */
export async function markQueued(row: LedgerMessage, at: Date, ring?: string): Promise<boolean> {
  return sendConditional(
    new UpdateCommand({
      TableName: config.tableName,
      Key: rowKey(row),
      // duePk too: a row listed from the legacy single partition moves to its tenant's shard.
      UpdateExpression: `SET #status = :queued, queuedAt = :at, dueAt = :again, duePk = :due${ring ? ', ring = :ring' : ''} ADD requeues :requeue${ring ? '' : ' REMOVE ring'}`,
      ConditionExpression: '#status = :pending OR (#status = :queued AND dueAt <= :at AND (attribute_not_exists(requeues) OR requeues < :max))',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':queued': 'queued',
        ':pending': 'pending',
        ':at': at.toISOString(),
        ':again': new Date(at.getTime() + REQUEUE_AFTER_MS).toISOString(),
        ':requeue': row.status === 'queued' ? 1 : 0,
        ':max': MAX_REQUEUES,
        ':due': duePartition(row.tenantId),
        ...(ring ? { ':ring': ring } : {}),
      },
    }),
  );
}

/** Whether a ledger row still waits to be sent (a doorbell rung twice finds it settled and stops). */
function isOpenRow(item: Record<string, unknown> | undefined): boolean {
  // Membership messages and rows written before the ledger existed have no row: send as before.
  return !item || item.status === 'pending' || item.status === 'queued';
}

/** How an open ledger row stands when the worker reads it: what deciding on a claim needs. */
export interface RowStanding {
  status: 'pending' | 'queued';
  dueAt?: string;
  requeues?: number;
  takenBy?: string;
  /** The ring that queued it (NotifyMessage.ring). */
  ring?: string;
}

function standingOf(item: Record<string, unknown> | undefined): RowStanding | undefined {
  if (!item || (item.status !== 'pending' && item.status !== 'queued')) return undefined;
  return {
    status: item.status,
    ...(typeof item.dueAt === 'string' ? { dueAt: item.dueAt } : {}),
    ...(typeof item.requeues === 'number' ? { requeues: item.requeues } : {}),
    ...(typeof item.takenBy === 'string' ? { takenBy: item.takenBy } : {}),
    ...(typeof item.ring === 'string' ? { ring: item.ring } : {}),
  };
}

/**
 * How the worker takes a row before sending the message `ring` (NotifyMessage.ring), so that two
 * messages of one row never both reach the provider, at one conditional write per message in the
 * common case (issue 19):
 * - 'send', no claim written: the row is queued by this very ring (its sweep or writer wrote the ring
 *   on the row in the write that queued it), once (never queued again), nobody took it, and its
 *   deadline is further than IN_FLIGHT_BOUND_MS, so no sweep can queue it again before this worker is
 *   done: this message is the row's one doorbell. A message and a row from before rings (neither has
 *   one) are taken so too, as before.
 * - 'drop', nothing written: the same, but queued by another ring. That ring's message is on its way
 *   (the sweeper sends first and marks after; the writer writes, then rings, and sets a refused row
 *   back to pending), or, lost, the sweeper queues the row again at its deadline. Two sweeps at once
 *   (a schedule delivering its tick twice, a tick overrunning the next) both send a due row's message
 *   and one marks the row: the other's message ends here, whichever of the two comes first.
 * - 'claim' (claimRow) otherwise: a late doorbell (a requeue may be on its way), a row queued again
 *   (the requeue and the late original meet), a row another message took, a pending row (a sweep's
 *   message read before the sweep marked it).
 */
export function howToTake(row: RowStanding, ring: string | undefined, at: Date): 'send' | 'drop' | 'claim' {
  const far = row.dueAt !== undefined && Date.parse(row.dueAt) - at.getTime() > IN_FLIGHT_BOUND_MS;
  if (row.status !== 'queued' || row.takenBy || !far) return 'claim';
  if (row.ring !== ring) return 'drop';
  return row.requeues ? 'claim' : 'send';
}

/**
 * The worker takes an open row for the message `claimant` (its SQS message id: a redelivery of the
 * same message takes it again) before calling the provider: one conditional write that fails when
 * another message holds it (taken less than IN_FLIGHT_BOUND_MS ago) or it was settled, or when another
 * ring queued it since this worker read it and its deadline is ahead (that ring's message may be
 * sending without a claim: howToTake). A queued row taken is due again REQUEUE_AFTER_MS on: the
 * sweeper leaves a message in flight alone, and a sweep that sent a message meanwhile cannot mark it
 * (a pending row keeps its due time: quiet hours' deferral). False: send nothing, the row is another's.
 */
export async function claimRow(row: LedgerMessage, standing: RowStanding, claimant: string, at: Date): Promise<boolean> {
  const queued = standing.status === 'queued';
  return sendConditional(
    new UpdateCommand({
      TableName: config.tableName,
      Key: rowKey(row),
      UpdateExpression: `SET takenBy = :me, takenAt = :at${queued ? ', dueAt = :again' : ''}`,
      // Queued by this ring (or, for a message without one, by none), or past its deadline: whoever
      // queued it is done or gone by then (a worker that sent without a claim read it further away).
      ConditionExpression: `#status IN (:pending, :queued) AND (takenBy = :me OR ((attribute_not_exists(takenBy) OR takenAt <= :lapsed) AND (#status = :pending OR dueAt <= :at OR ${row.ring ? 'ring = :ring' : 'attribute_not_exists(ring)'})))`,
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':me': claimant,
        ':at': at.toISOString(),
        ':lapsed': new Date(at.getTime() - IN_FLIGHT_BOUND_MS).toISOString(),
        ':pending': 'pending',
        ':queued': 'queued',
        ...(queued ? { ':again': new Date(at.getTime() + REQUEUE_AFTER_MS).toISOString() } : {}),
        ...(row.ring ? { ':ring': row.ring } : {}),
      },
    }),
  );
}

/**
 * A person redrove a message that had failed for good (its notification_failed review item: a phone
 * added, a template or number mended): the failed row opens again, queued and taken by the redriven
 * message `claimant` in one conditional write, back in its due index (the sweeper's safety net),
 * requeues counted afresh, no ring (the redriven message has none). False when it is not failed
 * (another redrive got there first: it sends).
 */
export async function reopenFailedRow(row: LedgerMessage, claimant: string, at: Date): Promise<boolean> {
  return sendConditional(
    new UpdateCommand({
      TableName: config.tableName,
      Key: rowKey(row),
      UpdateExpression:
        'SET #status = :queued, queuedAt = :at, dueAt = :again, duePk = :due, requeues = :zero, takenBy = :me, takenAt = :at, reopenedAt = :at REMOVE statusReason, settledAt, ring',
      ConditionExpression: '#status = :failed',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':queued': 'queued',
        ':failed': 'failed',
        ':at': at.toISOString(),
        ':again': new Date(at.getTime() + REQUEUE_AFTER_MS).toISOString(),
        ':due': duePartition(row.tenantId),
        ':zero': 0,
        ':me': claimant,
      },
    }),
  );
}

/** Items read already, by key (`pk`, NUL, `sk`): present and undefined when read and absent. */
export type Prefetched = Map<string, Awaited<ReturnType<typeof getItems>>[number]>;

const keyId = (key: { pk: string; sk: string }) => `${key.pk}\u0000${key.sk}`;

/** The keys of the people and the job a message names: the customer, the job type, the technicians. */
function partyKeys(tenantId: string, named: { customerId?: string; jobTypeId?: string; technicianIds: Array<string | undefined> }) {
  const technicianIds = [...new Set(named.technicianIds.filter((id): id is string => Boolean(id)))];
  return {
    customer: named.customerId ? customerKeys.customer(tenantId, named.customerId) : undefined,
    jobType: named.jobTypeId ? tenantKeys.jobType(tenantId, named.jobTypeId) : undefined,
    technicians: technicianIds.map((id) => tenantKeys.technician(tenantId, id)),
  };
}

/**
 * What sending a row reads first, in one request (issue 19: was three, then two): whether the row is
 * still open, the booking it is about (absent for a membership's or an inbound text's messages), the
 * tenant's configuration, and the parties the message names (`parties`, its writer's ids, and the
 * technician it goes to), which readMessageParties then takes from `prefetched` instead of reading
 * them again. Consistent: a row settled a moment ago is seen settled.
 */
export async function readRowSubject(
  row: LedgerMessage,
): Promise<{ open: boolean; failed: boolean; standing?: RowStanding; booking?: BookingRecord; tenant?: Tenant; prefetched: Prefetched }> {
  const named = partyKeys(row.tenantId, {
    customerId: row.parties?.customerId,
    jobTypeId: row.parties?.jobTypeId,
    technicianIds: [row.technicianId, row.parties?.technicianId],
  });
  const parties = [named.customer, named.jobType, ...named.technicians].filter((key) => key !== undefined);
  const [rowItem, booking, tenant, ...items] = await getItems(
    [rowKey(row), bookingKeys.booking(row.tenantId, row.bookingId), tenantKeys.tenant(row.tenantId), ...parties],
    { consistent: true },
  );
  const prefetched: Prefetched = new Map(parties.map((key, index) => [keyId(key), items[index]]));
  const standing = standingOf(rowItem);
  return {
    open: isOpenRow(rowItem),
    failed: rowItem?.status === 'failed',
    ...(standing ? { standing } : {}),
    booking: booking as BookingRecord | undefined,
    ...(tenant ? { tenant: tenantFromItem(tenant) } : {}),
    prefetched,
  };
}

/**
 * Then the people and the job a message names: the customer, the job type and only the technicians
 * named (was three requests, the technicians a Query of all of them). Those readRowSubject read
 * already are taken from `prefetched`; the rest (a message without parties, or one whose booking has
 * changed since) in one more request.
 */
export async function readMessageParties(
  tenantId: string,
  named: { customerId?: string; jobTypeId?: string; technicianIds: Array<string | undefined> },
  prefetched: Prefetched = new Map(),
): Promise<{ customer?: CustomerRecord; jobType?: JobType; technicians: Technician[] }> {
  const keys = partyKeys(tenantId, named);
  const wanted = [keys.customer, keys.jobType, ...keys.technicians].filter((key) => key !== undefined);
  const missing = wanted.filter((key) => !prefetched.has(keyId(key)));
  const read = missing.length ? await getItems(missing, { consistent: true }) : [];
  const items: Prefetched = new Map([...prefetched, ...missing.map((key, index) => [keyId(key), read[index]] as const)]);
  const itemOf = (key: { pk: string; sk: string } | undefined) => (key ? items.get(keyId(key)) : undefined);
  const customer = itemOf(keys.customer);
  const jobType = itemOf(keys.jobType);
  return {
    ...(customer ? { customer: withProfile(customer) } : {}),
    ...(jobType ? { jobType: jobTypeFromItem(jobType) } : {}),
    technicians: keys.technicians
      .map(itemOf)
      .filter((item) => item !== undefined)
      .map(technicianFromItem),
  };
}

/** A queued row that must wait (quiet hours): back to pending with its new due time. */
export async function deferRow(row: LedgerMessage, until: Date, reason: string, at: Date): Promise<boolean> {
  const deferred = await sendConditional(
    new UpdateCommand({
      TableName: config.tableName,
      Key: rowKey(row),
      // No longer taken: the message that comes for it at `until` takes it afresh.
      UpdateExpression: 'SET #status = :pending, dueAt = :until, duePk = :due, deferredReason = :reason, deferredAt = :at REMOVE takenBy, takenAt',
      ConditionExpression: '#status IN (:pending, :queued)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':pending': 'pending',
        ':queued': 'queued',
        ':until': until.toISOString(),
        ':due': duePartition(row.tenantId),
        ':reason': reason,
        ':at': at.toISOString(),
      },
    }),
  );
  // Due again at `until`, perhaps sooner than its shard's hint (a queued row was due later).
  if (deferred) await markDueShards([row.tenantId]);
  return deferred;
}

/** A row that will not be sent (opted out, refused, template unfillable, replaced by a newer change), with the reason. */
export async function settleRow(row: LedgerMessage, status: 'suppressed' | 'failed' | 'superseded', reason: string, at: Date): Promise<boolean> {
  return sendConditional(
    new UpdateCommand({
      TableName: config.tableName,
      Key: rowKey(row),
      UpdateExpression: 'SET #status = :status, statusReason = :reason, settledAt = :at REMOVE duePk',
      ConditionExpression: '#status IN (:pending, :queued)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':status': status, ':reason': reason, ':at': at.toISOString(), ':pending': 'pending', ':queued': 'queued' },
    }),
  );
}

/**
 * Records the message as sent exactly once, in one conditional write (issue 19: was a transaction of
 * the row and a separate outbox item, 4 billed write units): the ledger row itself becomes the record
 * of what went where (channel, to, text, provider). False when it was already settled (sent twice:
 * nothing more). `listInOutbox` (a tenant with an outbox: providers/index.ts usesOutbox): the row
 * stays listed in the tenant's outbox (listOutbox), the sparse due index under the tenant's outbox
 * partition by send time, instead of leaving the due index.
 */
export async function recordSent(
  row: LedgerMessage,
  message: { channel: string; to: string; text: string; subject?: string; language?: string; provider?: string; providerMessageId?: string },
  at: Date,
  options: { listInOutbox?: boolean } = {},
): Promise<boolean> {
  const sentAt = at.toISOString();
  const fields: Record<string, unknown> = { ...message, sentAt };
  const names: Record<string, string> = { '#status': 'status' };
  const values: Record<string, unknown> = { ':sent': 'sent', ':pending': 'pending', ':queued': 'queued' };
  const sets = ['#status = :sent'];
  for (const [name, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    names[`#${name}`] = name;
    values[`:${name}`] = value;
    sets.push(`#${name} = :${name}`);
  }
  const outbox = options.listInOutbox === true;
  if (outbox) {
    values[':outbox'] = notifyKeys.outboxPartition(row.tenantId);
    sets.push('duePk = :outbox', 'dueAt = :sentAt');
  }
  return sendConditional(
    new UpdateCommand({
      TableName: config.tableName,
      Key: rowKey(row),
      UpdateExpression: `SET ${sets.join(', ')}${outbox ? '' : ' REMOVE duePk'}`,
      ConditionExpression: '#status IN (:pending, :queued)',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    }),
  );
}

/**
 * Cancels every message of the booking still waiting to go (a cancel, or a reschedule that plans
 * new ones). Rows already queued or sent are history and stay as they are. `only` narrows it to
 * some kinds (or all but `except`; whatever technician or schedule version the row is for) and/or to the rows of
 * schedule versions before `beforeVersion` (a row without a version is version 1), so a move that
 * runs again never cancels the rows of the schedule it made.
 */
export async function cancelPendingRows(
  tenantId: string,
  bookingId: string,
  at: Date,
  only: { kinds?: readonly NotificationKind[]; except?: readonly NotificationKind[]; beforeVersion?: number } = {},
): Promise<number> {
  const pending = await queryPrefix(bookingKeys.partition(tenantId, bookingId), notifyKeys.ledgerPrefix, {
    filter: '#status = :pending',
    names: { '#status': 'status' },
    values: { ':pending': 'pending' },
    consistent: true,
  });
  const kinds = only.kinds ? new Set<string>(only.kinds) : undefined;
  const wanted = pending.filter(
    (item) =>
      (!kinds || kinds.has(item.kind as string)) &&
      !only.except?.includes(item.kind as NotificationKind) &&
      (only.beforeVersion === undefined || ((item.version as number | undefined) ?? 1) < only.beforeVersion),
  );
  let cancelled = 0;
  for (const item of wanted) if (await cancelRowIfPending({ pk: item.pk, sk: item.sk }, at)) cancelled++;
  return cancelled;
}

/** pending -> cancelled for one ledger row; false when it was no longer pending (queued, sent, gone). */
export async function cancelRowIfPending(key: { pk: string; sk: string }, at: Date): Promise<boolean> {
  return sendConditional(
    new UpdateCommand({
      TableName: config.tableName,
      Key: key,
      UpdateExpression: 'SET #status = :cancelled, cancelledAt = :at REMOVE duePk',
      ConditionExpression: '#status = :pending',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':cancelled': 'cancelled', ':pending': 'pending', ':at': at.toISOString() },
    }),
  );
}

/**
 * What the local outbox provider "sent" for a tenant, oldest first: the sent ledger rows in the due
 * index's outbox partition (recordSent), and the outbox items written before the row was the record.
 */
export async function listOutbox(tenantId: string): Promise<Array<Record<string, unknown>>> {
  const partition = notifyKeys.outboxPartition(tenantId);
  const sent: Array<Record<string, unknown>> = [];
  const [, earlier] = await Promise.all([
    (async () => {
      for await (const page of queryPages({
        TableName: config.tableName,
        IndexName: DUE_INDEX,
        KeyConditionExpression: 'duePk = :outbox',
        ExpressionAttributeValues: { ':outbox': partition },
      }))
        sent.push(...page);
    })(),
    queryPartition(partition),
  ]);
  return [...earlier, ...sent].sort((a, b) => String(a.sentAt).localeCompare(String(b.sentAt)));
}
