/**
 * The notification catalogue: every kind of message once, with who it is for and its default wording.
 * Kinds are read from here (the ledger's rows, the planners, the worker, templates); a tenant's
 * Handlebars template for a kind replaces the default wording (composeMessage). Issue 16 grows each
 * entry's wording into the message catalogue in English and Spanish.
 */
import { renderTemplate } from './templates';

/** Who a message is for: the customer by their channel; staff (technician, dispatch, on-call manager) by SMS. */
export type Recipient = 'customer' | 'technician' | 'dispatch' | 'manager';

/** What every message is filled from (messageVariables builds it). */
export interface MessageVariables {
  firstName: string;
  jobTypeName: string;
  date: string;
  start: string;
  end: string;
  companyName: string;
  /** Facts of a job event or membership (eta, technicianName, amount, plan, renewsOn...), stored with them. */
  job?: Record<string, string | undefined>;
}

interface CatalogueEntry {
  recipient: Recipient;
  /** The message carries the job's full context for the people doing it (summary, notes, history). */
  jobDetails?: true;
  /** The message names the booking's technician. */
  technicianName?: true;
  /** Default wording, used when the tenant has no template for the kind. */
  wording: (v: MessageVariables) => string;
}

const when = (v: MessageVariables) => `${v.date} between ${v.start} and ${v.end}`;
const plan = (v: MessageVariables) => v.job?.plan ?? 'membership';
const paymentReminder = (final: boolean) => (v: MessageVariables) =>
  `Hi ${v.firstName}, a ${final ? 'final ' : ''}reminder from ${v.companyName}: your invoice for ${v.jobTypeName}${v.job?.amount ? ` (${v.job.amount})` : ''} is open. Reply PAY for a payment link.`;
const renewalNotice = (v: MessageVariables) =>
  `Hi ${v.firstName}, your ${plan(v)} with ${v.companyName} renews on ${v.job?.renewsOn ?? 'its renewal date'}${v.job?.amount ? ` for ${v.job.amount}` : ''}. Reply STOP to opt out.`;
const winback = (v: MessageVariables) =>
  `Hi ${v.firstName}, we miss you at ${v.companyName}! Renew your ${plan(v)} and keep priority service and tune-ups. Reply RENEW. Reply STOP to opt out.`;
const noSaleFollowup = (v: MessageVariables) =>
  `Hi ${v.firstName}, ${v.companyName} here about the ${v.jobTypeName} quote from our visit. Still thinking it over? Reply to book the work or ask a question. Reply STOP to opt out.`;

export const NOTIFICATION_CATALOGUE = {
  confirmation: {
    recipient: 'customer',
    wording: (v) => `Hi ${v.firstName}, your ${v.jobTypeName} visit with ${v.companyName} is confirmed for ${when(v)}. Reply STOP to opt out.`,
  },
  reminder_48h: {
    recipient: 'customer',
    wording: (v) => `Hi ${v.firstName}, a reminder from ${v.companyName}: your ${v.jobTypeName} visit is on ${when(v)}.`,
  },
  reminder_day_of: {
    recipient: 'customer',
    wording: (v) => `Hi ${v.firstName}, ${v.companyName} will see you today between ${v.start} and ${v.end}.`,
  },
  request_received: {
    recipient: 'customer',
    wording: (v) => `Hi ${v.firstName}, ${v.companyName} has your ${v.jobTypeName} request. Our dispatcher will confirm your appointment time shortly.`,
  },
  oncall_alert: {
    recipient: 'technician',
    wording: (v) => `EMERGENCY ${v.jobTypeName} for ${v.firstName}, ${v.date} ${v.start}-${v.end}. Open the job in dispatch for address and notes.`,
  },
  reschedule_confirmation: {
    recipient: 'customer',
    wording: (v) => `Hi ${v.firstName}, your ${v.jobTypeName} visit with ${v.companyName} has moved to ${when(v)}. Reply STOP to opt out.`,
  },
  /** Same window, another technician (a dispatcher's move or swap). */
  technician_changed: {
    recipient: 'customer',
    technicianName: true,
    wording: (v) =>
      `Hi ${v.firstName}, an update from ${v.companyName}: ${v.job?.technicianName ?? 'another technician'} will be your technician for your ${v.jobTypeName} visit, still on ${when(v)}.`,
  },
  cancellation: {
    recipient: 'customer',
    wording: (v) => `Hi ${v.firstName}, your ${v.jobTypeName} visit with ${v.companyName} on ${v.date} is cancelled. Call us any time to book again.`,
  },
  technician_assigned: {
    recipient: 'technician',
    wording: (v) => `New job: ${v.jobTypeName} for ${v.firstName}, ${v.date} ${v.start}-${v.end}. Open the job for address, notes and history.`,
  },
  technician_unassigned: {
    recipient: 'technician',
    wording: (v) => `Job removed from your schedule: ${v.jobTypeName} for ${v.firstName}, ${v.date} ${v.start}-${v.end}.`,
  },
  // Job trail (functions/trail/): the job with full context to its technician; new-job alerts to dispatch
  technician_job: {
    recipient: 'technician',
    jobDetails: true,
    wording: (v) => `Job: ${v.jobTypeName} for ${v.firstName}, ${v.date} ${v.start}-${v.end}. ${v.job?.details ?? ''}`.trim(),
  },
  dispatcher_alert: {
    recipient: 'dispatch',
    jobDetails: true,
    wording: (v) => `New booking: ${v.jobTypeName} for ${v.firstName}, ${v.date} ${v.start}-${v.end}. ${v.job?.details ?? ''}`.trim(),
  },
  /** To dispatch: a booking the system could not finish (its slot was lost, its workflow died): call the customer. */
  dispatcher_callback: {
    recipient: 'dispatch',
    wording: (v) => `Call back: ${v.jobTypeName} for ${v.firstName} could not be booked automatically and holds no slot. See the review queue in the console.`,
  },
  manager_alert: {
    recipient: 'manager',
    jobDetails: true,
    wording: (v) => `EMERGENCY booked: ${v.jobTypeName} for ${v.firstName}, ${v.date} ${v.start}-${v.end}. ${v.job?.details ?? ''}`.trim(),
  },
  /** To dispatch: a technician runs late and their next job is at risk (dispatch suggestions). */
  delay_alert: {
    recipient: 'dispatch',
    technicianName: true,
    wording: (v) =>
      `Running late: ${v.job?.technicianName ?? 'a technician'} is ${v.job?.delayMinutes ?? 'some'} min behind on ${v.jobTypeName} for ${v.firstName} (${v.date} ${v.start}-${v.end}); their next job is at risk. Options: Dispatch in the console.`,
  },
  // Job lifecycle from the field (functions/lifecycle/actions.ts)
  eta: {
    recipient: 'customer',
    wording: (v) =>
      `Hi ${v.firstName}, ${v.job?.technicianName ?? 'your technician'} from ${v.companyName} is scheduled to arrive ${v.job?.etaLabel ? `around ${v.job.etaLabel}` : `between ${v.start} and ${v.end}`}.`,
  },
  on_the_way: {
    recipient: 'customer',
    wording: (v) =>
      `Hi ${v.firstName}, ${v.job?.technicianName ?? 'your technician'} from ${v.companyName} is on the way${v.job?.etaLabel ? `, arriving around ${v.job.etaLabel}` : ''}.`,
  },
  thank_you: {
    recipient: 'customer',
    wording: (v) => `Thank you for choosing ${v.companyName}, ${v.firstName}! Your ${v.jobTypeName} is complete. Questions? Just reply.`,
  },
  review_request: {
    recipient: 'customer',
    wording: (v) =>
      `Hi ${v.firstName}, how did ${v.companyName} do on your ${v.jobTypeName}? A short review helps us a lot${v.job?.reviewUrl ? `: ${v.job.reviewUrl}` : '.'} Reply STOP to opt out.`,
  },
  rebooking_followup: {
    recipient: 'customer',
    wording: (v) => `Hi ${v.firstName}, it's time to book your next ${v.jobTypeName} with ${v.companyName}. Reply or call us to pick a time.`,
  },
  maintenance_due: {
    recipient: 'customer',
    wording: (v) =>
      `Hi ${v.firstName}, your next ${v.jobTypeName} with ${v.companyName} is due${v.job?.nextMaintenanceDate ? ` on ${v.job.nextMaintenanceDate}` : ''}. Reply to book a visit.`,
  },
  payment_reminder: { recipient: 'customer', wording: paymentReminder(false) },
  payment_reminder_2: { recipient: 'customer', wording: paymentReminder(false) },
  payment_reminder_final: { recipient: 'customer', wording: paymentReminder(true) },
  no_show_followup: {
    recipient: 'customer',
    wording: (v) => `Hi ${v.firstName}, ${v.companyName} missed you for your ${v.jobTypeName} on ${v.date}. Reply to pick a new time.`,
  },
  // Memberships (functions/renewals/): notices, payment retry, win-back
  renewal_60d: { recipient: 'customer', wording: renewalNotice },
  renewal_30d: { recipient: 'customer', wording: renewalNotice },
  renewal_7d: { recipient: 'customer', wording: renewalNotice },
  renewal_0d: {
    recipient: 'customer',
    wording: (v) => `Hi ${v.firstName}, your ${plan(v)} with ${v.companyName} renews today${v.job?.amount ? ` for ${v.job.amount}` : ''}.`,
  },
  renewal_confirmed: {
    recipient: 'customer',
    wording: (v) => `Hi ${v.firstName}, your ${plan(v)} with ${v.companyName} is renewed until ${v.job?.renewsOn ?? 'next year'}. Thank you!`,
  },
  renewal_payment_failed: {
    recipient: 'customer',
    wording: (v) =>
      `Hi ${v.firstName}, the renewal payment for your ${plan(v)} with ${v.companyName} did not go through. We will try again; reply to update your card.`,
  },
  winback_1: { recipient: 'customer', wording: winback },
  winback_2: { recipient: 'customer', wording: winback },
  winback_3: { recipient: 'customer', wording: winback },
  // Rebooking sequence after a no-sale visit (functions/lifecycle/plan.ts)
  no_sale_followup_1: { recipient: 'customer', wording: noSaleFollowup },
  no_sale_followup_2: { recipient: 'customer', wording: noSaleFollowup },
  no_sale_followup_3: { recipient: 'customer', wording: noSaleFollowup },
} as const satisfies Record<string, CatalogueEntry>;

export type NotificationKind = keyof typeof NOTIFICATION_CATALOGUE;
/** Every kind, in catalogue order (zod enums and the OpenAPI document read this list). */
export const NOTIFICATION_KINDS = Object.keys(NOTIFICATION_CATALOGUE) as [NotificationKind, ...NotificationKind[]];

const entryOf = (kind: NotificationKind): CatalogueEntry => NOTIFICATION_CATALOGUE[kind];

export function recipientOf(kind: NotificationKind): Recipient {
  return entryOf(kind).recipient;
}

export function isStaffMessage(kind: NotificationKind): boolean {
  return recipientOf(kind) !== 'customer';
}

/** Whether the message carries the job's full context (trail messages to the people doing the job). */
export function carriesJobDetails(kind: NotificationKind): boolean {
  return entryOf(kind).jobDetails === true;
}

/** Whether the message names the booking's technician. */
export function namesTechnician(kind: NotificationKind): boolean {
  return entryOf(kind).technicianName === true;
}

/** The default wording of a kind. */
export function renderMessage(kind: NotificationKind, vars: MessageVariables): string {
  return entryOf(kind).wording(vars);
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
}): MessageVariables {
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
export function composeMessage(kind: NotificationKind, templates: Partial<Record<string, string>>, vars: MessageVariables): string {
  const template = templates[kind];
  return template ? renderTemplate(template, { ...vars, ...vars.job }) : renderMessage(kind, vars);
}
