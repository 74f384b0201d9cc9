/**
 * The downstream actions of an applied job event, each idempotent so a redelivered event can run
 * them again safely: the CRM write through the mapping table (idempotency key per event), ledger
 * rows with deterministic ids, ledger cancellations that only touch pending rows, and customer
 * facts guarded by conditions (a visit once per booking, a payment never older than the last).
 */
import { CHANGEABLE, endBooking, finishChange } from '../booking/changes';
import { type ChangeFollowUp, followUpPut } from '../booking/follow-up-store';
import { appendTimeline, type BookingRecord } from '../booking/store';
import { buildBookingWrite } from '../crm/write';
import { crmAdapterFor } from '../crm/adapters';
import { effectiveMapping, mapFields, type JobState } from '../crm/mapping';
import type { NotificationKind } from '../notify/catalogue';
import { addLedgerRows } from '../notify/queue-now';
import { cancelPendingRows } from '../notify/store';
import { recordPayment, recordServiceVisit } from '../recognise/store';
import { countMemberVisit } from '../renewals/visits';
import type { JobType, Tenant } from '../tenant/model';
import { asksToMove, moveJobFromField } from './field-schedule';
import type { JobEffectsPlan } from './plan';
import type { JobEventBody } from './schemas';
import type { LifecycleState } from './transitions';

export const WORKER_NODE = 'StatusEventsWorker';

/**
 * Writes the state's fields through the tenant's mapping table and adapter: the booking's own
 * context (customer, job type, attribution) plus the event's `job.*` facts. Every lifecycle state
 * but `booked` (written by the booking itself) has an entry.
 */
export async function writeJobStateToCrm(
  tenant: Tenant,
  bookingId: string,
  state: LifecycleState,
  event: JobEventBody,
  crmJob: Record<string, unknown>,
  jobType: JobType | undefined,
  at: Date,
): Promise<{ written: boolean; dealStage?: string; fields?: Record<string, string | number | boolean> }> {
  // Every lifecycle state is a CRM job state (JOB_STATES is built from LIFECYCLE_STATES).
  const jobState: JobState = state;
  const { write } = await buildBookingWrite(tenant.tenantId, bookingId, jobState);
  const own = mapFields(effectiveMapping(tenant.crmMapping), jobState, { job: crmJob, booking: { bookingId }, jobType });
  // The customer's fields as the booked state maps them ride along: the built-in CRM replaces the
  // contact's fields with the `customer_*` fields of each write, and job states map none.
  const booked = await buildBookingWrite(tenant.tenantId, bookingId, 'booked');
  const customerFields = Object.fromEntries(Object.entries(booked.write.fields).filter(([key]) => key.startsWith('customer_')));
  const fields = { ...customerFields, ...write.fields, ...own.fields };
  const adapter = await crmAdapterFor(tenant);
  // A failure throws: crm/sync-policy.ts's 'status-event' site (the event carries this write's facts,
  // so its queue's redelivery is the retry, and the last receive opens the review item).
  const result = await adapter.writeBooking({ ...write, fields, idempotencyKey: `${tenant.tenantId}:${bookingId}:${state}:${event.eventId}` });
  await appendTimeline(
    tenant.tenantId,
    bookingId,
    WORKER_NODE,
    'crm_written',
    { adapter: result.adapter, state, dealStage: write.dealStage, fields: Object.keys(fields).length },
    at,
  );
  return { written: true, dealStage: write.dealStage, fields };
}

/**
 * Pending rows of these kinds are cancelled, whatever schedule version or technician they are for
 * (a rescheduled job's reminders are rows of a later version); queued or sent ones are history.
 */
export async function cancelLedgerKinds(tenantId: string, bookingId: string, kinds: NotificationKind[], at: Date): Promise<number> {
  return cancelPendingRows(tenantId, bookingId, at, { kinds });
}

/** Service history entry and equipment (once per booking), next maintenance date, account status. */
export async function applyCustomerFacts(
  tenantId: string,
  booking: BookingRecord,
  plan: NonNullable<JobEffectsPlan['customer']>,
  jobType: JobType | undefined,
  at: Date,
): Promise<void> {
  if (!booking.customerId) return;
  if (plan.visit) {
    const visit = {
      bookingId: booking.bookingId,
      date: plan.visit.date,
      jobType: jobType?.name ?? booking.jobTypeId,
      ...(booking.summary ? { summary: booking.summary } : {}),
      ...(booking.window?.technicianId ? { technicianId: booking.window.technicianId } : {}),
      ...(plan.visit.equipmentNotes ? { equipmentNotes: plan.visit.equipmentNotes } : {}),
      ...(plan.visit.technicianNotes ? { technicianNotes: plan.visit.technicianNotes } : {}),
    };
    await recordServiceVisit(tenantId, booking.customerId, {
      visit,
      equipment: plan.equipment ?? [],
      ...(plan.nextMaintenanceDue ? { nextMaintenanceDue: plan.nextMaintenanceDue } : {}),
    });
    // Members first: the visit counts against the plan's included visits (once per booking).
    await countMemberVisit(tenantId, booking.customerId, { bookingId: booking.bookingId, date: visit.date, jobType: visit.jobType }, at);
  }
  if (plan.payment) await recordPayment(tenantId, booking.customerId, plan.payment);
}

/**
 * A job cancelled in the field gives its capacity back at once and the booking says cancelled, so
 * the window is offered again: the cancel route's one decision (booking/changes.ts's endBooking:
 * the booking's compare-and-swap and the release of its claims in one transaction). A booking
 * already ended is left as it is, so a repeated event changes nothing.
 */
async function releaseCancelledJob(tenantId: string, booking: BookingRecord, at: Date): Promise<void> {
  if (!CHANGEABLE.includes(booking.status)) return;
  // The offer of the freed window is owed from the same transaction (booking/follow-up-store.ts): a
  // repeated event finds the booking ended and leaves it to the recovery sweep, not to nobody.
  let owed: ChangeFollowUp | undefined;
  let decided: BookingRecord;
  try {
    decided = await endBooking(tenantId, booking.bookingId, { status: 'cancelled', statusReason: 'cancelled_in_field' }, CHANGEABLE, at, (found) => {
      const { followUp, item } = followUpPut({
        tenantId,
        bookingId: booking.bookingId,
        change: 'cancelled_in_field',
        at: at.toISOString(),
        by: 'field',
        ...(found.window ? { from: found.window } : {}),
        version: (found.scheduleVersion ?? 1) + 1,
      });
      owed = followUp;
      return [item];
    });
  } catch (error) {
    // Ended meanwhile (a person cancelled it too): nothing left to release.
    if ((error as { code?: string }).code !== 'conflict') throw error;
    return;
  }
  // The freed window goes to the earliest waitlisted caller of the trade, as an API cancel's does (leads/waitlist.ts).
  await finishChange(owed!, decided);
}

/** Every downstream action of one applied event, in an order where a retry repeats nothing visible. */
export async function runJobEffects(args: {
  tenant: Tenant;
  booking: BookingRecord;
  state: LifecycleState;
  event: JobEventBody;
  plan: JobEffectsPlan;
  jobType: JobType | undefined;
  at: Date;
}): Promise<{ crm: boolean; messages: number; cancelled: number }> {
  const { tenant, booking, state, event, plan, jobType, at } = args;
  if (state === 'cancelled') await releaseCancelledJob(tenant.tenantId, booking, at);
  // A move in the field goes first, so the CRM write below carries the new appointment.
  if (state === 'rescheduled' && asksToMove(event)) await moveJobFromField({ tenant, booking, jobType, event, at });
  const cancelled = plan.cancelKinds.length ? await cancelLedgerKinds(tenant.tenantId, booking.bookingId, plan.cancelKinds, at) : 0;
  if (plan.customer) await applyCustomerFacts(tenant.tenantId, booking, plan.customer, jobType, at);
  const crm = await writeJobStateToCrm(tenant, booking.bookingId, state, event, plan.crmJob, jobType, at);
  const messages = plan.notifications.length ? await addLedgerRows(tenant.tenantId, booking.bookingId, plan.notifications, { at }) : 0;
  return { crm: crm.written, messages, cancelled };
}
