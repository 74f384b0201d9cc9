/**
 * Capacity claims and holds. All of a tenant's claims share the partition `T#<tenant>#SLOTS`,
 * sorted by date, so availability for any date range is one Query:
 *   SLOT#<date>#C#<start>#<technician>  the technician-window's minute counter: `used` minutes and one
 *                                        attribute `claim:<holdId>` per claim ({minutes, status,
 *                                        holdId, bookingId?, expiresAt?}); claimed with a conditional
 *                                        UpdateItem (`used <= cap - need`, the claim absent), released
 *                                        with the reverse. One item per technician-window a job uses.
 *                                        `ver` rises with every claim added; a claim under the `route`
 *                                        travel model also records its job's postalCode and
 *                                        durationMinutes and is conditional on the `ver` of each of
 *                                        the technician's counters that day as read (the route checked,
 *                                        capacity/route.ts, is the route stored).
 *   SLOT#<date>#M#<start>#<technician>#<kk>  minute unit k (two digits, 1-based) of the technician's
 *                                        window starting <start>: UNIT_MINUTES of its time (written
 *                                        before counters; still read, and subtracted from the
 *                                        counter's capacity by the plan, `ClaimPlan.counters`)
 *   SLOT#<date>#W#<start>#<technician>   a whole window: written before minute units (read as every
 *                                        unit of the window; nothing writes it any more, so no
 *                                        migration: such items end with their bookings)
 *   SLOT#<date>#L#<technician>#<k>       the technician's k-th job that day (daily limit)
 *   SLOT#<date>#J#<jobType>#<k>          the company's k-th job of that type that day (daily cap)
 * A hold is a record `T#<tenant>#HOLD#<holdId>` listing the items it claimed. Claiming is one
 * TransactWriteItems of conditional Puts: of concurrent claims on any shared item exactly one wins.
 */
import { GetCommand, TransactWriteCommand, UpdateCommand, DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../shared/clients';
import { config } from '../shared/config';
import { type CapacityClaim, type ClaimPlan, UNIT_MINUTES } from './availability';
import { queryPages, sendConditional } from '../shared/dynamo';

export const capacityKeys = {
  partition: (tenantId: string) => `T#${tenantId}#SLOTS`,
  slot: (tenantId: string, date: string, start: string, technicianId: string) => ({
    pk: capacityKeys.partition(tenantId),
    sk: `SLOT#${date}#W#${start}#${technicianId}`,
  }),
  counter: (tenantId: string, date: string, start: string, technicianId: string) => ({
    pk: capacityKeys.partition(tenantId),
    sk: `SLOT#${date}#C#${start}#${technicianId}`,
  }),
  unit: (tenantId: string, date: string, start: string, technicianId: string, index: number) => ({
    pk: capacityKeys.partition(tenantId),
    sk: `SLOT#${date}#M#${start}#${technicianId}#${String(index).padStart(2, '0')}`,
  }),
  techDay: (tenantId: string, date: string, technicianId: string, index: number) => ({
    pk: capacityKeys.partition(tenantId),
    sk: `SLOT#${date}#L#${technicianId}#${index}`,
  }),
  jobTypeDay: (tenantId: string, date: string, jobTypeId: string, index: number) => ({
    pk: capacityKeys.partition(tenantId),
    sk: `SLOT#${date}#J#${jobTypeId}#${index}`,
  }),
  dateFrom: (date: string) => `SLOT#${date}#`,
  /** '~' sorts after every other character used in keys, so this bounds the last day inclusively. */
  dateTo: (date: string) => `SLOT#${date}#~`,
  hold: (tenantId: string, holdId: string) => ({ pk: `T#${tenantId}#HOLD#${holdId}`, sk: 'HOLD' }),
};

/** Reads a claim's identity back from its sort key. */
export function parseClaimKey(sk: string): Pick<CapacityClaim, 'kind' | 'date' | 'start' | 'technicianId' | 'jobTypeId' | 'index'> | undefined {
  const [, date, kind, a, b, c] = sk.split('#');
  if (!date) return undefined;
  if (kind === 'M') return { kind: 'unit', date, start: a, technicianId: b, index: Number(c) };
  if (kind === 'W') return { kind: 'slot', date, start: a, technicianId: b };
  if (kind === 'L') return { kind: 'techDay', date, technicianId: a, index: Number(b) };
  if (kind === 'J') return { kind: 'jobTypeDay', date, jobTypeId: a, index: Number(b) };
  return undefined;
}

/** Every claim item a plan needs (a plan from before counters: its unit items; from before minute units: its whole-window items). */
export function planKeys(tenantId: string, plan: ClaimPlan): Array<{ pk: string; sk: string }> {
  const { units, counters } = plan;
  return [
    ...(counters
      ? plan.windowStarts.filter((start) => counters[start]).map((start) => capacityKeys.counter(tenantId, plan.date, start, plan.technicianId))
      : units
        ? plan.windowStarts.flatMap((start) => (units[start] ?? []).map((k) => capacityKeys.unit(tenantId, plan.date, start, plan.technicianId, k)))
        : plan.windowStarts.map((start) => capacityKeys.slot(tenantId, plan.date, start, plan.technicianId))),
    capacityKeys.techDay(tenantId, plan.date, plan.technicianId, plan.techDayIndex),
    ...(plan.jobTypeDayIndex !== undefined ? [capacityKeys.jobTypeDay(tenantId, plan.date, plan.jobTypeId, plan.jobTypeDayIndex)] : []),
  ];
}

/** The daily-token items a move's plan takes over from the job's current hold (`plan.keeps`), not claims it makes. */
export function keptKeys(tenantId: string, plan: Pick<ClaimPlan, 'keeps' | 'date' | 'technicianId' | 'techDayIndex' | 'jobTypeId' | 'jobTypeDayIndex'>) {
  const keeps = plan.keeps;
  if (!keeps) return [];
  return [
    ...(keeps.techDay ? [capacityKeys.techDay(tenantId, plan.date, plan.technicianId, plan.techDayIndex)] : []),
    ...(keeps.jobTypeDay && plan.jobTypeDayIndex !== undefined ? [capacityKeys.jobTypeDay(tenantId, plan.date, plan.jobTypeId, plan.jobTypeDayIndex)] : []),
  ];
}

/**
 * A claim item changing owner in ONE write (an item may appear once per transaction, so a job's
 * token moving with it is never released and claimed again): on condition it is still the old
 * hold's and booked, it becomes the new hold's, for its booking.
 */
function handOverItem(key: { pk: string; sk: string }, fromHoldId: string, to: { holdId: string; bookingId?: string }): TransactItem {
  return {
    Update: {
      TableName: config.tableName,
      Key: key,
      UpdateExpression: 'SET holdId = :holdId, bookingId = :bookingId',
      ConditionExpression: 'holdId = :old AND #status = :booked',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':holdId': to.holdId, ':bookingId': to.bookingId, ':old': fromHoldId, ':booked': 'BOOKED' },
    },
  };
}

export async function listClaims(tenantId: string, fromDate: string, toDate: string): Promise<CapacityClaim[]> {
  const claims: CapacityClaim[] = [];
  const counters: Array<Record<string, unknown>> = [];
  for await (const page of queryPages({
    TableName: config.tableName,
    KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
    ExpressionAttributeValues: {
      ':pk': capacityKeys.partition(tenantId),
      ':from': capacityKeys.dateFrom(fromDate),
      ':to': capacityKeys.dateTo(toDate),
    },
    ConsistentRead: true,
  })) {
    for (const item of page) {
      if (isCounterKey(item.sk)) {
        counters.push(item);
        continue;
      }
      const identity = parseClaimKey(item.sk);
      if (!identity) continue;
      claims.push({ ...identity, status: item.status, holdId: item.holdId, bookingId: item.bookingId, expiresAt: item.expiresAt });
    }
  }
  // A counter's claims read as units (numbered after the legacy unit items of the same window), so
  // every reader of units (slot maths, the board, the planner, emergencies) counts them unchanged.
  // The legacy units by technician-window, gathered once (not a pass over every claim per counter).
  const windowKey = (date: string, start: string, technicianId: string) => `${date}#${start}#${technicianId}`;
  const legacyUnits = new Map<string, Set<number>>();
  for (const c of claims) {
    if (c.kind !== 'unit') continue;
    const key = windowKey(c.date, c.start!, c.technicianId!);
    legacyUnits.set(key, (legacyUnits.get(key) ?? new Set()).add(c.index!));
  }
  for (const item of counters) {
    const [, date, , start, technicianId] = (item.sk as string).split('#') as [string, string, string, string, string];
    const taken = legacyUnits.get(windowKey(date, start, technicianId)) ?? new Set<number>();
    let next = 1;
    const entries = counterEntries(item);
    // While a staged apply is parked, the claims leaving with it still show (their jobs' until
    // finalized); its parked claims and surplus show only beyond them, as `used` counts them.
    const credit = new Map<string, number>();
    for (const e of entries) if (e.leaving) credit.set(e.leaving, (credit.get(e.leaving) ?? 0) + e.minutes);
    const shown = (entry: CounterEntry) => {
      if (!entry.parked) return entry.minutes;
      const left = credit.get(entry.parked) ?? 0;
      credit.set(entry.parked, Math.max(0, left - entry.minutes));
      return Math.max(0, entry.minutes - left);
    };
    if (typeof item.ver === 'number') claims.push({ kind: 'version', date, start, technicianId, index: item.ver, status: 'BOOKED' });
    for (const entry of entries) {
      // A route claim is also a stop of its technician's route (parked or leaving ones too: while an apply runs, both places count).
      const routed = entry.postalCode !== undefined;
      if (routed)
        claims.push({
          kind: 'stop',
          date,
          start,
          technicianId,
          status: entry.status,
          holdId: entry.holdId,
          bookingId: entry.bookingId,
          expiresAt: entry.expiresAt,
          postalCode: entry.postalCode,
          durationMinutes: entry.durationMinutes,
        });
      for (let u = 0; u < Math.ceil(shown(entry) / UNIT_MINUTES); u++) {
        while (taken.has(next)) next++;
        claims.push({
          kind: 'unit',
          date,
          start,
          technicianId,
          index: next++,
          status: entry.status,
          holdId: entry.holdId,
          bookingId: entry.bookingId,
          expiresAt: entry.expiresAt,
          counter: true,
          ...(routed ? { routed } : {}),
        });
      }
    }
  }
  return claims;
}

/** One claim on a technician-window's counter. `parked`: claimed for a staged apply, not yet its job's. */
export interface CounterEntry {
  minutes: number;
  status: 'HELD' | 'BOOKED';
  holdId: string;
  bookingId?: string;
  expiresAt?: number;
  parked?: string;
  /** A moving job's old claim while a staged apply is parked: still its job's on the board, its minutes no longer in `used` (the parked claims and the surplus hold them). */
  leaving?: string;
  /** A route claim (the `route` travel model): where its job is and its minutes on site, for the route check. */
  postalCode?: string;
  durationMinutes?: number;
}

/**
 * A claim is a top-level attribute of the counter item, not an entry of a nested map: a nested path
 * cannot be set on an item that does not exist yet, and this way each claim is its own path.
 */
export const counterEntryName = (claimId: string) => `claim:${claimId}`;
export const isCounterKey = (sk: string) => sk.split('#')[2] === 'C';
const counterStartOf = (sk: string) => sk.split('#')[3]!;

/**
 * The claims recorded on a counter item, in claim-id order, parked claims (a staged apply's, no job
 * yet) after the others, so a job's claim keeps its place while the apply runs.
 */
export function counterEntries(item: Record<string, unknown> | undefined): CounterEntry[] {
  if (!item) return [];
  const entries = Object.keys(item)
    .filter((name) => name.startsWith('claim:'))
    .sort()
    .map((name) => item[name] as CounterEntry);
  return [...entries.filter((e) => !e.parked), ...entries.filter((e) => e.parked)];
}

/** What a plan claims on one of its counter keys. */
function counterNeed(plan: Pick<ClaimPlan, 'counters'>, sk: string): { minutes: number; cap: number } {
  return plan.counters?.[counterStartOf(sk)] ?? { minutes: 0, cap: 0 };
}

const COUNTER_NAMES = { '#used': 'used', '#status': 'status' };

/** The `byDue` partition of counter items with HELD claims, for the recovery sweep (capacity/reclaim-sweep.ts). */
export const RECLAIM_PARTITION = 'RECLAIM';
/** When the sweep looks at a counter whose earliest hold runs out at `expiresAt` (epoch s): a little after, so a commit at the last second wins. */
export const reclaimDueAt = (expiresAt: number) => new Date(expiresAt * 1000 + 5_000).toISOString();

/** An entry without undefined fields (so it is stored as given). */
function entryOf(entry: CounterEntry): CounterEntry {
  return Object.fromEntries(Object.entries(entry).filter(([, v]) => v !== undefined)) as unknown as CounterEntry;
}

/**
 * Every change the given claims make to ONE counter item, as one conditional UpdateItem (an item
 * may appear once per transaction): `remove` entries must exist (`removeStatus`: with that status),
 * `add` entries must be absent, and when minutes grow the counter must have room for them
 * (`used <= cap - growth`, `cap` the smallest any adding plan allows).
 */
function counterUpdate(args: {
  tenantId: string;
  key: { pk: string; sk: string };
  add: Array<{ entry: CounterEntry; cap: number }>;
  remove: Array<{ holdId: string; minutes: number }>;
  removeStatus?: 'BOOKED';
  /** Claims that stay on the item but leave `used` (a staged apply parks them: `leaving = parkedBy`), or (`restore`) come back to it. */
  leaving?: { parkedBy: string; claims: Array<{ holdId: string; minutes: number }>; restore?: boolean };
  /** A route claim: the item's version must still be the one its route was checked on (0: no version yet). */
  version?: number;
}): TransactItem {
  const { key } = args;
  const [, date, , start, technicianId] = key.sk.split('#');
  const names: Record<string, string> = { '#used': 'used', '#type': 'type', '#date': 'date', '#start': 'start' };
  const values: Record<string, unknown> = {
    ':zero': 0,
    ':type': 'CapacityCounter',
    ':tenantId': args.tenantId,
    ':date': date,
    ':start': start,
    ':technicianId': technicianId,
  };
  const set = ['#type = :type', 'tenantId = :tenantId', '#date = :date', '#start = :start', 'technicianId = :technicianId'];
  const remove: string[] = [];
  const conditions: string[] = [];
  args.add.forEach(({ entry }, i) => {
    names[`#a${i}`] = counterEntryName(entry.holdId);
    values[`:a${i}`] = entryOf(entry);
    set.push(`#a${i} = :a${i}`);
    conditions.push(`attribute_not_exists(#a${i})`);
  });
  args.remove.forEach(({ holdId }, i) => {
    names[`#r${i}`] = counterEntryName(holdId);
    remove.push(`#r${i}`);
    if (args.removeStatus) {
      values[':removeStatus'] = args.removeStatus;
      names['#status'] = 'status';
      conditions.push(`#r${i}.#status = :removeStatus`);
    } else conditions.push(`attribute_exists(#r${i})`);
  });
  const leaving = args.leaving;
  leaving?.claims.forEach(({ holdId }, i) => {
    names[`#l${i}`] = counterEntryName(holdId);
    names['#leaving'] = 'leaving';
    values[':leaving'] = leaving.parkedBy;
    if (leaving.restore) {
      remove.push(`#l${i}.#leaving`);
      conditions.push(`#l${i}.#leaving = :leaving`);
    } else {
      names['#status'] = 'status';
      values[':booked'] = 'BOOKED';
      set.push(`#l${i}.#leaving = :leaving`);
      conditions.push(`#l${i}.#status = :booked AND attribute_not_exists(#l${i}.#leaving)`);
    }
  });
  const left = (leaving?.claims ?? []).reduce((n, c) => n + c.minutes, 0) * (leaving?.restore ? -1 : 1);
  const delta = args.add.reduce((n, a) => n + a.entry.minutes, 0) - args.remove.reduce((n, r) => n + r.minutes, 0) - left;
  values[':delta'] = delta;
  set.push('#used = if_not_exists(#used, :zero) + :delta');
  // Every change raises the version, so a route claim that read an older one is refused.
  names['#ver'] = 'ver';
  values[':one'] = 1;
  set.push('#ver = if_not_exists(#ver, :zero) + :one');
  if (args.version !== undefined) {
    if (args.version === 0) conditions.push('attribute_not_exists(#ver)');
    else {
      values[':ver'] = args.version;
      conditions.push('#ver = :ver');
    }
  }
  // A HELD claim puts the counter on the recovery sweep's list (capacity/reclaim-sweep.ts), due when
  // the earliest hold on it runs out (holds of a tenant last equally long, so the first one's expiry
  // is the earliest); `heldSeq` tells the sweep a claim arrived after it read the item.
  const heldExpiries = args.add.filter(({ entry }) => entry.status === 'HELD' && entry.expiresAt).map(({ entry }) => entry.expiresAt!);
  if (heldExpiries.length) {
    Object.assign(names, { '#duePk': 'duePk', '#dueAt': 'dueAt', '#heldSeq': 'heldSeq' });
    Object.assign(values, { ':reclaimPk': RECLAIM_PARTITION, ':dueAt': reclaimDueAt(Math.min(...heldExpiries)) });
    set.push('#duePk = :reclaimPk', '#dueAt = if_not_exists(#dueAt, :dueAt)', '#heldSeq = if_not_exists(#heldSeq, :zero) + :one');
  }
  if (delta > 0) {
    const cap = Math.min(...args.add.map((a) => a.cap));
    values[':room'] = cap - delta;
    // A fresh counter has room exactly when the claim fits the window's capacity.
    conditions.push(cap - delta >= 0 ? '(attribute_not_exists(#used) OR #used <= :room)' : '#used <= :room');
  }
  return {
    Update: {
      TableName: config.tableName,
      Key: key,
      UpdateExpression: `SET ${set.join(', ')}${remove.length ? ` REMOVE ${remove.join(', ')}` : ''}`,
      ...(conditions.length ? { ConditionExpression: conditions.join(' AND ') } : {}),
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    },
  };
}

/** Gives back one claim's minutes on a counter (`SET used = used - its minutes`, on condition it is there and, when given, has a listed status). */
function counterReleaseItem(key: { pk: string; sk: string }, holdId: string, statuses?: string[]): TransactItem {
  return {
    Update: {
      TableName: config.tableName,
      Key: key,
      UpdateExpression: 'SET #used = #used - #entry.minutes REMOVE #entry',
      // A claim leaving with a staged apply is not in `used` and not its hold's to give back (dropParkedItems ends it).
      ConditionExpression: `${statuses ? `#entry.#status IN (${statuses.map((_, i) => `:s${i}`).join(', ')})` : 'attribute_exists(#entry)'} AND attribute_not_exists(#entry.leaving)`,
      ExpressionAttributeNames: { '#used': 'used', '#entry': counterEntryName(holdId), ...(statuses ? { '#status': 'status' } : {}) },
      ...(statuses ? { ExpressionAttributeValues: Object.fromEntries(statuses.map((s, i) => [`:s${i}`, s])) } : {}),
    },
  };
}

/** A claim committed on a counter: HELD -> BOOKED for the booking, on condition the claim is still there. */
function counterCommitItem(key: { pk: string; sk: string }, holdId: string, bookingId: string): TransactItem {
  return {
    Update: {
      TableName: config.tableName,
      Key: key,
      UpdateExpression: 'SET #entry.#status = :booked, #entry.bookingId = :bookingId REMOVE #entry.expiresAt',
      ConditionExpression: 'attribute_exists(#entry)',
      ExpressionAttributeNames: { '#status': 'status', '#entry': counterEntryName(holdId) },
      ExpressionAttributeValues: { ':booked': 'BOOKED', ':bookingId': bookingId },
    },
  };
}

/**
 * An expired hold's minutes come back: a counter cannot expire by itself, so the expired HELD
 * claims on it are removed, each on condition it is still HELD and expired (a claim committed or
 * renewed meanwhile stays), and `used` goes down by their minutes. Called when a claim is refused
 * (then the claim is tried once more) and by the recovery sweep. True when minutes came back.
 */
export async function reclaimExpiredMinutes(key: { pk: string; sk: string }, now: Date, item?: Record<string, unknown>): Promise<boolean> {
  const read = item ?? (await documentClient().send(new GetCommand({ TableName: config.tableName, Key: key, ConsistentRead: true }))).Item;
  const nowSeconds = Math.floor(now.getTime() / 1000);
  const expired = counterEntries(read).filter((e) => e.status === 'HELD' && (e.expiresAt ?? 0) <= nowSeconds);
  if (!expired.length) return false;
  const names: Record<string, string> = { ...COUNTER_NAMES };
  expired.forEach((e, i) => {
    names[`#e${i}`] = counterEntryName(e.holdId);
  });
  return sendConditional(
    new UpdateCommand({
      TableName: config.tableName,
      Key: key,
      UpdateExpression: `SET #used = #used - :minutes REMOVE ${expired.map((_, i) => `#e${i}`).join(', ')}`,
      ConditionExpression: expired.map((_, i) => `(#e${i}.#status = :held AND #e${i}.expiresAt <= :now AND #e${i}.minutes = :m${i})`).join(' AND '),
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: {
        ':minutes': expired.reduce((n, e) => n + e.minutes, 0),
        ':held': 'HELD',
        ':now': nowSeconds,
        ...Object.fromEntries(expired.map((e, i) => [`:m${i}`, e.minutes])),
      },
    }),
  );
}

export interface HoldRecord {
  tenantId: string;
  holdId: string;
  status: 'HELD' | 'BOOKED' | 'RELEASED';
  plan: ClaimPlan;
  emergency: boolean;
  keys: Array<{ pk: string; sk: string }>;
  /** Epoch seconds; a BOOKED hold no longer expires. */
  expiresAt?: number;
  bookingId?: string;
  source: 'api' | 'booking' | 'external';
  createdAt: string;
}

export type ClaimOutcome = 'won' | 'taken';

/**
 * Claims every item of the plan in one transaction. An item may be claimed when it is free, when
 * its hold has expired, or when it is already this hold's (a retried request re-entering).
 * 'taken': another claim holds an item (or a concurrent transaction touched one): look again.
 * `alongside`: items written in the same transaction (a hold's caller: both or neither).
 */
export async function claimHold(
  hold: Omit<HoldRecord, 'keys' | 'status'> & { status?: 'HELD' | 'BOOKED' },
  now: Date,
  alongside: TransactItem[] = [],
): Promise<ClaimOutcome> {
  const send = () => sendConditional(new TransactWriteCommand({ TransactItems: [...claimHoldItems(hold, now), ...alongside] }));
  if (await send()) return 'won';
  const counters = planKeys(hold.tenantId, hold.plan).filter((key) => isCounterKey(key.sk));
  if (!counters.length) return 'taken';
  const items = await Promise.all(
    counters.map(async (key) => (await documentClient().send(new GetCommand({ TableName: config.tableName, Key: key, ConsistentRead: true }))).Item),
  );
  // A retry of a claim that went through (its answer was lost): every counter already has it.
  if (items.every((item) => item?.[counterEntryName(hold.holdId)])) {
    const stored = await getHold(hold.tenantId, hold.holdId);
    if (stored && stored.status === (hold.status ?? 'HELD')) return 'won';
  }
  // Expired holds still counted on a counter: give their minutes back and try once more.
  const freed = await Promise.all(counters.map((key, i) => reclaimExpiredMinutes(key, now, items[i])));
  if (!freed.some(Boolean)) return 'taken';
  return (await send()) ? 'won' : 'taken';
}

/**
 * The transaction items of claimHold: the hold record and every item of its plan, each put on
 * condition it is free, an expired hold's, or already this hold's. Part of a larger transaction
 * when the claim and a booking's change must happen together (an accepted emergency).
 */
export function claimHoldItems(hold: Omit<HoldRecord, 'keys' | 'status'> & { status?: 'HELD' | 'BOOKED' }, now: Date): TransactItem[] {
  const keys = planKeys(hold.tenantId, hold.plan);
  // A move's kept tokens are still its current hold's: handed over when the move commits (commitHoldItems).
  const kept = new Set(keptKeys(hold.tenantId, hold.plan).map((k) => k.sk));
  const claimed = keys.filter((key) => !kept.has(key.sk));
  const status = hold.status ?? 'HELD';
  const nowSeconds = Math.floor(now.getTime() / 1000);
  const claimable = 'attribute_not_exists(pk) OR (#status = :held AND (expiresAt < :now OR holdId = :holdId))';
  const values = { ':held': 'HELD', ':now': nowSeconds, ':holdId': hold.holdId };
  return [
    {
      Put: {
        TableName: config.tableName,
        Item: { ...capacityKeys.hold(hold.tenantId, hold.holdId), type: 'Hold', ...hold, status, keys },
        ConditionExpression: 'attribute_not_exists(pk) OR #status = :held',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':held': 'HELD' },
      },
    },
    ...claimed.map((key): TransactItem => {
      if (isCounterKey(key.sk)) {
        const need = counterNeed(hold.plan, key.sk);
        const route = hold.plan.route;
        const entry = {
          minutes: need.minutes,
          status,
          holdId: hold.holdId,
          bookingId: hold.bookingId,
          expiresAt: status === 'HELD' ? hold.expiresAt : undefined,
          postalCode: route?.postalCode,
          durationMinutes: route?.durationMinutes,
        };
        // A window the route claim did not read (an accepted emergency's claim reads none): no version condition.
        const version = route?.versions[counterStartOf(key.sk)];
        return counterUpdate({ tenantId: hold.tenantId, key, add: [{ entry, cap: need.cap }], remove: [], version });
      }
      return {
        Put: {
          TableName: config.tableName,
          Item: {
            ...key,
            ...parseClaimKey(key.sk),
            type: 'CapacityClaim',
            tenantId: hold.tenantId,
            status,
            holdId: hold.holdId,
            bookingId: hold.bookingId,
            expiresAt: status === 'HELD' ? hold.expiresAt : undefined,
          },
          ConditionExpression: claimable,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: values,
        },
      };
    }),
    ...routeVersionChecks(hold.tenantId, hold.plan, keys),
  ];
}

/**
 * A route claim's other counters of the technician's day (those it does not write): each still at
 * the version its route was checked on, so no claim joined the day in between (capacity/route.ts).
 */
function routeVersionChecks(tenantId: string, plan: ClaimPlan, written: Array<{ sk: string }>): TransactItem[] {
  const writtenSks = new Set(written.map((k) => k.sk));
  return versionCheckItems([...routeVersions(tenantId, [plan]).values()].filter(({ key }) => !writtenSks.has(key.sk)));
}

/** The counter versions route claims were checked on, by counter sort key (plans landing on one technician-day read the same versions). */
function routeVersions(tenantId: string, plans: ClaimPlan[]): Map<string, { key: { pk: string; sk: string }; version: number }> {
  const out = new Map<string, { key: { pk: string; sk: string }; version: number }>();
  for (const plan of plans) {
    for (const [start, version] of Object.entries(plan.route?.versions ?? {})) {
      const key = capacityKeys.counter(tenantId, plan.date, start, plan.technicianId);
      if (!out.has(key.sk)) out.set(key.sk, { key, version });
    }
  }
  return out;
}

/** A ConditionCheck per counter not written in the transaction: still at the version read (0: none yet). */
function versionCheckItems(checks: Array<{ key: { pk: string; sk: string }; version: number }>): TransactItem[] {
  return checks.map(
    ({ key, version }): TransactItem => ({
      ConditionCheck: {
        TableName: config.tableName,
        Key: key,
        ConditionExpression: version === 0 ? 'attribute_not_exists(#ver)' : '#ver = :ver',
        ExpressionAttributeNames: { '#ver': 'ver' },
        ...(version === 0 ? {} : { ExpressionAttributeValues: { ':ver': version } }),
      },
    }),
  );
}

export async function getHold(tenantId: string, holdId: string): Promise<HoldRecord | undefined> {
  const { Item } = await documentClient().send(new GetCommand({ TableName: config.tableName, Key: capacityKeys.hold(tenantId, holdId), ConsistentRead: true }));
  return Item as HoldRecord | undefined;
}

/** Is this hold still the owner of its items and unexpired? */
export function isHoldLive(hold: HoldRecord, now: Date): boolean {
  return hold.status === 'HELD' && (hold.expiresAt ?? 0) > Math.floor(now.getTime() / 1000);
}

/** Ties a hold to the booking that will commit it (before CommitSlot runs). */
export async function attachHoldToBooking(tenantId: string, holdId: string, bookingId: string): Promise<boolean> {
  return sendConditional(
    new UpdateCommand({
      TableName: config.tableName,
      Key: capacityKeys.hold(tenantId, holdId),
      UpdateExpression: 'SET bookingId = :bookingId',
      ConditionExpression: '#status = :held AND (attribute_not_exists(bookingId) OR bookingId = :bookingId)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':bookingId': bookingId, ':held': 'HELD' },
    }),
  );
}

/**
 * HELD(holdId) -> BOOKED for the hold and every item it claimed, in one transaction. Succeeds while
 * nobody else has re-claimed an item (even if the hold's time ran out meanwhile); committing an
 * already committed hold for the same booking is a no-op success.
 */
export async function commitHold(tenantId: string, holdId: string, bookingId: string): Promise<boolean> {
  const hold = await getHold(tenantId, holdId);
  if (!hold) return false;
  if (hold.status === 'BOOKED') return hold.bookingId === bookingId;
  // A move's hold (it keeps tokens of the job's current hold) is committed only by that job's reschedule.
  if (hold.status !== 'HELD' || hold.plan.keeps) return false;
  return sendConditional(
    new TransactWriteCommand({
      TransactItems: [
        {
          Update: {
            TableName: config.tableName,
            Key: capacityKeys.hold(tenantId, holdId),
            UpdateExpression: 'SET #status = :booked, bookingId = :bookingId REMOVE expiresAt',
            ConditionExpression: '#status = :held',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':booked': 'BOOKED', ':held': 'HELD', ':bookingId': bookingId },
          },
        },
        ...hold.keys.map(
          (key): TransactItem =>
            isCounterKey(key.sk)
              ? counterCommitItem(key, holdId, bookingId)
              : {
                  Update: {
                    TableName: config.tableName,
                    Key: key,
                    UpdateExpression: 'SET #status = :booked, bookingId = :bookingId REMOVE expiresAt',
                    ConditionExpression: 'holdId = :holdId',
                    ExpressionAttributeNames: { '#status': 'status' },
                    ExpressionAttributeValues: { ':booked': 'BOOKED', ':holdId': holdId, ':bookingId': bookingId },
                  },
                },
        ),
      ],
    }),
  );
}

/** One item of a TransactWriteItems (the document client's shape). */
export type TransactItem = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>[number];

/**
 * What committing a hold needs: its record's key and items, and for a move's hold (`plan.keeps`) the
 * tokens it takes over. CommitSlot has the keys SoftHold passed on (a booking's own hold keeps nothing).
 */
export type HoldToCommit = Pick<HoldRecord, 'tenantId' | 'holdId' | 'keys'> & {
  plan?: Pick<ClaimPlan, 'keeps' | 'date' | 'technicianId' | 'techDayIndex' | 'jobTypeId' | 'jobTypeDayIndex'>;
};

/**
 * The transaction items that commit a hold for a booking: HELD(holdId) -> BOOKED on the hold and on
 * every item it claimed, each conditional on still being this hold's; a move's kept tokens change
 * owner from the job's current hold (handOverItem). Part of a larger transaction (a reschedule
 * commits the new hold, moves the booking and releases the old hold, but for those tokens, at once).
 */
export function commitHoldItems(hold: HoldToCommit, bookingId: string): TransactItem[] {
  const set = { UpdateExpression: 'SET #status = :booked, bookingId = :bookingId REMOVE expiresAt', ExpressionAttributeNames: { '#status': 'status' } };
  const kept = hold.plan ? keptKeys(hold.tenantId, hold.plan) : [];
  const keptSks = new Set(kept.map((k) => k.sk));
  const committed = hold.keys.filter((key) => !keptSks.has(key.sk));
  return [
    {
      Update: {
        TableName: config.tableName,
        Key: capacityKeys.hold(hold.tenantId, hold.holdId),
        ...set,
        ConditionExpression: '#status = :held',
        ExpressionAttributeValues: { ':booked': 'BOOKED', ':held': 'HELD', ':bookingId': bookingId },
      },
    },
    ...committed.map(
      (key): TransactItem =>
        isCounterKey(key.sk)
          ? counterCommitItem(key, hold.holdId, bookingId)
          : {
              Update: {
                TableName: config.tableName,
                Key: key,
                ...set,
                ConditionExpression: 'holdId = :holdId',
                ExpressionAttributeValues: { ':booked': 'BOOKED', ':holdId': hold.holdId, ':bookingId': bookingId },
              },
            },
    ),
    ...kept.map((key) => handOverItem(key, hold.plan!.keeps!.from, { holdId: hold.holdId, bookingId })),
  ];
}

/**
 * The transaction items that give back what a hold still owns (read now, consistently): each item
 * it owns is deleted on condition it is still its, and the hold is marked RELEASED on condition its
 * status is still the one read. Items a newer claim has taken over are not touched. Nothing when
 * the hold is unknown or already released. Sent with the booking's own update in one
 * TransactWriteItems, so a release is never decided on a booking that changed meanwhile.
 */
export async function releaseHoldItems(
  tenantId: string,
  holdId: string,
  /** Items the same transaction hands to the job's new hold (a move's kept tokens): not released. */
  handedOver: ReadonlySet<string> = new Set(),
): Promise<TransactItem[]> {
  const hold = await getHold(tenantId, holdId);
  if (!hold || hold.status === 'RELEASED') return [];
  const released = hold.keys.filter((key) => !handedOver.has(key.sk));
  const owned = await Promise.all(
    released.map(async (key) => {
      const { Item } = await documentClient().send(new GetCommand({ TableName: config.tableName, Key: key, ConsistentRead: true }));
      if (isCounterKey(key.sk)) return Item?.[counterEntryName(holdId)] && !(Item[counterEntryName(holdId)] as CounterEntry).leaving ? key : undefined;
      return Item?.holdId === holdId ? key : undefined;
    }),
  );
  return [
    ...owned
      .filter((key) => key !== undefined)
      .map(
        (key): TransactItem =>
          isCounterKey(key.sk)
            ? counterReleaseItem(key, holdId)
            : {
                Delete: {
                  TableName: config.tableName,
                  Key: key,
                  ConditionExpression: 'holdId = :holdId',
                  ExpressionAttributeValues: { ':holdId': holdId },
                },
              },
      ),
    {
      Update: {
        TableName: config.tableName,
        Key: capacityKeys.hold(tenantId, holdId),
        UpdateExpression: 'SET #status = :released REMOVE expiresAt',
        ConditionExpression: '#status = :was',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':released': 'RELEASED', ':was': hold.status },
      },
    },
  ];
}

/**
 * Gives the hold's capacity back: deletes each item still owned by this hold and marks the hold
 * RELEASED. `includeBooked` also releases a committed booking's capacity (cancel, dismiss).
 * Items a newer claim has taken over are left alone.
 */
export async function releaseHold(tenantId: string, holdId: string, options: { includeBooked?: boolean } = {}): Promise<HoldRecord['status'] | 'unknown'> {
  const hold = await getHold(tenantId, holdId);
  if (!hold) return 'unknown';
  if (hold.status === 'RELEASED') return 'RELEASED';
  if (hold.status === 'BOOKED' && !options.includeBooked) return 'BOOKED';
  const statuses = options.includeBooked ? ['HELD', 'BOOKED'] : ['HELD'];
  for (const key of hold.keys) {
    if (isCounterKey(key.sk)) {
      await sendConditional(new UpdateCommand(counterReleaseItem(key, holdId, statuses).Update as ConstructorParameters<typeof UpdateCommand>[0]));
      continue;
    }
    await sendConditional(
      new DeleteCommand({
        TableName: config.tableName,
        Key: key,
        ConditionExpression: 'holdId = :holdId AND #status IN (:s0, :s1)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':holdId': holdId, ':s0': statuses[0], ':s1': statuses[1] ?? statuses[0] },
      }),
    );
  }
  await documentClient().send(
    new UpdateCommand({
      TableName: config.tableName,
      Key: capacityKeys.hold(tenantId, holdId),
      UpdateExpression: 'SET #status = :released REMOVE expiresAt',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':released': 'RELEASED' },
    }),
  );
  return 'RELEASED';
}

/** DynamoDB's limit on the items of one TransactWriteItems. */
export const MAX_TRANSACTION_ITEMS = 100;

/**
 * Sends claim and hold items (with whatever else the caller adds) as one transaction: false when a
 * condition did not hold. Refused, it gives back the minutes of expired holds still on the counters
 * it updates (a counter cannot expire by itself) and, when some came back, tries once more.
 */
export async function sendClaimTransaction(items: TransactItem[]): Promise<boolean> {
  const send = () => sendConditional(new TransactWriteCommand({ TransactItems: items }));
  if (await send()) return true;
  const counters = items.map((item) => item.Update?.Key as { pk: string; sk: string } | undefined).filter((key) => key && isCounterKey(key.sk));
  if (!counters.length) return false;
  const freed = await Promise.all(counters.map((key) => reclaimExpiredMinutes(key!, new Date())));
  return freed.some(Boolean) ? send() : false;
}

/** A committed hold for a booking's (new) plan: the record reassignment puts in place of the old one. */
export function bookedHold(args: { tenantId: string; bookingId: string; plan: ClaimPlan; emergency: boolean; at: Date; holdId: string }): HoldRecord {
  return {
    tenantId: args.tenantId,
    holdId: args.holdId,
    status: 'BOOKED',
    plan: args.plan,
    emergency: args.emergency,
    keys: planKeys(args.tenantId, args.plan),
    bookingId: args.bookingId,
    source: 'booking',
    createdAt: args.at.toISOString(),
  };
}

/** One booked job changing hold: what it owns now and what it will own. */
export interface HoldMove {
  oldHold: Pick<HoldRecord, 'holdId' | 'keys'> & Partial<Pick<HoldRecord, 'plan' | 'bookingId'>>;
  newHold: HoldRecord;
}

interface CounterChange {
  key: { pk: string; sk: string };
  add: Array<{ entry: CounterEntry; cap: number }>;
  remove: Array<{ holdId: string; minutes: number; entry: CounterEntry }>;
}

/** Per counter item the moves touch: the claims leaving it (old holds) and arriving (new holds, booked). */
function counterChanges(moves: HoldMove[], parkedBy?: string): Map<string, CounterChange> {
  const out = new Map<string, CounterChange>();
  const at = (key: { pk: string; sk: string }) => {
    const change = out.get(key.sk) ?? { key, add: [], remove: [] };
    out.set(key.sk, change);
    return change;
  };
  for (const { oldHold, newHold } of moves) {
    for (const key of oldHold.keys.filter((k) => isCounterKey(k.sk))) {
      const minutes = oldHold.plan ? counterNeed(oldHold.plan, key.sk).minutes : 0;
      at(key).remove.push({ holdId: oldHold.holdId, minutes, entry: { minutes, status: 'BOOKED', holdId: oldHold.holdId, bookingId: oldHold.bookingId } });
    }
    for (const key of newHold.keys.filter((k) => isCounterKey(k.sk))) {
      const need = counterNeed(newHold.plan, key.sk);
      const route = newHold.plan.route ? { postalCode: newHold.plan.route.postalCode, durationMinutes: newHold.plan.route.durationMinutes } : {};
      const entry: CounterEntry = parkedBy
        ? { minutes: need.minutes, status: 'BOOKED', holdId: newHold.holdId, parked: parkedBy, ...route }
        : { minutes: need.minutes, status: 'BOOKED', holdId: newHold.holdId, bookingId: newHold.bookingId, ...route };
      at(key).add.push({ entry, cap: need.cap });
    }
  }
  return out;
}

const STATUS = { '#status': 'status' };

function claimItem(tenantId: string, key: { pk: string; sk: string }, holdId: string, bookingId: string | undefined) {
  return { ...key, ...parseClaimKey(key.sk), type: 'CapacityClaim', tenantId, status: 'BOOKED', holdId, bookingId };
}

/** The new hold put in place and the old one released (both conditional: a replay or a concurrent change cancels). */
function holdSwapItems(tenantId: string, { oldHold, newHold }: HoldMove): TransactItem[] {
  return [
    {
      Put: {
        TableName: config.tableName,
        Item: { ...capacityKeys.hold(tenantId, newHold.holdId), type: 'Hold', ...newHold },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
    {
      Update: {
        TableName: config.tableName,
        Key: capacityKeys.hold(tenantId, oldHold.holdId),
        UpdateExpression: 'SET #status = :released',
        ConditionExpression: '#status = :booked',
        ExpressionAttributeNames: STATUS,
        ExpressionAttributeValues: { ':released': 'RELEASED', ':booked': 'BOOKED' },
      },
    },
  ];
}

/**
 * The items that move booked jobs to new holds in ONE transaction (a swap, a chain, a day plan's
 * changes): an item only an old hold had is deleted, one only a new hold needs is put (if free or an
 * expired hold's), one both need changes owner; each new hold is put and each old one released.
 * Any concurrent change to any of these items cancels the transaction. The bookings' own updates
 * are the caller's (booking/store's bookingUpdate), sent in the same transaction.
 */
export function moveHoldItems(tenantId: string, moves: HoldMove[], at: Date): TransactItem[] {
  const owners = new Map<string, { key: { pk: string; sk: string }; oldHoldId?: string; next?: HoldRecord }>();
  for (const { oldHold, newHold } of moves) {
    for (const key of oldHold.keys.filter((k) => !isCounterKey(k.sk))) owners.set(key.sk, { ...owners.get(key.sk), key, oldHoldId: oldHold.holdId });
    for (const key of newHold.keys.filter((k) => !isCounterKey(k.sk))) owners.set(key.sk, { ...owners.get(key.sk), key, next: newHold });
  }
  // Counters: every claim leaving and arriving on one technician-window in one conditional update.
  // Route claims (capacity/availability.ts placeJob) hold only while every counter of their
  // technician's day is at the version their route was checked on: in the update of a counter the
  // transaction writes, a ConditionCheck on the others.
  const versions = routeVersions(
    tenantId,
    moves.map((m) => m.newHold.plan),
  );
  const items: TransactItem[] = [...counterChanges(moves).values()].map(({ key, add, remove }) => {
    const version = versions.get(key.sk)?.version;
    versions.delete(key.sk);
    return counterUpdate({ tenantId, key, add, remove, removeStatus: 'BOOKED', version });
  });
  items.push(...versionCheckItems([...versions.values()]));
  for (const { key, oldHoldId, next } of owners.values()) {
    if (oldHoldId && next) {
      items.push(handOverItem(key, oldHoldId, next));
    } else if (oldHoldId) {
      items.push({ Delete: { TableName: config.tableName, Key: key, ConditionExpression: 'holdId = :old', ExpressionAttributeValues: { ':old': oldHoldId } } });
    } else if (next) {
      items.push({
        Put: {
          TableName: config.tableName,
          Item: claimItem(tenantId, key, next.holdId, next.bookingId),
          // Free, or an abandoned hold that has expired: what claimHold accepts.
          ConditionExpression: 'attribute_not_exists(pk) OR (#status = :held AND expiresAt < :now)',
          ExpressionAttributeNames: STATUS,
          ExpressionAttributeValues: { ':held': 'HELD', ':now': Math.floor(at.getTime() / 1000) },
        },
      });
    }
  }
  for (const move of moves) items.push(...holdSwapItems(tenantId, move));
  return items;
}

/*
 * Staged moves, for a set of moves larger than one transaction (dispatch/apply-plan.ts). The items
 * pass through a parking owner (`holdId = parkedBy`, status BOOKED, so nobody else can claim them):
 * 1. park (any order, in chunks): each job's old items go from its old hold to the parking owner,
 *    and each new item no moving job owns now is claimed for the parking owner (if free).
 * 2. finalize (any order, in chunks): each new item goes from the parking owner to its new hold, an
 *    old item no job needs any more is deleted, the holds swap and the booking moves.
 * Because every item any move touches is parked before any job is finalized, no chunk waits on
 * another (a swap or chain across chunks cannot deadlock), and nobody can take a freed slot in
 * between. Undoing a park (`unparkHoldItems`) gives each old item back and deletes what was claimed.
 */

/** Step 1 for one job: its old items to the parking owner, its new items nobody moving owns claimed for it. */
export function parkHoldItems(tenantId: string, move: HoldMove, parkedBy: string, ownedByMovingJobs: Set<string>, at: Date): TransactItem[] {
  return [
    ...move.oldHold.keys
      .filter((k) => !isCounterKey(k.sk))
      .map(
        (key): TransactItem => ({
          Update: {
            TableName: config.tableName,
            Key: key,
            UpdateExpression: 'SET holdId = :park',
            ConditionExpression: 'holdId = :old AND #status = :booked',
            ExpressionAttributeNames: STATUS,
            ExpressionAttributeValues: { ':park': parkedBy, ':old': move.oldHold.holdId, ':booked': 'BOOKED' },
          },
        }),
      ),
    ...move.newHold.keys
      .filter((key) => !ownedByMovingJobs.has(key.sk) && !isCounterKey(key.sk))
      .map(
        (key): TransactItem => ({
          Put: {
            TableName: config.tableName,
            // No bookingId while parked: the board shows the job where it is until it is finalized.
            Item: claimItem(tenantId, key, parkedBy, undefined),
            ConditionExpression: 'attribute_not_exists(pk) OR (#status = :held AND expiresAt < :now)',
            ExpressionAttributeNames: STATUS,
            ExpressionAttributeValues: { ':held': 'HELD', ':now': Math.floor(at.getTime() / 1000) },
          },
        }),
      ),
  ];
}

/** The minutes a parked counter item keeps beyond its parked claims: those leaving beyond those arriving. */
function surplusOf({ add, remove }: CounterChange): number {
  return Math.max(0, remove.reduce((n, r) => n + r.minutes, 0) - add.reduce((n, a) => n + a.entry.minutes, 0));
}

/**
 * Step 1 for counters, one update per counter item any move touches (counter minutes are not
 * numbered, so an item is parked as a whole, not job by job): the moving jobs' old claims stay on it,
 * still their jobs' on the board until each is finalized, but marked `leaving` (their minutes leave
 * `used`; nobody else can release them); their new claims arrive parked (no bookingId yet); and the
 * surplus `claim:<parkedBy>` keeps the minutes that leave beyond those that arrive, so nobody can
 * take them until the apply ends (its `used` is then max(before, after): it fits whenever the plan
 * does). The surplus entry (even of 0 minutes) marks the item parked.
 */
export function parkCounterItems(tenantId: string, moves: HoldMove[], parkedBy: string): TransactItem[] {
  return [...counterChanges(moves, parkedBy).values()].map((change) =>
    counterUpdate({
      tenantId,
      key: change.key,
      add: [
        ...change.add,
        {
          entry: { minutes: surplusOf(change), status: 'BOOKED', holdId: parkedBy, parked: parkedBy },
          cap: Math.min(...change.add.map((a) => a.cap), Number.MAX_SAFE_INTEGER),
        },
      ],
      remove: [],
      leaving: { parkedBy, claims: change.remove },
    }),
  );
}

/**
 * Undoes step 1 for counters, item by item (each conditional on the item being parked, so running it
 * twice, or after a partial park, is safe): the new claims and the surplus leave, the old claims
 * are no longer leaving (back in `used`, as they were).
 */
export async function unparkCounterItems(tenantId: string, moves: HoldMove[], parkedBy: string): Promise<void> {
  for (const change of counterChanges(moves, parkedBy).values()) {
    const item = counterUpdate({
      tenantId,
      key: change.key,
      add: [],
      remove: [...change.add.map((a) => ({ holdId: a.entry.holdId, minutes: a.entry.minutes })), { holdId: parkedBy, minutes: surplusOf(change) }],
      leaving: { parkedBy, claims: change.remove, restore: true },
    });
    await sendConditional(new UpdateCommand(item.Update as ConstructorParameters<typeof UpdateCommand>[0]));
  }
}

/** The surplus of a parked counter item leaves (its minutes with it): `SET used = used - surplus`, if still there. */
function surplusReleaseItem(key: { pk: string; sk: string }, parkedBy: string): TransactItem {
  return counterReleaseItem(key, parkedBy);
}

/**
 * Step 2 for a chunk of jobs: their new items from the parking owner to their new holds, holds
 * swapped. An old item of theirs is left to the job that takes it when that job is in the chunk or
 * already moved; it loses its bookingId (a parked item belongs to no job on the board) when the job
 * taking it comes later (`laterNeeds`); otherwise nobody needs it and it is deleted. Every item is
 * written once per transaction.
 */
export function finalizeParkedItems(
  tenantId: string,
  chunk: HoldMove[],
  parkedBy: string,
  neededByMovingJobs: Set<string>,
  laterNeeds: Set<string>,
  /** Counter items a job after this chunk still touches (old or new): their surplus stays until then. */
  laterTouches: Set<string> = laterNeeds,
): TransactItem[] {
  const takenHere = new Set(chunk.flatMap((m) => m.newHold.keys.map((k) => k.sk)));
  const items: TransactItem[] = [];
  // Counters: the chunk's new claims become their jobs' (bookingId set, unparked) and its old (leaving)
  // claims go, one update per item; the last chunk touching an item also lets its surplus go.
  const counterKeys = new Map<string, { pk: string; sk: string }>();
  for (const m of chunk) for (const k of [...m.oldHold.keys, ...m.newHold.keys]) if (isCounterKey(k.sk)) counterKeys.set(k.sk, k);
  for (const key of counterKeys.values()) {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const set: string[] = [];
    const remove: string[] = [];
    const conditions: string[] = [];
    chunk.forEach((m, i) => {
      if (!m.newHold.keys.some((k) => k.sk === key.sk)) return;
      names[`#n${i}`] = counterEntryName(m.newHold.holdId);
      values[':park'] = parkedBy;
      values[`:b${i}`] = m.newHold.bookingId;
      set.push(`#n${i}.bookingId = :b${i}`);
      remove.push(`#n${i}.parked`);
      conditions.push(`#n${i}.parked = :park`);
    });
    chunk.forEach((m, i) => {
      if (!m.oldHold.keys.some((k) => k.sk === key.sk)) return;
      names[`#o${i}`] = counterEntryName(m.oldHold.holdId);
      values[':park'] = parkedBy;
      remove.push(`#o${i}`);
      conditions.push(`#o${i}.leaving = :park`);
    });
    if (!laterTouches.has(key.sk)) {
      names['#surplus'] = counterEntryName(parkedBy);
      names['#used'] = 'used';
      set.push('#used = #used - #surplus.minutes');
      remove.push('#surplus');
      conditions.push('attribute_exists(#surplus)');
    }
    if (!remove.length) continue;
    items.push({
      Update: {
        TableName: config.tableName,
        Key: key,
        UpdateExpression: `${set.length ? `SET ${set.join(', ')} ` : ''}REMOVE ${remove.join(', ')}`,
        ConditionExpression: conditions.join(' AND '),
        ExpressionAttributeNames: names,
        ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
      },
    });
  }
  for (const move of chunk) {
    for (const key of move.newHold.keys.filter((k) => !isCounterKey(k.sk))) {
      items.push({
        Update: {
          TableName: config.tableName,
          Key: key,
          UpdateExpression: 'SET holdId = :holdId, bookingId = :bookingId',
          ConditionExpression: 'holdId = :park',
          ExpressionAttributeValues: { ':holdId': move.newHold.holdId, ':bookingId': move.newHold.bookingId, ':park': parkedBy },
        },
      });
    }
    for (const key of move.oldHold.keys.filter((k) => !isCounterKey(k.sk))) {
      if (takenHere.has(key.sk)) continue;
      const condition = { ConditionExpression: 'holdId = :park', ExpressionAttributeValues: { ':park': parkedBy } };
      if (laterNeeds.has(key.sk)) items.push({ Update: { TableName: config.tableName, Key: key, UpdateExpression: 'REMOVE bookingId', ...condition } });
      else if (!neededByMovingJobs.has(key.sk)) items.push({ Delete: { TableName: config.tableName, Key: key, ...condition } });
    }
    items.push(...holdSwapItems(tenantId, move));
  }
  return items;
}

/**
 * Undoes step 1 for one job, item by item (each write conditional on the item still being parked,
 * so running it twice, or after a partial park, is safe): old items back to the old hold, items
 * claimed for the parking owner deleted.
 */
export async function unparkHoldItems(move: HoldMove, parkedBy: string, ownedByMovingJobs: Set<string>): Promise<void> {
  for (const key of move.oldHold.keys.filter((k) => !isCounterKey(k.sk))) {
    await sendConditional(
      new UpdateCommand({
        TableName: config.tableName,
        Key: key,
        UpdateExpression: 'SET holdId = :old',
        ConditionExpression: 'holdId = :park',
        ExpressionAttributeValues: { ':old': move.oldHold.holdId, ':park': parkedBy },
      }),
    );
  }
  for (const key of move.newHold.keys.filter((k) => !ownedByMovingJobs.has(k.sk) && !isCounterKey(k.sk))) {
    await sendConditional(
      new DeleteCommand({ TableName: config.tableName, Key: key, ConditionExpression: 'holdId = :park', ExpressionAttributeValues: { ':park': parkedBy } }),
    );
  }
}

/**
 * Gives back what is still parked for a job that cannot be finalized (its booking was changed by a
 * person meanwhile, e.g. cancelled): its parked items are deleted, the rest of the plan goes on.
 */
export async function dropParkedItems(move: HoldMove, parkedBy: string): Promise<void> {
  for (const key of move.newHold.keys.filter((k) => isCounterKey(k.sk))) {
    await sendConditional(
      new UpdateCommand({
        TableName: config.tableName,
        Key: key,
        UpdateExpression: 'SET #used = #used - #entry.minutes REMOVE #entry',
        ConditionExpression: '#entry.parked = :park',
        ExpressionAttributeNames: { '#used': 'used', '#entry': counterEntryName(move.newHold.holdId) },
        ExpressionAttributeValues: { ':park': parkedBy },
      }),
    );
  }
  // Its old claims, left with the apply (no longer in `used`).
  for (const key of move.oldHold.keys.filter((k) => isCounterKey(k.sk))) {
    await sendConditional(
      new UpdateCommand({
        TableName: config.tableName,
        Key: key,
        UpdateExpression: 'REMOVE #entry',
        ConditionExpression: '#entry.leaving = :park',
        ExpressionAttributeNames: { '#entry': counterEntryName(move.oldHold.holdId) },
        ExpressionAttributeValues: { ':park': parkedBy },
      }),
    );
  }
  // A surplus the withdrawn job's chunk would have let go.
  for (const key of [...move.oldHold.keys, ...move.newHold.keys].filter((k) => isCounterKey(k.sk))) {
    await sendConditional(new UpdateCommand(surplusReleaseItem(key, parkedBy).Update as ConstructorParameters<typeof UpdateCommand>[0]));
  }
  for (const key of [...move.oldHold.keys, ...move.newHold.keys].filter((k) => !isCounterKey(k.sk))) {
    await sendConditional(
      new DeleteCommand({ TableName: config.tableName, Key: key, ConditionExpression: 'holdId = :park', ExpressionAttributeValues: { ':park': parkedBy } }),
    );
  }
}

/** Marks when the tenant's schedule data (technicians' jobs) was last synced from its FSM. */
export async function recordScheduleSync(tenantKey: { pk: string; sk: string }, syncedAt: string): Promise<void> {
  await documentClient().send(
    new UpdateCommand({
      TableName: config.tableName,
      Key: tenantKey,
      UpdateExpression: 'SET scheduleSource.lastSyncAt = :at',
      ExpressionAttributeValues: { ':at': syncedAt },
    }),
  );
}
