/**
 * Applying technician changes for one day (a day plan's `changes[].to`, a swap, a chain): whole or
 * not at all. Windows stay as booked (a window change needs the customer).
 *
 * - A plan carries its id and the board version it was computed on: a board that changed since is
 *   refused (409 board_changed: plan again), and the id makes the apply idempotent (a replay answers
 *   what the first apply did).
 * - Every change is validated first; one that cannot be done refuses the whole request, naming the
 *   job and why. Nothing is ever applied in part.
 * - When every change fits in one TransactWriteItems (100 items; a job takes about 8), they go in
 *   one, with the plan's journal record marked applied in the same transaction.
 * - Otherwise a staged sequence with a journal (dispatch/store.ts): `applying`, park every item any
 *   move touches in chunks (capacity/store.ts parkHoldItems: nobody else can claim a parked item),
 *   `prepared`, finalize each job in chunks, `applied`. Parking first means no chunk depends on
 *   another, so swaps and chains across chunks go through.
 *
 * Recovery after a crash in the middle (the process dies; the journal says where): the next apply
 * of the same plan id (a client retry) runs `recoverApply` first, and the recovery sweep runs it on
 * every staged apply still unfinished two minutes after it started (`recoverStalledApplies`), so a
 * plan nobody retries ends too:
 * - `applying`: some items are parked, no job moved yet -> roll back (each parked item back to its
 *   old hold or deleted, conditional on still being parked), journal `rolled_back`; the request is
 *   then evaluated afresh (the board is again the one the plan was computed on).
 * - `prepared`: every item is parked -> roll forward (finalize each job not yet moved); nobody can
 *   have taken a parked item, so this ends fully applied. One exception, reported as `withdrawn`:
 *   a person changed a moving booking meanwhile (cancelled it); that job stays as they left it.
 * Until recovered, parked items count as booked, so nothing is double-booked meanwhile.
 */
import { ulid } from 'ulid';
import { announceMoves, bookingMoveItem, parkedRouteRefusal, planMoves, reassignmentItems, type Move, type Reassignment } from '../booking/reassign';
import { getBookingRecord, getBookingRecords, type BookingRecord } from '../booking/store';
import {
  dropParkedItems,
  finalizeParkedItems,
  MAX_TRANSACTION_ITEMS,
  parkCounterItems,
  parkHoldItems,
  sendClaimTransaction,
  unparkCounterItems,
  unparkHoldItems,
  type TransactItem,
} from '../capacity/store';
import { ApiError } from '../shared/errors';
import type { WaitlistPlacement } from '../leads/waiters';
import { isLocalStage } from '../shared/stage';
import { makeOwedOffers } from './apply-offers';
import { getTenant } from '../tenant/store';
import { boardVersion, loadDispatchDay, planId as computePlanId } from './day';
import {
  advanceApplyJournal,
  applyingRunCheck,
  appliedJournalItem,
  getApplyJournal,
  stalledApplyJournals,
  startApplyJournal,
  type ApplyJournal,
  type ApplyResult,
  type JournalMove,
} from './store';

export interface ApplyRequest {
  date: string;
  assignments: Array<{ jobId: string; technicianId: string; start?: string }>;
  reason?: string;
  planId?: string;
  boardVersion?: string;
  /** The plan's `waitlistPlaced` (part of its id): the waiting callers the room is offered to (reassign.handler.ts). */
  waitlist?: WaitlistPlacement[];
}

export interface ApplyOptions {
  /** Items per transaction (DynamoDB's 100); tests lower it to exercise the staged path. */
  maxTransactionItems?: number;
  /** Test hook, called after each staged transaction: throwing there is a crash at that point. */
  afterStep?: (step: 'park' | 'finalize') => void | Promise<void>;
}

/** `replayed`: the plan had been applied already (same plan id): the answer is the first apply's. */
export type ApplyOutcome = ApplyResult & { planId?: string; replayed?: true };

/**
 * Items per transaction when the caller does not say: DynamoDB's 100. The local system alone may be
 * started with fewer (`JOBRELAY_APPLY_MAX_ITEMS`), so a crash test killing the whole system over HTTP
 * meets a staged apply of many steps on a day it can book in minutes; never read in AWS.
 */
export const LOCAL_APPLY_MAX_ITEMS_ENV = 'JOBRELAY_APPLY_MAX_ITEMS';
function maxItems(options: ApplyOptions): number {
  const local = isLocalStage() ? Number(process.env[LOCAL_APPLY_MAX_ITEMS_ENV]) : Number.NaN;
  return options.maxTransactionItems ?? (Number.isInteger(local) && local >= 10 && local < MAX_TRANSACTION_ITEMS ? local : MAX_TRANSACTION_ITEMS);
}

const CHANGED_MEANWHILE = 'A job or technician changed while the changes were applied; nothing was changed: read the day again (or plan it again)';

/** The changes that actually move a job; refuses the whole request on the first one that cannot be done. */
async function movesOf(tenantId: string, request: ApplyRequest) {
  const day = await loadDispatchDay(tenantId, request.date);
  if (request.boardVersion && boardVersion(day) !== request.boardVersion) {
    throw new ApiError(
      'board_changed',
      'The board changed since this plan was made (a booking, cancellation or reassignment); nothing was applied: plan the day again',
      'boardVersion',
    );
  }
  const jobs = new Map(day.jobs.map((j) => [j.bookingId, j]));
  const moves: Reassignment[] = [];
  const unchanged: string[] = [];
  const seen = new Set<string>();
  for (const [i, a] of request.assignments.entries()) {
    const job = jobs.get(a.jobId);
    const field = `assignments.${i}`;
    if (seen.has(a.jobId)) throw new ApiError('invalid_request', `Job ${a.jobId} appears twice; nothing was applied`, `${field}.jobId`);
    seen.add(a.jobId);
    if (!job) throw new ApiError('not_found', `No booked job ${a.jobId} on ${request.date}; nothing was applied`, `${field}.jobId`);
    if (a.start && a.start !== job.start) {
      throw new ApiError(
        'invalid_request',
        `Job ${a.jobId} is booked for ${job.start}; a window change needs the customer (POST /v1/bookings/${a.jobId}/reschedule); nothing was applied`,
        `${field}.start`,
      );
    }
    if (job.technicianId === a.technicianId) unchanged.push(a.jobId);
    else moves.push({ bookingId: a.jobId, technicianId: a.technicianId });
  }
  return { moves, unchanged };
}

function journalMove(m: Move): JournalMove {
  const { tenantId, bookingId, status, window, scheduleVersion } = m.booking;
  return { booking: { tenantId, bookingId, status, window, scheduleVersion }, oldHold: m.oldHold, newHold: m.newHold };
}

/** Each job's items kept together, as few transactions of at most `max` items as greedy packing gives. */
function pack<T>(groups: Array<{ of: T; items: TransactItem[] }>, max: number): Array<{ of: T[]; items: TransactItem[] }> {
  const out: Array<{ of: T[]; items: TransactItem[] }> = [];
  for (const g of groups) {
    const last = out[out.length - 1];
    if (last && last.items.length + g.items.length <= max) {
      last.of.push(g.of);
      last.items.push(...g.items);
    } else out.push({ of: [g.of], items: [...g.items] });
  }
  return out;
}

const ownedBy = (moves: JournalMove[]) => new Set(moves.flatMap((m) => m.oldHold.keys.map((k) => k.sk)));
const neededBy = (moves: JournalMove[]) => new Set(moves.flatMap((m) => m.newHold.keys.map((k) => k.sk)));

/** Undo a partial park: every item back as it was. Safe to run twice. */
async function rollBack(journal: ApplyJournal): Promise<void> {
  const owned = ownedBy(journal.moves);
  for (const move of journal.moves) await unparkHoldItems(move, journal.parkedBy, owned);
  await unparkCounterItems(journal.tenantId, journal.moves, journal.parkedBy);
  await advanceApplyJournal(journal, 'applying', 'rolled_back');
}

/** Finish a fully parked plan: every job not yet moved is moved. Safe to run twice. */
async function rollForward(journal: ApplyJournal, at: Date, options: ApplyOptions): Promise<ApplyResult> {
  const needed = neededBy(journal.moves);
  const moved = async (m: JournalMove) => (await getBookingRecord(journal.tenantId, m.booking.bookingId))?.holdId === m.newHold.holdId;
  // Which jobs a run before this one moved already: one BatchGetItem per 100 jobs.
  const before = await getBookingRecords(
    journal.tenantId,
    journal.moves.map((m) => m.booking.bookingId),
  );
  let pending = journal.moves.filter((m, i) => before[i]?.holdId !== m.newHold.holdId);
  const send = async (chunk: JournalMove[]) => {
    const later = pending.filter((m) => !chunk.includes(m));
    const rest = neededBy(later);
    const items = [
      ...finalizeParkedItems(journal.tenantId, chunk, journal.parkedBy, needed, rest, new Set([...rest, ...ownedBy(later)])),
      ...chunk.map((m) => bookingMoveItem(journal.tenantId, m as Move, at)),
    ];
    const ok = await sendClaimTransaction(items);
    if (ok) pending = pending.filter((m) => !chunk.includes(m));
    return ok;
  };
  const withdrawn: JournalMove[] = [];
  // Sized by the most items a job can take (new + old claims, two holds, the booking).
  const sized = pending.map((m) => ({ of: m, items: new Array(m.newHold.keys.length + m.oldHold.keys.length + 3) as TransactItem[] }));
  for (const chunk of pack(sized, maxItems(options))) {
    if (!(await send(chunk.of))) {
      // One job of the chunk was changed by a person (or another run finished it): job by job.
      for (const m of chunk.of) {
        if (await moved(m)) pending = pending.filter((x) => x !== m);
        else if (!(await send([m]))) withdrawn.push(m);
      }
    }
    await options.afterStep?.('finalize');
  }
  for (const m of withdrawn) if (!(await moved(m))) await dropParkedItems(m, journal.parkedBy);
  const gone = new Set(withdrawn.map((m) => m.booking.bookingId));
  const tenant = await getTenant(journal.tenantId);
  // Announced before the journal says applied: a crash in between announces again (ledger rows are per schedule version).
  const staying = journal.moves.filter((m) => !gone.has(m.booking.bookingId));
  const records = await getBookingRecords(
    journal.tenantId,
    staying.map((m) => m.booking.bookingId),
  );
  const announced = staying.map((m, i) => ({ ...m, booking: { ...records[i]!, ...m.booking } as BookingRecord }));
  if (tenant) await announceMoves(tenant, announced, journal.by, journal.reason, at);
  const result: ApplyResult = {
    ...journal.result,
    applied: journal.result.applied.filter((a) => !gone.has(a.jobId)),
    ...(gone.size ? { withdrawn: [...gone] } : {}),
  };
  await advanceApplyJournal(journal, 'prepared', 'applied', result);
  return result;
}

/** Brings a plan's journal to a final state: its result when applied, undefined when rolled back (apply afresh). */
export async function recoverApply(journal: ApplyJournal, at: Date, options: ApplyOptions = {}): Promise<ApplyResult | undefined> {
  if (journal.status === 'applied') return journal.result;
  if (journal.status === 'prepared') return rollForward(journal, at, options);
  if (journal.status === 'applying') await rollBack(journal);
  return undefined;
}

/**
 * The recovery sweep's part: every staged apply whose run died is rolled back or forward, and an
 * applied plan whose run died before its offers to the waiting callers makes them
 * (dispatch/apply-offers.ts); counts by outcome.
 */
export async function recoverStalledApplies(at: Date, options: { tenantId?: string } = {}): Promise<Record<string, number>> {
  const outcomes: Record<string, number> = {};
  const count = (outcome: string, n = 1) => {
    if (n) outcomes[outcome] = (outcomes[outcome] ?? 0) + n;
  };
  for (const { tenantId, planId } of await stalledApplyJournals(at, 50, options.tenantId)) {
    const journal = await getApplyJournal(tenantId, planId);
    if (!journal) continue;
    const result = await recoverApply(journal, at);
    if (journal.status !== 'applied') count(result ? 'applied' : 'rolled_back');
    if (result && journal.offersOwed) count('waitlistOffers', await makeOwedOffers(journal, result, at));
  }
  return outcomes;
}

async function applyStaged(journal: ApplyJournal, at: Date, options: ApplyOptions): Promise<ApplyResult> {
  if (!(await startApplyJournal(journal))) throw new ApiError('request_in_progress', 'This plan is being applied; ask again in a moment', 'planId');
  const owned = ownedBy(journal.moves);
  try {
    for (const chunk of pack(
      [
        ...journal.moves.map((m) => ({ of: m, items: parkHoldItems(journal.tenantId, m, journal.parkedBy, owned, at) })),
        // Technician-window counters are parked whole, one item each (capacity/store.ts parkCounterItems).
        ...parkCounterItems(journal.tenantId, journal.moves, journal.parkedBy).map((item) => ({ of: journal.moves[0]!, items: [item] })),
      ],
      // One item of each transaction is the check that the journal is still this run's.
      maxItems(options) - 1,
    )) {
      if (!(await sendClaimTransaction([...chunk.items, applyingRunCheck(journal)]))) throw new ApiError('conflict', CHANGED_MEANWHILE, 'assignments');
      await options.afterStep?.('park');
    }
    // Route model: every technician a job lands on still routes with what came in meanwhile (booking/reassign.ts).
    const refused = await parkedRouteRefusal(journal.tenantId, journal.moves, journal.parkedBy, at);
    if (refused) throw new ApiError('conflict', refused, 'assignments');
  } catch (error) {
    // A refusal is rolled back now; anything else (a crash, an outage) is left to recoverApply.
    if (error instanceof ApiError) await rollBack(journal);
    throw error;
  }
  if (!(await advanceApplyJournal(journal, 'applying', 'prepared'))) {
    // A retry rolled this run's journal back after its last park: what it parked goes back.
    await rollBack(journal);
    throw new ApiError('conflict', CHANGED_MEANWHILE, 'planId');
  }
  return rollForward({ ...journal, status: 'prepared' }, at, options);
}

/** Applies the changes whole or not at all (see above). Throws ApiError naming the job and why when refused. */
export async function applyPlan(tenantId: string, by: string, request: ApplyRequest, at: Date, options: ApplyOptions = {}): Promise<ApplyOutcome> {
  if (request.planId) {
    if (!request.boardVersion || computePlanId(request.date, request.boardVersion, request.assignments, request.waitlist) !== request.planId) {
      throw new ApiError('invalid_request', 'planId does not match this date, board version and these changes: send the plan as it was given', 'planId');
    }
    const journal = await getApplyJournal(tenantId, request.planId);
    const done = journal && (await recoverApply(journal, at, options));
    if (done) return { ...done, planId: request.planId, ...(journal.status === 'applied' ? { replayed: true as const } : {}) };
  }
  const { moves, unchanged } = await movesOf(tenantId, request);
  if (!moves.length) return { applied: [], unchanged, planId: request.planId };
  const { tenant, moves: planned } = await planMoves(tenantId, moves, at);
  const reason = request.reason ?? (request.planId ? `Day plan ${request.planId}` : 'Dispatch reassignment');
  const result: ApplyResult = { applied: planned.map((m) => ({ jobId: m.booking.bookingId, technicianId: m.newHold.plan.technicianId })), unchanged };
  const id = request.planId ?? `ap_${ulid()}`;
  const journal: ApplyJournal = {
    tenantId,
    planId: id,
    date: request.date,
    status: 'applying',
    // Per run: a retry that rolled this run back parks as itself, so neither unparks the other's items.
    parkedBy: `park-${id}-${ulid()}`,
    moves: planned.map(journalMove),
    result,
    by,
    reason,
    createdAt: at.toISOString(),
    expiresAt: 0,
    // A plan's offers to the waiting callers are owed from the write that applies it until made (reassign.handler.ts).
    ...(request.planId ? { offersOwed: request.waitlist ? { placements: request.waitlist } : {} } : {}),
  };
  const items = reassignmentItems(tenantId, planned, at);
  if (items.length + 1 <= maxItems(options)) {
    const all = request.planId ? [...items, appliedJournalItem(journal)] : items;
    if (!(await sendClaimTransaction(all))) throw new ApiError('conflict', CHANGED_MEANWHILE, 'assignments');
    await announceMoves(tenant, planned, by, reason, at);
    return { ...result, planId: request.planId };
  }
  return { ...(await applyStaged(journal, at, options)), planId: id };
}
