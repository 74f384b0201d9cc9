/**
 * What messages a booking starts, and when: pure planning over the booked window. Every message is a
 * ledger row first; the sweeper sends rows when they fall due. Issue 6 grows templates and rules.
 */
import { DateTime } from 'luxon';
import { renderTemplate } from './templates';

export const NOTIFICATION_KINDS = [
  'confirmation',
  'reminder_48h',
  'reminder_day_of',
  'request_received',
  'oncall_alert',
  'reschedule_confirmation',
  /** Same window, another technician (a dispatcher's move or swap). */
  'technician_changed',
  'cancellation',
  'technician_assigned',
  'technician_unassigned',
  // Job trail (functions/trail/): the job with full context to its technician; new-job alerts to dispatch
  'technician_job',
  'dispatcher_alert',
  /** To dispatch: a booking the system could not finish (its slot was lost, its workflow died): call the customer. */
  'dispatcher_callback',
  'manager_alert',
  /** To dispatch: a technician runs late and their next job is at risk (dispatch suggestions). */
  'delay_alert',
  // Job lifecycle from the field (functions/lifecycle/actions.ts)
  'eta',
  'on_the_way',
  'thank_you',
  'review_request',
  'rebooking_followup',
  'maintenance_due',
  'payment_reminder',
  'payment_reminder_2',
  'payment_reminder_final',
  'no_show_followup',
  // Memberships (functions/renewals/): notices, payment retry, win-back
  'renewal_60d',
  'renewal_30d',
  'renewal_7d',
  'renewal_0d',
  'renewal_confirmed',
  'renewal_payment_failed',
  'winback_1',
  'winback_2',
  'winback_3',
  // Rebooking sequence after a no-sale visit (functions/lifecycle/plan.ts)
  'no_sale_followup_1',
  'no_sale_followup_2',
  'no_sale_followup_3',
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export interface PlannedNotification {
  kind: NotificationKind;
  channel: 'sms' | 'email';
  dueAt: string;
  /** Set when the message goes to a technician (on-call alert) instead of the customer. */
  technicianId?: string;
  /** The booking's schedule version: a reschedule plans a new set of rows (1 when absent). */
  version?: number;
}

const DAY_OF_REMINDER_HOUR = 7;

export function planNotifications(args: {
  window: { date: string; start: string };
  timeZone: string;
  now: Date;
  channel: 'sms' | 'email';
}): PlannedNotification[] {
  const { window, timeZone, now, channel } = args;
  const start = DateTime.fromISO(`${window.date}T${window.start}`, { zone: timeZone });
  const planned: PlannedNotification[] = [{ kind: 'confirmation', channel, dueAt: now.toISOString() }];
  const reminder48 = start.minus({ hours: 48 });
  if (reminder48.toMillis() > now.getTime()) planned.push({ kind: 'reminder_48h', channel, dueAt: reminder48.toUTC().toISO()! });
  const dayOf = start.startOf('day').set({ hour: DAY_OF_REMINDER_HOUR });
  if (dayOf.toMillis() > now.getTime() && dayOf < start) {
    planned.push({ kind: 'reminder_day_of', channel, dueAt: dayOf.toUTC().toISO()! });
  }
  return planned;
}

/**
 * What a booking's status allows us to tell the customer: only a committed slot is "confirmed";
 * a booking waiting for a person gets "we have your request", never a confirmation.
 */
export function planForStatus(args: {
  status: string;
  window?: { date: string; start: string } | null;
  timeZone: string;
  now: Date;
  channel: 'sms' | 'email';
  onCallTechnicianIds?: string[];
  /**
   * A reschedule: the first message says "moved" (or, when only the technician changed, who comes
   * now), and rows belong to the new schedule version.
   */
  rescheduled?: { version: number; technicianOnly?: boolean };
}): PlannedNotification[] {
  const { status, window, now, channel } = args;
  const committed = (status === 'confirmed' || status === 'pending_crm_sync') && window;
  const planned: PlannedNotification[] = committed
    ? planNotifications({ window, timeZone: args.timeZone, now, channel })
    : [{ kind: 'request_received' as const, channel, dueAt: now.toISOString() }];
  if (args.rescheduled && planned[0]?.kind === 'confirmation') {
    planned[0] = { ...planned[0], kind: args.rescheduled.technicianOnly ? 'technician_changed' : 'reschedule_confirmation' };
  }
  for (const technicianId of args.onCallTechnicianIds ?? []) {
    planned.push({ kind: 'oncall_alert', channel: 'sms', dueAt: now.toISOString(), technicianId });
  }
  const version = args.rescheduled?.version;
  return version ? planned.map((row) => ({ ...row, version })) : planned;
}

export function renderMessage(
  kind: NotificationKind,
  vars: {
    firstName: string;
    jobTypeName: string;
    date: string;
    start: string;
    end: string;
    companyName: string;
    /** Facts of a job event or membership (eta, technicianName, amount, plan, renewsOn...), stored with them. */
    job?: Record<string, string | undefined>;
  },
): string {
  const when = `${vars.date} between ${vars.start} and ${vars.end}`;
  switch (kind) {
    case 'confirmation':
      return `Hi ${vars.firstName}, your ${vars.jobTypeName} visit with ${vars.companyName} is confirmed for ${when}. Reply STOP to opt out.`;
    case 'reminder_48h':
      return `Hi ${vars.firstName}, a reminder from ${vars.companyName}: your ${vars.jobTypeName} visit is on ${when}.`;
    case 'reminder_day_of':
      return `Hi ${vars.firstName}, ${vars.companyName} will see you today between ${vars.start} and ${vars.end}.`;
    case 'request_received':
      return `Hi ${vars.firstName}, ${vars.companyName} has your ${vars.jobTypeName} request. Our dispatcher will confirm your appointment time shortly.`;
    case 'reschedule_confirmation':
      return `Hi ${vars.firstName}, your ${vars.jobTypeName} visit with ${vars.companyName} has moved to ${when}. Reply STOP to opt out.`;
    case 'technician_changed':
      return `Hi ${vars.firstName}, an update from ${vars.companyName}: ${vars.job?.technicianName ?? 'another technician'} will be your technician for your ${vars.jobTypeName} visit, still on ${when}.`;
    case 'cancellation':
      return `Hi ${vars.firstName}, your ${vars.jobTypeName} visit with ${vars.companyName} on ${vars.date} is cancelled. Call us any time to book again.`;
    case 'technician_assigned':
      return `New job: ${vars.jobTypeName} for ${vars.firstName}, ${vars.date} ${vars.start}-${vars.end}. Open the job for address, notes and history.`;
    case 'technician_unassigned':
      return `Job removed from your schedule: ${vars.jobTypeName} for ${vars.firstName}, ${vars.date} ${vars.start}-${vars.end}.`;
    case 'eta':
      return `Hi ${vars.firstName}, ${vars.job?.technicianName ?? 'your technician'} from ${vars.companyName} is scheduled to arrive ${vars.job?.etaLabel ? `around ${vars.job.etaLabel}` : `between ${vars.start} and ${vars.end}`}.`;
    case 'on_the_way':
      return `Hi ${vars.firstName}, ${vars.job?.technicianName ?? 'your technician'} from ${vars.companyName} is on the way${vars.job?.etaLabel ? `, arriving around ${vars.job.etaLabel}` : ''}.`;
    case 'thank_you':
      return `Thank you for choosing ${vars.companyName}, ${vars.firstName}! Your ${vars.jobTypeName} is complete. Questions? Just reply.`;
    case 'review_request':
      return `Hi ${vars.firstName}, how did ${vars.companyName} do on your ${vars.jobTypeName}? A short review helps us a lot${vars.job?.reviewUrl ? `: ${vars.job.reviewUrl}` : '.'} Reply STOP to opt out.`;
    case 'rebooking_followup':
      return `Hi ${vars.firstName}, it's time to book your next ${vars.jobTypeName} with ${vars.companyName}. Reply or call us to pick a time.`;
    case 'maintenance_due':
      return `Hi ${vars.firstName}, your next ${vars.jobTypeName} with ${vars.companyName} is due${vars.job?.nextMaintenanceDate ? ` on ${vars.job.nextMaintenanceDate}` : ''}. Reply to book a visit.`;
    case 'payment_reminder':
    case 'payment_reminder_2':
    case 'payment_reminder_final':
      return `Hi ${vars.firstName}, a ${kind === 'payment_reminder_final' ? 'final ' : ''}reminder from ${vars.companyName}: your invoice for ${vars.jobTypeName}${vars.job?.amount ? ` (${vars.job.amount})` : ''} is open. Reply PAY for a payment link.`;
    case 'no_show_followup':
      return `Hi ${vars.firstName}, ${vars.companyName} missed you for your ${vars.jobTypeName} on ${vars.date}. Reply to pick a new time.`;
    case 'renewal_60d':
    case 'renewal_30d':
    case 'renewal_7d':
      return `Hi ${vars.firstName}, your ${vars.job?.plan ?? 'membership'} with ${vars.companyName} renews on ${vars.job?.renewsOn ?? 'its renewal date'}${vars.job?.amount ? ` for ${vars.job.amount}` : ''}. Reply STOP to opt out.`;
    case 'renewal_0d':
      return `Hi ${vars.firstName}, your ${vars.job?.plan ?? 'membership'} with ${vars.companyName} renews today${vars.job?.amount ? ` for ${vars.job.amount}` : ''}.`;
    case 'renewal_confirmed':
      return `Hi ${vars.firstName}, your ${vars.job?.plan ?? 'membership'} with ${vars.companyName} is renewed until ${vars.job?.renewsOn ?? 'next year'}. Thank you!`;
    case 'renewal_payment_failed':
      return `Hi ${vars.firstName}, the renewal payment for your ${vars.job?.plan ?? 'membership'} with ${vars.companyName} did not go through. We will try again; reply to update your card.`;
    case 'winback_1':
    case 'winback_2':
    case 'winback_3':
      return `Hi ${vars.firstName}, we miss you at ${vars.companyName}! Renew your ${vars.job?.plan ?? 'membership'} and keep priority service and tune-ups. Reply RENEW. Reply STOP to opt out.`;
    case 'no_sale_followup_1':
    case 'no_sale_followup_2':
    case 'no_sale_followup_3':
      return `Hi ${vars.firstName}, ${vars.companyName} here about the ${vars.jobTypeName} quote from our visit. Still thinking it over? Reply to book the work or ask a question. Reply STOP to opt out.`;
    case 'technician_job':
      return `Job: ${vars.jobTypeName} for ${vars.firstName}, ${vars.date} ${vars.start}-${vars.end}. ${vars.job?.details ?? ''}`.trim();
    case 'dispatcher_alert':
      return `New booking: ${vars.jobTypeName} for ${vars.firstName}, ${vars.date} ${vars.start}-${vars.end}. ${vars.job?.details ?? ''}`.trim();
    case 'dispatcher_callback':
      return `Call back: ${vars.jobTypeName} for ${vars.firstName} could not be booked automatically and holds no slot. See the review queue in the console.`;
    case 'manager_alert':
      return `EMERGENCY booked: ${vars.jobTypeName} for ${vars.firstName}, ${vars.date} ${vars.start}-${vars.end}. ${vars.job?.details ?? ''}`.trim();
    case 'delay_alert':
      return `Running late: ${vars.job?.technicianName ?? 'a technician'} is ${vars.job?.delayMinutes ?? 'some'} min behind on ${vars.jobTypeName} for ${vars.firstName} (${vars.date} ${vars.start}-${vars.end}); their next job is at risk. Options: Dispatch in the console.`;
    case 'oncall_alert':
      return `EMERGENCY ${vars.jobTypeName} for ${vars.firstName}, ${vars.date} ${vars.start}-${vars.end}. Open the job in dispatch for address and notes.`;
  }
}

/**
 * The variables every message is filled from, default wording and tenant templates alike: the send
 * worker and anything that shows a message before it is sent build them here.
 */
export function messageVariables(args: {
  customerName: string;
  jobTypeName?: string;
  companyName: string;
  window: { date: string; start: string; end: string };
  job?: Record<string, string | undefined>;
}): Parameters<typeof renderMessage>[1] {
  return {
    firstName: args.customerName.split(/\s+/)[0] ?? args.customerName,
    jobTypeName: args.jobTypeName ?? 'service',
    companyName: args.companyName,
    ...args.window,
    job: args.job ?? {},
  };
}

/**
 * The text of a message as it goes out: the tenant's template for the kind (strict Handlebars:
 * a missing variable throws TemplateVariableError) or the default wording. The send worker and
 * anything that shows a message before it is sent (dispatch suggestions) use this one function.
 */
export function composeMessage(kind: NotificationKind, templates: Partial<Record<string, string>>, vars: Parameters<typeof renderMessage>[1]): string {
  const template = templates[kind];
  return template ? renderTemplate(template, { ...vars, ...vars.job }) : renderMessage(kind, vars);
}
