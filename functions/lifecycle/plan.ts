/**
 * What an applied job event writes and fires, decided purely from the event, the booking and the
 * tenant's settings: the booking fields of the state, the context its CRM fields are mapped from
 * (`job.*` paths of the mapping table), and the messages it puts on the notification ledger.
 */
import { addDays, addMonths, clockLabel, DAY_MS, HOUR_MS, instantOf, zonedClock, zonedDate, zonedInstant } from '../shared/zoned-time';
import type { NotificationKind } from '../notify/catalogue';
import type { PlannedNotification } from '../notify/plan';
import type { JobEventBody } from './schemas';
import type { LifecycleState } from './transitions';

export interface PlanInput {
  state: LifecycleState;
  event: JobEventBody;
  booking: {
    window?: { date: string; start: string; end: string; technicianId?: string } | null;
    invoicedAmountCents?: number;
    messageVars?: Record<string, string>;
    technicianName?: string;
    eta?: string;
  };
  tenant: { timeZone: string; reviewRequestDelayHours?: number; paymentReminderDays?: number[]; reviewUrl?: string };
  jobType?: { name: string; rebookAfterDays?: number; maintenanceIntervalMonths?: number };
  channel: 'sms' | 'email';
}

export interface JobEffectsPlan {
  /** Fields set on the booking with the state (in the same conditional write). */
  fields: Record<string, unknown>;
  /** `job` of the CRM mapping context. */
  crmJob: Record<string, unknown>;
  /** Ledger rows to add (deterministic ids: one per booking and kind). */
  notifications: PlannedNotification[];
  /** Ledger kinds whose pending rows this state cancels. */
  cancelKinds: NotificationKind[];
  /** What the customer record gains. */
  customer?: {
    visit?: { date: string; equipmentNotes?: string; technicianNotes?: string };
    equipment?: Array<{ kind: string; make?: string; model?: string; installedOn?: string; warrantyUntil?: string }>;
    nextMaintenanceDue?: string;
    payment?: { paidAt: string; amountCents: number; balanceCents: number };
  };
}

export const PAYMENT_REMINDER_KINDS: NotificationKind[] = ['payment_reminder', 'payment_reminder_2', 'payment_reminder_final'];
/** Rebooking sequence after a no-sale visit: days after the visit. */
export const NO_SALE_SEQUENCE: Array<[NotificationKind, number]> = [
  ['no_sale_followup_1', 2],
  ['no_sale_followup_2', 7],
  ['no_sale_followup_3', 30],
];
const VISIT_REMINDERS: NotificationKind[] = ['reminder_48h', 'reminder_day_of'];
/**
 * What was planned for a visit still to come: its reminders and arrival messages. A job the field
 * finished (completed, invoiced), called off (cancelled) or missed (no_show) has no visit to come,
 * so whatever of these is still pending is cancelled (of every schedule version).
 */
export const VISIT_MESSAGES: NotificationKind[] = [...VISIT_REMINDERS, 'eta', 'on_the_way'];

export function formatCents(cents: number): string {
  return `$${(cents / 100).toFixed(2)}`;
}

export function planJobEffects(input: PlanInput): JobEffectsPlan {
  const { state, event, booking, tenant, jobType, channel } = input;
  // Event times carry their offset (schemas.ts); message times are instants, a date is the company's.
  const at = instantOf(event.occurredAt, 'UTC');
  const iso = at.toISOString();
  const today = zonedDate(at, tenant.timeZone);
  const later = (ms: number) => new Date(+at + ms);
  /** 10:00 in the company's zone, `days` after the event's local date. */
  const tenAm = (date: string, days: number) => zonedInstant(addDays(date, days), tenant.timeZone, '10:00');
  const data = event.data ?? {};
  const vars: Record<string, string> = { ...(booking.messageVars ?? {}) };
  const fields: Record<string, unknown> = {};
  const crmJob: Record<string, unknown> = { at: iso };
  const notifications: PlannedNotification[] = [];
  const cancelKinds: NotificationKind[] = [];
  let customer: JobEffectsPlan['customer'];
  const due = (kind: NotificationKind, when: Date) => notifications.push({ kind, channel, dueAt: when.toISOString() });

  const technicianName = data.technicianName ?? booking.technicianName;
  const eta = data.eta ?? booking.eta;
  if (technicianName) vars.technicianName = technicianName;
  if (eta) vars.etaLabel = clockLabel(zonedClock(instantOf(eta, 'UTC'), tenant.timeZone));

  switch (state) {
    case 'dispatched':
    case 'en_route': {
      Object.assign(fields, state === 'dispatched' ? { dispatchedAt: iso } : { enRouteAt: iso });
      if (data.technicianName) fields.technicianName = data.technicianName;
      if (data.eta) fields.eta = instantOf(data.eta, 'UTC').toISOString();
      Object.assign(crmJob, { technicianName, technicianId: data.technicianId ?? booking.window?.technicianId, eta: fields.eta ?? eta });
      due(state === 'dispatched' ? 'eta' : 'on_the_way', at);
      break;
    }
    case 'completed': {
      fields.completedAt = iso;
      cancelKinds.push(...VISIT_MESSAGES);
      const delayHours = tenant.reviewRequestDelayHours ?? 2;
      due('thank_you', at);
      due('review_request', later(delayHours * HOUR_MS));
      if (data.noSale) {
        for (const [kind, days] of NO_SALE_SEQUENCE) due(kind, tenAm(today, days));
        fields.noSale = true;
      }
      if (tenant.reviewUrl) vars.reviewUrl = tenant.reviewUrl;
      if (jobType?.rebookAfterDays) due('rebooking_followup', tenAm(today, jobType.rebookAfterDays));
      let nextMaintenanceDue: string | undefined;
      if (jobType?.maintenanceIntervalMonths) {
        nextMaintenanceDue = addMonths(today, jobType.maintenanceIntervalMonths);
        fields.nextMaintenanceDate = nextMaintenanceDue;
        vars.nextMaintenanceDate = nextMaintenanceDue;
        // Two weeks ahead, at 10:00 local, so the visit can be booked in time.
        due('maintenance_due', tenAm(nextMaintenanceDue, -14));
      }
      Object.assign(crmJob, {
        completedAt: iso,
        equipmentNotes: data.equipmentNotes,
        technicianNotes: data.technicianNotes,
        nextMaintenanceDate: nextMaintenanceDue,
      });
      customer = {
        visit: { date: today, equipmentNotes: data.equipmentNotes, technicianNotes: data.technicianNotes },
        equipment: data.equipment,
        nextMaintenanceDue,
      };
      break;
    }
    case 'invoiced': {
      fields.invoicedAt = iso;
      if (data.amountCents !== undefined) {
        fields.invoicedAmountCents = data.amountCents;
        vars.amount = formatCents(data.amountCents);
      }
      // The work was sold after all: the no-sale sequence stops; a visit done has no reminders left.
      cancelKinds.push(...NO_SALE_SEQUENCE.map(([kind]) => kind), ...VISIT_MESSAGES);
      const days = (tenant.paymentReminderDays ?? [3, 7, 14]).slice(0, PAYMENT_REMINDER_KINDS.length);
      for (const [i, d] of days.entries()) due(PAYMENT_REMINDER_KINDS[i]!, later(d * DAY_MS));
      Object.assign(crmJob, {
        balance: data.amountCents !== undefined ? formatCents(data.amountCents) : undefined,
        lineItems: data.lineItems?.map((item) => `${item.description}: ${formatCents(item.amountCents)}`).join('; '),
      });
      break;
    }
    case 'paid': {
      const invoiced = booking.invoicedAmountCents;
      const paid = data.amountCents ?? invoiced ?? 0;
      const balance = Math.max(0, (invoiced ?? paid) - paid);
      fields.paidAt = iso;
      fields.paidAmountCents = paid;
      const accountStatus = balance > 0 ? 'balance_due' : 'current';
      cancelKinds.push(...PAYMENT_REMINDER_KINDS, ...NO_SALE_SEQUENCE.map(([kind]) => kind));
      Object.assign(crmJob, { paidAt: iso, amountPaid: formatCents(paid), accountStatus, balance: formatCents(balance) });
      customer = { payment: { paidAt: iso, amountCents: paid, balanceCents: balance } };
      break;
    }
    case 'cancelled':
      fields.cancelledAt = iso;
      cancelKinds.push(...VISIT_MESSAGES);
      crmJob.reason = data.reason;
      break;
    case 'no_show':
      fields.noShowAt = iso;
      cancelKinds.push(...VISIT_MESSAGES);
      crmJob.reason = data.reason;
      due('no_show_followup', later(HOUR_MS));
      break;
    case 'rescheduled':
      fields.rescheduledAt = iso;
      crmJob.reason = data.reason;
      // Moved to a window the event names: the move re-plans every pending message (field-schedule.ts).
      // Moved to no time yet: the old time's reminders would be wrong, so they stop.
      if (!data.window && !data.technicianId) cancelKinds.push(...VISIT_MESSAGES);
      break;
    case 'booked':
      break;
  }
  fields.messageVars = vars;
  return { fields, crmJob, notifications, cancelKinds, customer };
}
