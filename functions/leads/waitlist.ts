/**
 * The waitlist. A lead is waitlisted by a dispatcher (the callback's waitlist option) or a bot
 * (POST /v1/leads/{id}/waitlist). When a booked slot frees up (a cancellation, a reschedule away
 * from it), the earliest waiting lead of that trade for whom the slot is really open (its area, its
 * job type's skills, the capacity rules) is offered it by SMS (`waitlist_offer`, from the ledger of
 * the lead's booking request, sent by the sweeper). A dispatch change of a day's technicians (a day
 * plan applied) offers the room it made to that day's waitlisted leads the same way (offerGrownRoom).
 * Nothing is held: the customer takes it by calling or replying, and the bot or dispatcher books it
 * through POST /v1/bookings like any other.
 */
import { type CapacityClaim, isClaimActive, type OpenWindow, planClaims } from '../capacity/availability';
import { availableWindows, openWindowsIn } from '../capacity/engine';
import { listClaims } from '../capacity/store';
import type { BookingRecord } from '../booking/store';
import { updateBooking } from '../booking/store';
import { type ChangeFollowUp, markOfferedItem } from '../booking/follow-up-store';
import { decideDelivery } from '../notify/delivery';
import { addLedgerRows } from '../notify/queue-now';
import { formatWindow } from '../notify/variables';
import { getCustomer } from '../recognise/store';
import { openReviewItem, resolveReviewItemsFor } from '../review/store';
import { ApiError } from '../shared/errors';
import { logger } from '../shared/logger';
import { getJobType, getTenant } from '../tenant/store';
import type { JobType, Technician, Tenant } from '../tenant/model';
import { waitingLeadsFor } from './leads';
import { type DayWaiter, type WaitlistPlacement, waitersOfDay } from './waiters';
import type { LeadRecord } from './schemas';
import { getLead, recordOffer, waitlistLead, waitlistOf } from './store';

/** How many waiting leads a freed slot is tried against (earliest first). */
const OFFER_CANDIDATES = 20;
/** The offers after a dispatch change stop after this long (the change is applied; the route answers within API Gateway's 29 s). */
const APPLY_OFFER_BUDGET_MS = 8_000;

export async function putLeadOnWaitlist(tenantId: string, leadId: string, by: string, note: string | undefined, at: Date): Promise<LeadRecord> {
  const lead = await getLead(tenantId, leadId);
  if (!lead) throw new ApiError('not_found', `No lead ${leadId}`, 'id');
  if (lead.status === 'waitlisted') return lead;
  if (!lead.bookingId) throw new ApiError('conflict', 'This lead has no booking request to offer a slot from; call the customer back', 'id');
  if (!(await waitlistLead(tenantId, lead, at))) {
    const now = await getLead(tenantId, leadId);
    throw new ApiError('conflict', `A ${now?.status ?? 'missing'} lead cannot be waitlisted`, 'id');
  }
  await resolveReviewItemsFor(tenantId, { type: 'lead', id: leadId }, 'callback', by, note ? `Waitlisted: ${note}` : 'Waitlisted', at);
  return (await getLead(tenantId, leadId))!;
}

/**
 * What made room for the waiting callers, as a dispatcher reads it (reviewUnoffered): a booking that
 * gave its window back (`freedBy` its id: cancelled, or moved away), or a dispatch change of a day's
 * technicians (`freedBy` the day plan's id, or a reassignment by hand).
 */
export interface RoomMade {
  date: string;
  freedBy: string;
  how: 'cancellation' | 'reschedule' | 'dispatch';
}

/**
 * A booked window was given back (`freedBy` cancelled or moved away, `how`): offer it to the earliest
 * waiting lead who can really have it. Returns the lead offered, if any. Never throws: the change
 * that freed the slot has happened whatever becomes of the offer. An offer that fails is a `callback`
 * review item on its lead: before the lead holds it, the next lead is tried; once it does (its text
 * failed), no one else is offered it. A waitlist that cannot be read, one item for the slot
 * (reviewUnoffered): room is never lost in a log line.
 */
export async function offerFreedSlot(
  tenantId: string,
  freedBy: Pick<BookingRecord, 'bookingId' | 'jobTypeId'>,
  window: { date: string; start: string; end: string; technicianId?: string } | null | undefined,
  at: Date,
  how: 'cancellation' | 'reschedule',
  /** The change's follow-up (booking/follow-up-store.ts): the offer is noted on it, and a second run offers the window to nobody else. */
  followUp?: ChangeFollowUp,
): Promise<LeadRecord | undefined> {
  if (!window || followUp?.offeredLeadId) return undefined;
  const made: RoomMade = { date: window.date, freedBy: freedBy.bookingId, how };
  let tenant: Tenant | undefined;
  try {
    const [company, freedJobType] = await Promise.all([getTenant(tenantId), getJobType(tenantId, freedBy.jobTypeId)]);
    tenant = company;
    if (!tenant || !freedJobType) return undefined;
    const waiting = waitingLeadsFor(await waitlistOf(tenantId, freedJobType.trade, OFFER_CANDIDATES), freedJobType.trade);
    for (const lead of waiting) {
      if (!lead.bookingId || !lead.jobTypeId) continue;
      let slot: OpenWindow | undefined;
      try {
        const jobType = lead.jobTypeId === freedJobType.jobTypeId ? freedJobType : await getJobType(tenantId, lead.jobTypeId);
        if (!jobType) continue;
        // Really open for this lead: its area, its job's skills, capacity as it stands now.
        const { open } = await availableWindows({ tenant, jobType, postalCode: lead.postalCode, dates: [window.date], now: at });
        slot = open.find((w) => w.start === window.start);
        if (!slot) continue;
        const offered = await sendOffer(tenant, lead, slot, made, at, followUp);
        if (offered) return offered;
      } catch (error) {
        logger.warn('offering a freed slot to a waiting caller failed', { tenantId, freedBy: freedBy.bookingId, error: (error as Error).name });
        await reviewUnoffered(tenant, made, { failed: { lead, slot: slot ?? window, error: error as Error } }, at);
      }
    }
  } catch (error) {
    logger.warn('offering a freed slot failed', { tenantId, freedBy: freedBy.bookingId, error: (error as Error).name });
    if (tenant) await reviewUnoffered(tenant, made, { cause: error as Error, slot: window }, at);
    else logger.error('a freed slot could not be offered, and the company could not be read to say so', { tenantId, ...window });
  }
  return undefined;
}

/**
 * The offer itself: the lead goes waitlisted -> offered (conditional: one offer per waiting lead),
 * its booking request gets the window in the customer's language and a `waitlist_offer` SMS row.
 * A customer texts cannot reach (opted out, no channel that takes texts), or whose text could not be
 * written, is offered it by a person: the lead is offered all the same (the place is theirs to take)
 * and dispatch gets a `callback` item to call them (reviewUnoffered). Undefined when someone else got
 * to the lead first.
 */
async function sendOffer(
  tenant: Tenant,
  lead: LeadRecord,
  slot: { date: string; start: string; end: string },
  made: RoomMade,
  at: Date,
  followUp?: ChangeFollowUp,
): Promise<LeadRecord | undefined> {
  const offer = { date: slot.date, start: slot.start, end: slot.end, offeredAt: at.toISOString(), freedBy: made.freedBy };
  const customer = lead.customerId ? await getCustomer(tenant.tenantId, lead.customerId) : undefined;
  // The send worker's own rule (notify/delivery.ts): a text it would suppress never reaches them.
  const delivery =
    customer && decideDelivery({ kind: 'waitlist_offer', now: at, timeZone: tenant.timeZone, companyQuietHours: tenant.messaging.quietHours, customer });
  if (!lead.bookingId || !(await recordOffer(tenant.tenantId, lead, offer, at, followUp ? [markOfferedItem(followUp, lead.leadId)] : []))) return undefined;
  const version = (lead.offers ?? 0) + 1;
  const offered: LeadRecord = { ...lead, status: 'offered', offer, offers: version };
  if (delivery?.action === 'suppress') {
    await reviewUnoffered(tenant, made, { failed: { lead, slot, unreachable: delivery.reason } }, at);
    return offered;
  }
  try {
    // Formatted now, in the customer's language: the message names the offered window, not the request's.
    const offerWindow = formatWindow(slot, tenant.timeZone, customer?.language ?? 'en').window;
    await updateBooking(tenant.tenantId, lead.bookingId, { messageVars: { offerWindow } }, { at });
    await addLedgerRows(tenant.tenantId, lead.bookingId, [{ kind: 'waitlist_offer', channel: 'sms', dueAt: at.toISOString(), version }], { at });
  } catch (error) {
    // The lead holds the offer already: its text could not be written, so a person offers it. Moving
    // on to the next waiting caller would offer one slot to two customers.
    logger.warn('the text offering a freed slot could not be written', { tenantId: tenant.tenantId, leadId: lead.leadId, error: (error as Error).name });
    await reviewUnoffered(tenant, made, { failed: { lead, slot, error: error as Error } }, at);
    return offered;
  }
  logger.info('freed slot offered to a waitlisted lead', {
    tenantId: tenant.tenantId,
    leadId: lead.leadId,
    freedBy: made.freedBy,
    date: slot.date,
    start: slot.start,
  });
  return offered;
}

/** An offer made after a dispatch change (the route's `waitlistOffers`). */
export interface WaitlistOffer {
  leadId: string;
  date: string;
  start: string;
  end: string;
}

/**
 * A day's technicians were changed (POST /v1/dispatch/reassign: a day plan applied, a swap, a
 * chain): the room that made is offered to that day's waiting callers (waitersOfDay), earliest
 * waitlisted first, one offer per customer, in a window their request asked for. With `placements`
 * (the plan counted the waiting callers and placed some: dispatch/plan.handler.ts), exactly those
 * leads are tried, in the windows the plan gave them. A window grew for a lead when it is open for
 * the lead's job and address now and was not before the change (`before`: the day's claims then):
 * room that was open already is not the change's to give (a cancellation may have offered it).
 * Each offer counts as taken for the leads after it (its claims are added to the day where the plan,
 * else the booking engine's first candidate, puts it), so one place is never offered twice. Nothing
 * is held (as for a freed slot): the customer books through POST /v1/bookings. Never throws, and
 * stops after `budgetMs` (default APPLY_OFFER_BUDGET_MS): the change happened whatever becomes of
 * the offers. What could not be offered goes to the review queue for a dispatcher (reviewUnoffered):
 * an offer that failed, as a `callback` item on its lead; callers not tried (out of time, or the
 * day's waitlist could not be read), as one item for the day.
 */
export async function offerGrownRoom(
  /** The company as the caller read it after the change (dispatch/day.ts loadDispatchDay): not read again. */
  company: { tenant: Tenant; technicians: Technician[]; jobTypes: JobType[] },
  change: { date: string; before: CapacityClaim[]; freedBy: string; placements?: WaitlistPlacement[] },
  at: Date,
  options: { budgetMs?: number } = {},
): Promise<WaitlistOffer[]> {
  const { tenant, technicians, jobTypes } = company;
  const { tenantId } = tenant;
  const { date } = change;
  const room: RoomMade = { date, freedBy: change.freedBy, how: 'dispatch' };
  const made: WaitlistOffer[] = [];
  let tried = 0;
  try {
    const after = await listClaims(tenantId, date, date);
    const trades = [...new Set(technicians.filter((t) => t.active).flatMap((t) => t.trades))];
    const planned = change.placements && new Map(change.placements.map((p) => [p.leadId, p]));
    const types = new Map(jobTypes.map((j) => [j.jobTypeId, j]));
    const before = change.before.filter((c) => isClaimActive(c, at));
    const now = after.filter((c) => isClaimActive(c, at));
    const deadline = Date.now() + (options.budgetMs ?? APPLY_OFFER_BUDGET_MS);
    const waiters = await waitersOfDay(tenantId, date, trades);
    for (const waiter of waiters) {
      if (Date.now() >= deadline) {
        logger.warn('offering the room a dispatch change made stopped at its time budget', { tenantId, date, offered: made.length });
        const notTried = waiters.slice(tried).filter((w) => !planned || w.leads.some(({ lead }) => planned.has(lead.leadId)));
        await reviewUnoffered(tenant, room, { notTried, cause: 'time' }, at);
        break;
      }
      tried++;
      let choice: { lead: LeadRecord; slot: OpenWindow } | undefined;
      try {
        const jobType = types.get(waiter.jobTypeId);
        if (!jobType) continue;
        const args = { tenant, technicians, jobType, postalCode: waiter.postalCode, dates: [date], now: at };
        const openBefore = new Set(openWindowsIn({ ...args, claims: before }).open.map((w) => w.start));
        const open = openWindowsIn({ ...args, claims: now }).open.filter((w) => !openBefore.has(w.start));
        choice = waiter.leads
          .filter(({ lead }) => !planned || planned.has(lead.leadId))
          .flatMap(({ lead, start }) => {
            const want = planned?.get(lead.leadId)?.start ?? start;
            const slot = open.find((w) => !want || w.start === want);
            return slot ? [{ lead, slot }] : [];
          })[0];
        if (!choice) continue;
        const offered = await sendOffer(tenant, choice.lead, choice.slot, room, at);
        if (!offered) continue;
        // Taken, for the callers after this one: on the plan's technician, else the booking engine's first candidate.
        const technicianId = planned?.get(choice.lead.leadId)?.technicianId;
        const plan = choice.slot.candidates.find((c) => c.technicianId === technicianId) ?? choice.slot.candidates[0]!;
        now.push(...planClaims(plan, `offer:${choice.lead.leadId}`));
        made.push({ leadId: choice.lead.leadId, date: choice.slot.date, start: choice.slot.start, end: choice.slot.end });
      } catch (error) {
        logger.warn('offering the room a dispatch change made to a waiting caller failed', { tenantId, date, error: (error as Error).name });
        await reviewUnoffered(tenant, room, { failed: { lead: choice?.lead ?? waiter.leads[0]!.lead, slot: choice?.slot, error: error as Error } }, at);
      }
    }
  } catch (error) {
    logger.warn('offering the room a dispatch change made failed', { tenantId, date, error: (error as Error).name });
    await reviewUnoffered(tenant, room, { cause: error as Error }, at);
  }
  return made;
}

/** What made the room, as a dispatcher reads it: a day plan (its id, as the console shows it) or a reassignment by hand. */
function changeSaid(freedBy: string): string {
  return freedBy.startsWith('pl_') ? `the day plan ${freedBy}` : 'a dispatch reassignment';
}

/** "A cancellation freed Tue, Dec 8, 10 AM-12 PM" / "The day plan pl_... made room on ...": how a review item about that room begins. */
function roomSaid(made: RoomMade, room: string): string {
  if (made.how === 'cancellation') return `A cancellation freed ${room}`;
  if (made.how === 'reschedule') return `A reschedule freed ${room}`;
  const by = changeSaid(made.freedBy);
  return `${by[0]!.toUpperCase()}${by.slice(1)} made room on ${room}`;
}

/**
 * Room a change made (a cancellation, a reschedule, a dispatch change) that did not reach the callers
 * waiting for it: a review item a dispatcher acts on, never only a log line. `failed`: the offer to one
 * caller failed (`error`) or its text cannot reach them (`unreachable`: opted out, no channel): a
 * `callback` item on the lead (it closes when the customer books). `notTried`: callers a dispatch
 * change's offers ran out of time for (one item for the day, naming them). `cause` an error: the
 * waitlist could not be read (one item for the day, with the freed `slot` when one window was freed).
 * Never throws.
 */
async function reviewUnoffered(
  tenant: Tenant,
  made: RoomMade,
  what:
    | { failed: { lead: LeadRecord; slot?: { date: string; start: string; end: string }; error?: Error; unreachable?: string } }
    | { notTried: DayWaiter[]; cause: 'time' }
    | { cause: Error; slot?: { date: string; start: string; end: string } },
  at: Date,
): Promise<void> {
  try {
    const day = formatWindow({ date: made.date, start: '' }, tenant.timeZone, 'en').date;
    if ('failed' in what) {
      const { lead, slot, error, unreachable } = what.failed;
      const room = slot ? formatWindow(slot, tenant.timeZone, 'en').window : day;
      // A recognised caller's name is on their customer record, not the lead: dispatch calls a person by name.
      const name = lead.contact?.name ?? (lead.customerId ? (await getCustomer(tenant.tenantId, lead.customerId).catch(() => undefined))?.name : undefined);
      const who = name ? `the waiting caller ${name}` : 'the waiting caller';
      const why = unreachable
        ? `texts cannot reach ${who} (${unreachable})`
        : `the text offering it to ${who} could not be sent (${error?.name}: ${error?.message.slice(0, 300)})`;
      await openReviewItem(
        tenant.tenantId,
        {
          kind: 'callback',
          reason: `${roomSaid(made, room)}, but ${why}: call them to offer that time, or book it for them.`,
          subject: { type: 'lead', id: lead.leadId },
          payload: {
            leadId: lead.leadId,
            ...(lead.bookingId ? { bookingId: lead.bookingId } : {}),
            ...(lead.customerId ? { customerId: lead.customerId } : {}),
            ...(lead.contact ? { contact: lead.contact } : {}),
            ...(slot ? { window: { date: slot.date, start: slot.start, end: slot.end } } : { date: made.date }),
            freedBy: made.freedBy,
            ...(unreachable ? { unreachable } : { error: error?.name }),
          },
        },
        at,
      );
      return;
    }
    const leadIds = 'notTried' in what ? what.notTried.flatMap((w) => w.leads.map(({ lead }) => lead.leadId)) : undefined;
    if (leadIds && !leadIds.length) return;
    const slot = 'slot' in what ? what.slot : undefined;
    const reason = slot
      ? `${roomSaid(made, formatWindow(slot, tenant.timeZone, 'en').window)}, but it could not be offered to the waiting callers (the waitlist could not be read: ${(what.cause as Error).name}): check the waitlist and call them.`
      : `Check the waitlist for ${day}: ${changeSaid(made.freedBy)} made room that day, but ${
          what.cause === 'time'
            ? `the offers ran out of time before ${leadIds!.length === 1 ? 'one waiting caller' : `${leadIds!.length} waiting callers`} could be checked`
            : `it could not be offered to the waiting callers (the day's waitlist could not be read: ${what.cause.name})`
        }. Look at the board for free times and call them.`;
    await openReviewItem(
      tenant.tenantId,
      {
        kind: 'callback',
        reason,
        subject: { type: 'dispatch_day', id: made.date },
        payload: {
          date: made.date,
          ...(slot ? { window: { date: slot.date, start: slot.start, end: slot.end } } : {}),
          freedBy: made.freedBy,
          ...(leadIds ? { leadIds } : { error: (what.cause as Error).name }),
        },
      },
      at,
    );
  } catch (error) {
    logger.error('the review item for room not offered to waiting callers could not be opened', {
      tenantId: tenant.tenantId,
      date: made.date,
      error: (error as Error).name,
    });
  }
}
