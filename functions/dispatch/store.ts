/**
 * The journal of a day plan being applied (`T#<tenant>#DISPATCHAPPLY#<planId>`): the one record
 * that makes applying a plan idempotent by plan id and a staged apply recoverable after a crash
 * (dispatch/apply-plan.ts). Status: applying (items being parked: a crash rolls back) -> prepared
 * (everything parked: a crash rolls forward) -> applied, or rolled_back. Kept 30 days.
 */
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { BookingRecord } from '../booking/store';
import type { HoldRecord, TransactItem } from '../capacity/store';
import type { WaitlistOffer } from '../leads/waitlist';
import type { WaitlistPlacement } from '../leads/waiters';
import { config } from '../shared/config';
import { getItem, dueItems, sendConditional } from '../shared/dynamo';

export type ApplyStatus = 'applying' | 'prepared' | 'applied' | 'rolled_back';

/** One job of the plan: the booking as it was (what its move and announcement need), its old and new holds. */
export interface JournalMove {
  booking: Pick<BookingRecord, 'tenantId' | 'bookingId' | 'status' | 'window' | 'scheduleVersion'>;
  oldHold: HoldRecord;
  newHold: HoldRecord;
}

export interface ApplyResult {
  applied: Array<{ jobId: string; technicianId: string }>;
  unchanged: string[];
  /** Jobs a person changed (e.g. cancelled) while a staged apply ran: left as the person made them. */
  withdrawn?: string[];
  /** The offers the apply made to the day's waiting callers (recordApplyOffers): what a replay answers. */
  waitlistOffers?: WaitlistOffer[];
}

export interface ApplyJournal {
  tenantId: string;
  planId: string;
  date: string;
  status: ApplyStatus;
  /** The owner items carry while parked (capacity/store.ts parkHoldItems). */
  parkedBy: string;
  moves: JournalMove[];
  result: ApplyResult;
  by: string;
  reason: string;
  createdAt: string;
  expiresAt: number;
  /**
   * A plan's offers to the day's waiting callers are owed until they are made and recorded
   * (recordApplyOffers removes this): written with the journal, so the write that ends the apply
   * (applied) leaves them owed, and a retry of a plan whose run died before its offers, or the
   * recovery sweep, makes them (dispatch/apply-offers.ts). `placements`: the plan's waiting callers
   * (absent: the day's waitlist); `claimedAt`: a run making them now (claimApplyOffers).
   */
  offersOwed?: { placements?: WaitlistPlacement[]; claimedAt?: string };
}

const JOURNAL_DAYS = 30;

/**
 * A staged apply is on the recovery sweep's list (the sparse `byDue` index) from the moment it starts
 * until it ends applied or rolled back: a run that dies in between is finished by the sweep even when
 * nobody retries. Looked at once the run must be dead (DispatchReassign times out after 29 s).
 */
export const APPLY_RECOVERY_PARTITION = 'RECOVER#DISPATCHAPPLY';
export const APPLY_RECOVERY_AFTER_MS = 2 * 60_000;

export const dispatchKeys = {
  apply: (tenantId: string, planId: string) => ({ pk: `T#${tenantId}#DISPATCHAPPLY#${planId}`, sk: 'APPLY' }),
};

export async function getApplyJournal(tenantId: string, planId: string): Promise<ApplyJournal | undefined> {
  return (await getItem(dispatchKeys.apply(tenantId, planId), { consistent: true })) as ApplyJournal | undefined;
}

function journalItem(journal: Omit<ApplyJournal, 'expiresAt'>) {
  const expiresAt = Math.floor(Date.parse(journal.createdAt) / 1000) + JOURNAL_DAYS * 86_400;
  return { ...dispatchKeys.apply(journal.tenantId, journal.planId), type: 'DispatchApply', ...journal, expiresAt };
}

/** On the recovery sweep's list (the sparse `byDue` index), looked at once the run that wrote it must be dead. */
function onRecoveryList(journal: Pick<ApplyJournal, 'createdAt'>) {
  return { duePk: APPLY_RECOVERY_PARTITION, dueAt: new Date(Date.parse(journal.createdAt) + APPLY_RECOVERY_AFTER_MS).toISOString() };
}

/**
 * The journal written as `applied` inside the single transaction that applies a small plan; on the
 * recovery sweep's list while its offers are owed (a run that dies before them, nobody retrying).
 */
export function appliedJournalItem(journal: Omit<ApplyJournal, 'expiresAt' | 'status'>): TransactItem {
  return {
    Put: {
      TableName: config.tableName,
      Item: { ...journalItem({ ...journal, status: 'applied' }), ...(journal.offersOwed ? onRecoveryList(journal) : {}) },
      ConditionExpression: 'attribute_not_exists(pk) OR #status = :rolledBack',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':rolledBack': 'rolled_back' },
    },
  };
}

/** Starts a staged apply: false when another run holds this plan id (not rolled back). */
export async function startApplyJournal(journal: Omit<ApplyJournal, 'expiresAt' | 'status'>): Promise<boolean> {
  return sendConditional(
    new PutCommand({
      TableName: config.tableName,
      Item: { ...journalItem({ ...journal, status: 'applying' }), ...onRecoveryList(journal) },
      ConditionExpression: 'attribute_not_exists(pk) OR #status = :rolledBack',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':rolledBack': 'rolled_back' },
    }),
  );
}

/**
 * from -> to for the run that parks as `journal.parkedBy`, false when the journal is no longer that
 * run's in `from` (another run moved it on, or a retry rolled it back and started its own). An end
 * leaves the sweep's list, but for an apply whose offers are still owed (recordApplyOffers ends that).
 */
export async function advanceApplyJournal(
  journal: Pick<ApplyJournal, 'tenantId' | 'planId' | 'parkedBy' | 'offersOwed'>,
  from: ApplyStatus,
  to: ApplyStatus,
  result?: ApplyResult,
): Promise<boolean> {
  const ended = to === 'rolled_back' || (to === 'applied' && !journal.offersOwed) ? ' REMOVE duePk, dueAt' : '';
  return sendConditional(
    new UpdateCommand({
      TableName: config.tableName,
      Key: dispatchKeys.apply(journal.tenantId, journal.planId),
      UpdateExpression: (result ? 'SET #status = :to, #result = :result' : 'SET #status = :to') + ended,
      ConditionExpression: '#status = :from AND parkedBy = :run',
      ExpressionAttributeNames: { '#status': 'status', ...(result ? { '#result': 'result' } : {}) },
      ExpressionAttributeValues: { ':from': from, ':to': to, ':run': journal.parkedBy, ...(result ? { ':result': result } : {}) },
    }),
  );
}

/** A run that claimed a plan's offers and has not recorded them after this long is dead (the route times out at 29 s). */
export const APPLY_OFFERS_CLAIM_MS = 60_000;

/**
 * A run takes the offers an applied plan owes (offersOwed), so two runs (the apply and a retry, two
 * retries) never make them side by side: false when none are owed, or another run took them less than
 * APPLY_OFFERS_CLAIM_MS ago. The run then records them (recordApplyOffers).
 */
export async function claimApplyOffers(tenantId: string, planId: string, at: Date): Promise<boolean> {
  return sendConditional(
    new UpdateCommand({
      TableName: config.tableName,
      Key: dispatchKeys.apply(tenantId, planId),
      UpdateExpression: 'SET offersOwed.claimedAt = :at',
      ConditionExpression:
        '#status = :applied AND attribute_exists(offersOwed) AND (attribute_not_exists(offersOwed.claimedAt) OR offersOwed.claimedAt < :stale)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':applied': 'applied', ':at': at.toISOString(), ':stale': new Date(at.getTime() - APPLY_OFFERS_CLAIM_MS).toISOString() },
    }),
  );
}

/**
 * The offers an applied plan made to the day's waiting callers, kept with its result (no longer owed,
 * off the recovery sweep's list): a replay of the plan (a bot's or the console's retry) answers them
 * as the first apply did. Only by the run that claimed them (`claimedAt`): once, the first stays.
 */
export async function recordApplyOffers(tenantId: string, planId: string, offers: WaitlistOffer[], claimedAt: Date): Promise<boolean> {
  return sendConditional(
    new UpdateCommand({
      TableName: config.tableName,
      Key: dispatchKeys.apply(tenantId, planId),
      UpdateExpression: 'SET #result.waitlistOffers = :offers REMOVE offersOwed, duePk, dueAt',
      ConditionExpression: '#status = :applied AND offersOwed.claimedAt = :claimedAt AND attribute_not_exists(#result.waitlistOffers)',
      ExpressionAttributeNames: { '#status': 'status', '#result': 'result' },
      ExpressionAttributeValues: { ':applied': 'applied', ':offers': offers, ':claimedAt': claimedAt.toISOString() },
    }),
  );
}

/**
 * Goes in every park transaction of a staged apply: the journal is still this run's and `applying`.
 * A retry that rolled the journal back while this run was alive (a double click, a client timeout
 * shorter than the route's) stops it at its next park, which then unparks what it parked.
 */
export function applyingRunCheck(journal: Pick<ApplyJournal, 'tenantId' | 'planId' | 'parkedBy'>): TransactItem {
  return {
    ConditionCheck: {
      TableName: config.tableName,
      Key: dispatchKeys.apply(journal.tenantId, journal.planId),
      ConditionExpression: '#status = :applying AND parkedBy = :run',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':applying': 'applying', ':run': journal.parkedBy },
    },
  };
}

/** Staged applies started before `by` and not ended (their run may have died); `tenantId` narrows it (tests). */
export async function stalledApplyJournals(by: Date, limit: number, tenantId?: string): Promise<Array<{ tenantId: string; planId: string }>> {
  return (await dueItems(APPLY_RECOVERY_PARTITION, by, limit, tenantId)).map((item) => ({ tenantId: item.tenantId as string, planId: item.planId as string }));
}
