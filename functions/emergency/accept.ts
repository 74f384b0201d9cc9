/**
 * A paged on-call technician's answer (functions/emergency/dispatch.ts pages them). Accepting makes
 * the emergency a real job: the technician's capacity is claimed in the same transaction that
 * confirms the booking (the conditional claim items CommitSlot's holds own, so availability, the
 * board and the planner see it), and the job trail starts as for any confirmed booking. Kept apart
 * from the paging round so the booking workflow's node and the sweep do not bundle the trail's client.
 */
import { zonedInstant, zonedIso } from '../shared/zoned-time';
import { appendTimeline, type BookingRecord, bookingUpdate, getBookingRecord, requireBookingRecord, type TimelineNote, updateBooking } from '../booking/store';
import { claimHoldItems, listClaims, sendClaimTransaction } from '../capacity/store';
import { syncBookingToCrm } from '../crm/sync-booking';
import { addLedgerRows } from '../notify/queue-now';
import { findOpenReviewItems, openReviewItem, resolveReviewItemsFor } from '../review/store';
import { InvariantError, TransientError } from '../shared/errors';
import { getJobType, getTenant, listTechnicians } from '../tenant/store';
import { startJobTrail } from '../trail/start';
import { advanceDispatch, sms } from './dispatch';
import { acceptedWindow, emergencyClaimPlan, isOverbooked, type EmergencyOverbooking } from './plan';
import { getDispatch, saveDispatch } from './store';

export type PageAnswerOutcome = 'accepted' | 'declined' | 'taken' | 'not_paged';

/** Test hook: called right after an acceptance's claim transaction won; throwing there is a crash at that point. */
export interface AcceptHooks {
  afterClaim?: () => void | Promise<void>;
}

/**
 * A paged technician's answer (SMS reply or link). Accept: the dispatch is theirs by a
 * version-checked update, the booking `dispatching` -> `confirmed` with them and a same-day window,
 * the CRM written (outbox when it is down), the customer texted the ETA, the escalation item
 * resolved. Decline: the next technician is paged now.
 */
export async function answerPage(
  tenantId: string,
  bookingId: string,
  technicianId: string,
  answer: 'accept' | 'decline',
  at: Date,
  hooks: AcceptHooks = {},
): Promise<PageAnswerOutcome> {
  for (let round = 0; round < 5; round++) {
    const dispatch = await getDispatch(tenantId, bookingId);
    if (!dispatch?.pages.some((p) => p.technicianId === technicianId)) return 'not_paged';
    if (dispatch.status !== 'paging') {
      if (dispatch.acceptedBy !== technicianId) return 'taken';
      // The same technician again (a retried link or reply): finish what an interrupted acceptance left undone.
      if (answer === 'accept') await confirmAccepted(tenantId, bookingId, technicianId, new Date(dispatch.acceptedAt ?? at.toISOString()), at, hooks);
      return 'accepted';
    }
    const pages = dispatch.pages.map((p) => (p.technicianId === technicianId ? { ...p, answer } : p));
    if (answer === 'decline') {
      if (!(await saveDispatch({ ...dispatch, pages }, dispatch.version, at.toISOString()))) continue;
      await appendTimeline(tenantId, bookingId, 'EmergencyDispatch', 'declined', { technicianId }, at);
      await advanceDispatch(tenantId, bookingId, at);
      return 'declined';
    }
    const accepted = { ...dispatch, pages, status: 'accepted' as const, acceptedBy: technicianId, acceptedAt: at.toISOString() };
    if (!(await saveDispatch(accepted, dispatch.version, undefined))) continue;
    await confirmAccepted(tenantId, bookingId, technicianId, at, at, hooks);
    return 'accepted';
  }
  return 'taken';
}

/** Rounds of read-and-claim for an acceptance before giving up (the technician's retry resumes it). */
const CLAIM_ROUNDS = 6;

/** The committed hold an accepted emergency owns (one per booking, so a re-entry finds it). */
export const emergencyHoldId = (bookingId: string) => `hold-${bookingId}-emergency`;

type AcceptedWindow = { date: string; start: string; end: string };

/**
 * The booking's "accepted" timeline entry, written by the claim transaction itself (the booking
 * update's own timeline note): it can neither be lost to a crash after the claim nor be written
 * twice. It is also where the overbooking the claiming round found is kept (known only to that
 * round), so a retry after a crash still reports it.
 */
function acceptedNote(technicianId: string, window: AcceptedWindow, holdId: string, overbooking: EmergencyOverbooking): TimelineNote {
  const overbooked = isOverbooked(overbooking);
  return { node: 'EmergencyDispatch', outcome: 'accepted', detail: { technicianId, window, holdId, overbooked, ...(overbooked ? { overbooking } : {}) } };
}

/** The overbooking an acceptance's claim found, from its timeline entry (undefined: none). */
function acceptedOverbooking(booking: Pick<BookingRecord, 'timeline'>): { window: AcceptedWindow; overbooking: EmergencyOverbooking } | undefined {
  const entry = booking.timeline?.find((e) => e.node === 'EmergencyDispatch' && e.outcome === 'accepted');
  const detail = entry?.detail as { window?: AcceptedWindow; overbooking?: EmergencyOverbooking } | undefined;
  return detail?.window && detail.overbooking ? { window: detail.window, overbooking: detail.overbooking } : undefined;
}

/**
 * An acceptance made real: the technician's capacity claimed and the booking `dispatching` ->
 * `confirmed` with them and the same-day window, in ONE transaction (of a concurrent claim on any
 * item and this, exactly one wins; a lost round reads again). Then the CRM, the customer's ETA, the
 * escalation item resolved, an overbooking reported to dispatch, and the job trail started, as for
 * any confirmed booking (trail/start.ts; its execution name makes a second start a no-op).
 * Re-entry (a retried answer) resumes: the window comes from the acceptance time, not now.
 */
async function confirmAccepted(tenantId: string, bookingId: string, technicianId: string, acceptedAt: Date, at: Date, hooks: AcceptHooks): Promise<void> {
  const [tenant, booking, technicians] = await Promise.all([getTenant(tenantId), getBookingRecord(tenantId, bookingId), listTechnicians(tenantId)]);
  if (!tenant || !booking) throw new InvariantError('Tenant or booking missing');
  if (booking.status !== 'dispatching') {
    // Confirmed by an earlier round that may have died right after its transaction (a kill -9): what
    // follows the claim is finished here, each step once (the CRM's exactly-once key, the ETA's
    // ledger row, the overbooking report kept on the dispatch, the trail's execution name).
    const committed = booking.status === 'confirmed' || booking.status === 'pending_crm_sync';
    if (committed && booking.holdId === emergencyHoldId(bookingId)) await afterAccepted(tenantId, booking, technicianId, at);
    return;
  }
  const technician = technicians.find((t) => t.technicianId === technicianId);
  const jobType = await getJobType(tenantId, booking.jobTypeId);
  if (!technician || !jobType) throw new InvariantError(`Technician ${technicianId} or job type ${booking.jobTypeId} missing`);
  const window = acceptedWindow(acceptedAt, tenant.timeZone, tenant.emergency);
  const holdId = emergencyHoldId(bookingId);
  const fields = {
    status: 'confirmed' as const,
    statusReason: 'accepted_by_on_call',
    window: { ...window, technicianId },
    holdId,
    messageVars: {
      ...(booking.messageVars ?? {}),
      etaIso: zonedIso(zonedInstant(window.date, tenant.timeZone, window.end), tenant.timeZone),
      ...(technician.name ? { technicianName: technician.name } : {}),
    },
  };
  let note: TimelineNote | undefined;
  for (let round = 0; round < CLAIM_ROUNDS && !note; round++) {
    const claims = await listClaims(tenantId, window.date, window.date);
    const planned = emergencyClaimPlan({ tenant, technician, jobType, window, claims, now: at, postalCode: booking.request.address.postalCode });
    const hold = {
      tenantId,
      holdId,
      plan: planned.plan,
      emergency: true,
      bookingId,
      source: 'booking' as const,
      createdAt: at.toISOString(),
      status: 'BOOKED' as const,
    };
    const roundNote = acceptedNote(technicianId, window, holdId, planned.overbooking);
    const won = await sendClaimTransaction([
      ...claimHoldItems(hold, at),
      { Update: bookingUpdate(tenantId, bookingId, fields, { onlyFrom: ['dispatching'], ifHoldId: null, at, timeline: roundNote }) },
    ]);
    if (won) note = roundNote;
    else if ((await requireBookingRecord(tenantId, bookingId)).status !== 'dispatching')
      return confirmAccepted(tenantId, bookingId, technicianId, acceptedAt, at, hooks);
  }
  if (!note) throw new TransientError(`Could not claim ${technicianId}'s capacity for emergency ${bookingId}: every round met a concurrent claim`);
  await hooks.afterClaim?.();

  const timeline = [...(booking.timeline ?? []), { ...note, at: at.toISOString() }];
  await afterAccepted(tenantId, { ...booking, ...fields, timeline }, technicianId, at);
}

/**
 * What follows an acceptance's transaction, safe to run again: the CRM (unless the outbox has it
 * already), the customer's ETA, the escalation item resolved, an overbooking reported (as the
 * claiming round's timeline entry says; once: the dispatch keeps the report's id), the job trail.
 */
async function afterAccepted(
  tenantId: string,
  booking: Pick<BookingRecord, 'bookingId' | 'status' | 'crm' | 'timeline'>,
  technicianId: string,
  at: Date,
): Promise<void> {
  const { bookingId } = booking;
  const overbooked = acceptedOverbooking(booking);
  if (booking.status === 'confirmed' && booking.crm?.state !== 'booked') {
    await syncBookingToCrm(tenantId, bookingId, 'booked', 'EmergencyDispatch', at, {
      beforeOutbox: () => updateBooking(tenantId, bookingId, { status: 'pending_crm_sync', statusReason: 'crm_unreachable' }, { onlyFrom: ['confirmed'], at }),
    });
  }
  await addLedgerRows(tenantId, bookingId, [sms('emergency_eta', at)], { at });
  await resolveReviewItemsFor(tenantId, { type: 'booking', id: bookingId }, 'emergency_unanswered', technicianId, `Accepted by on-call ${technicianId}`, at);
  if (overbooked) {
    const dispatch = await getDispatch(tenantId, bookingId);
    if (dispatch && !dispatch.overbookingReviewItemId) {
      const overbookingReviewItemId = await reportOverbooking(tenantId, bookingId, technicianId, overbooked.window, overbooked.overbooking, at);
      await saveDispatch({ ...dispatch, overbookingReviewItemId }, dispatch.version, undefined);
    }
  }
  await startJobTrail(tenantId, bookingId);
}

/**
 * The emergency went past what the technician's day had free: dispatch gets one review item saying
 * which jobs it runs into (to move or call) and which limit it went over. Its id (the open one a
 * crashed run made before it could note it on the dispatch, else the new one).
 */
async function reportOverbooking(
  tenantId: string,
  bookingId: string,
  technicianId: string,
  window: AcceptedWindow,
  overbooking: EmergencyOverbooking,
  at: Date,
): Promise<string> {
  const subject = { type: 'booking', id: bookingId };
  const [open] = await findOpenReviewItems(tenantId, subject, 'emergency_overbooked');
  if (open) return open.reviewItemId;
  const why = [
    ...overbooking.windows.map((w) => `the ${w.start}-${w.end} window already has ${w.bookingIds.join(', ')}`),
    ...(overbooking.overDailyLimit ? ["every one of the technician's daily jobs was taken, emergency reserve included"] : []),
    ...(overbooking.overJobTypeCap ? ["the day's cap for this job type was reached"] : []),
  ];
  const item = await openReviewItem(
    tenantId,
    {
      kind: 'emergency_overbooked',
      reason: `On-call ${technicianId} accepted an emergency ${window.date} ${window.start}-${window.end}, beyond their free capacity: ${why.join('; ')}. Move or call the jobs it runs into.`,
      subject,
      payload: { technicianId, window, ...overbooking },
    },
    at,
  );
  return item.reviewItemId;
}
