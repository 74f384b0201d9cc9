/**
 * Emergency dispatch now: an emergency with no honourable window within the tenant's longest wait
 * becomes a dispatch request (booking status `dispatching`). The on-call technicians of its trade
 * are paged in turn, nearest first (functions/emergency/plan.ts); a page that times out or is
 * declined pages the next; nobody accepting within the tenant's minutes escalates to the on-call
 * manager (SMS + an `emergency_unanswered` review item). The first technician to accept gets it
 * (accept.ts): `confirmed` with that technician and a same-day window, their capacity claimed, the
 * CRM written, the customer texted the ETA, the job trail started. The customer is told at once that a technician is being dispatched (never a time), with
 * safety advice for the job type.
 *
 * Time is driven by the dispatch sweep (the MinuteSweeps schedule, `rate(1 minute)`, the same schedule
 * locally and on AWS) reading the sparse `byDue` index; every change is a version-checked update,
 * so a sweep, a reply and a link racing each other decide once.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { localDate } from '../capacity/availability';
import { appendTimeline, requireBookingRecord, updateBooking, type BookingRecord } from '../booking/store';
import type { PlannedNotification } from '../notify/plan';
import { addLedgerRows } from '../notify/queue-now';
import { findOpenReviewItems, openReviewItem } from '../review/store';
import { InvariantError } from '../shared/errors';
import { getJobType, getTenant, listTechnicians } from '../tenant/store';
import type { Tenant } from '../tenant/model';
import { nextDispatchStep, rankOnCall } from './plan';
import { SAFETY_KINDS, safetyAdviceFor } from './safety';
import { createDispatch, getDispatch, hashPageToken, putPage, saveDispatch, type DispatchRecord } from './store';

export const sms = (kind: PlannedNotification['kind'], at: Date, technicianId?: string): PlannedNotification => ({
  kind,
  channel: 'sms',
  dueAt: at.toISOString(),
  ...(technicianId ? { technicianId } : {}),
});

/** What the customer said, for the safety advice (never logged). */
function saidBy(booking: BookingRecord): string {
  const { request } = booking;
  return [request.request, request.notes, request.summary, ...(request.transcript ?? []).filter((t) => t.role === 'customer').map((t) => t.text)]
    .filter(Boolean)
    .join('\n');
}

/** Where page links point: the public API's base URL when the deployment names it, else the path alone. */
function pageLink(token: string): string {
  const base = process.env.JOBRELAY_PUBLIC_URL?.replace(/\/+$/, '') ?? '';
  return `${base}/v1/pages/${token}`;
}

/**
 * The booking workflow's DispatchEmergency node: the booking becomes `dispatching`, the customer is
 * told honestly (with safety advice), and the first on-call technician is paged. Re-entry finds the
 * dispatch and does nothing twice.
 */
export async function startDispatch(tenantId: string, bookingId: string, at: Date): Promise<{ status: string; paged: string[] }> {
  const booking = await requireBookingRecord(tenantId, bookingId);
  const existing = await getDispatch(tenantId, bookingId);
  if (existing) return { status: booking.status, paged: existing.pages.map((p) => p.technicianId) };
  const [tenant, jobType, technicians] = await Promise.all([getTenant(tenantId), getJobType(tenantId, booking.jobTypeId), listTechnicians(tenantId)]);
  if (!tenant || !jobType) throw new InvariantError(`Tenant or job type ${booking.jobTypeId} missing`);
  const postalCode = booking.request.address.postalCode;
  const candidates = rankOnCall({ tenant, technicians, jobType, postalCode, date: localDate(at, tenant.timeZone) });

  const moved = await updateBooking(tenantId, bookingId, { status: 'dispatching', statusReason: 'emergency_dispatch_now' }, { onlyFrom: ['received'], at });
  if (!moved) return { status: (await requireBookingRecord(tenantId, bookingId)).status, paged: [] };
  const record: DispatchRecord = {
    tenantId,
    bookingId,
    trade: jobType.trade,
    postalCode,
    code: String(randomInt(100, 1000)),
    status: 'paging',
    candidates: candidates.map((c) => c.technicianId),
    pages: [],
    startedAt: at.toISOString(),
    version: 1,
  };
  await createDispatch(record, at.toISOString());
  await appendTimeline(
    tenantId,
    bookingId,
    'DispatchEmergency',
    'dispatching',
    { trade: jobType.trade, onCall: candidates.map((c) => ({ technicianId: c.technicianId, coversArea: c.coversArea, travelMinutes: c.travelMinutes })) },
    at,
  );
  // The customer hears at once: being dispatched (no time promised), and what to do meanwhile.
  const advice = safetyAdviceFor(jobType, saidBy(booking));
  await addLedgerRows(tenantId, bookingId, [sms('emergency_dispatching', at), sms(SAFETY_KINDS[advice], at)], { at });
  await advanceDispatch(tenantId, bookingId, at);
  const after = await getDispatch(tenantId, bookingId);
  return { status: 'dispatching', paged: after?.pages.map((p) => p.technicianId) ?? [] };
}

/** Sends one page: a link token and a pointer for the reply, the booking's page variables, the SMS row. */
async function page(tenant: Tenant, dispatch: DispatchRecord, technicianId: string, at: Date): Promise<void> {
  const { tenantId, bookingId } = dispatch;
  const secret = randomBytes(24).toString('base64url');
  await putPage({ tenantId, bookingId, technicianId, code: dispatch.code, tokenHash: hashPageToken(secret), at });
  const booking = await requireBookingRecord(tenantId, bookingId);
  // Pages go one at a time, so the booking's variables carry the current page's code and link.
  await updateBooking(
    tenantId,
    bookingId,
    { messageVars: { ...(booking.messageVars ?? {}), pageCode: dispatch.code, pageLink: pageLink(`${tenant.tenantId}.${secret}`) } },
    { at },
  );
  await addLedgerRows(tenantId, bookingId, [sms('oncall_page', at, technicianId)], { at });
  await appendTimeline(tenantId, bookingId, 'EmergencyDispatch', 'paged', { technicianId }, at);
}

/**
 * Moves a paging round on to `at`: pages the next technician, escalates, or leaves it due at its
 * next moment. Called by the sweep, after a decline, and when the dispatch starts.
 */
export async function advanceDispatch(tenantId: string, bookingId: string, at: Date): Promise<string> {
  for (let round = 0; round < 5; round++) {
    const dispatch = await getDispatch(tenantId, bookingId);
    if (!dispatch) return 'none';
    const tenant = await getTenant(tenantId);
    if (!tenant) throw new InvariantError('Tenant missing');
    const step = nextDispatchStep(dispatch, at, tenant.emergency);
    if (step.action === 'done') {
      if (dispatch.status === 'paging') await saveDispatch(dispatch, dispatch.version, undefined);
      return 'done';
    }
    if (step.action === 'wait') {
      await saveDispatch(dispatch, dispatch.version, step.until);
      return 'waiting';
    }
    const next: DispatchRecord =
      step.action === 'page'
        ? { ...dispatch, pages: [...dispatch.pages, { technicianId: step.technicianId, at: at.toISOString() }] }
        : { ...dispatch, escalatedAt: at.toISOString() };
    // Decide first (version check), then act: a racing sweep or reply that won re-reads.
    if (!(await saveDispatch(next, dispatch.version, at.toISOString()))) continue;
    if (step.action === 'page') await page(tenant, { ...next, version: dispatch.version + 1 }, step.technicianId, at);
    else await escalate(tenant, next, at);
  }
  return 'contended';
}

async function escalate(tenant: Tenant, dispatch: DispatchRecord, at: Date): Promise<void> {
  const { tenantId, bookingId } = dispatch;
  const why = dispatch.candidates.length
    ? `${dispatch.pages.length} on-call ${dispatch.trade} technician(s) paged, none accepted within ${tenant.emergency.escalateAfterMinutes} minutes`
    : `no on-call ${dispatch.trade} technician with a phone is on the rotation today`;
  const booking = await requireBookingRecord(tenantId, bookingId);
  await updateBooking(tenantId, bookingId, { messageVars: { ...(booking.messageVars ?? {}), pagedCount: String(dispatch.pages.length) } }, { at });
  if (tenant.dispatch.onCallManagerPhone) await addLedgerRows(tenantId, bookingId, [sms('oncall_escalation', at)], { at });
  const subject = { type: 'booking', id: bookingId };
  if (!(await findOpenReviewItems(tenantId, subject, 'emergency_unanswered')).length) {
    await openReviewItem(
      tenantId,
      {
        kind: 'emergency_unanswered',
        reason: `Emergency ${dispatch.trade} job in ${dispatch.postalCode} not accepted: ${why}. Send a technician and call the customer.`,
        subject,
        payload: {
          trade: dispatch.trade,
          postalCode: dispatch.postalCode,
          paged: dispatch.pages.map((p) => p.technicianId),
          managerTexted: Boolean(tenant.dispatch.onCallManagerPhone),
        },
      },
      at,
    );
  }
  await appendTimeline(
    tenantId,
    bookingId,
    'EmergencyDispatch',
    'escalated',
    { paged: dispatch.pages.length, managerTexted: Boolean(tenant.dispatch.onCallManagerPhone) },
    at,
  );
}
