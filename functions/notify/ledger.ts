/**
 * What messages a booking starts, and when: pure planning over the booked window. Every message is a
 * ledger row first; the sweeper sends rows when they fall due. Issue 6 grows templates and rules.
 */
import { DateTime } from 'luxon';

export const NOTIFICATION_KINDS = ['confirmation', 'reminder_48h', 'reminder_day_of', 'request_received', 'oncall_alert'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export interface PlannedNotification {
  kind: NotificationKind;
  channel: 'sms' | 'email';
  dueAt: string;
  /** Set when the message goes to a technician (on-call alert) instead of the customer. */
  technicianId?: string;
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
}): PlannedNotification[] {
  const { status, window, now, channel } = args;
  const committed = (status === 'confirmed' || status === 'pending_crm_sync') && window;
  const planned = committed
    ? planNotifications({ window, timeZone: args.timeZone, now, channel })
    : [{ kind: 'request_received' as const, channel, dueAt: now.toISOString() }];
  for (const technicianId of args.onCallTechnicianIds ?? []) {
    planned.push({ kind: 'oncall_alert', channel: 'sms', dueAt: now.toISOString(), technicianId });
  }
  return planned;
}

export function renderMessage(
  kind: NotificationKind,
  vars: { firstName: string; jobTypeName: string; date: string; start: string; end: string; companyName: string },
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
    case 'oncall_alert':
      return `EMERGENCY ${vars.jobTypeName} for ${vars.firstName}, ${vars.date} ${vars.start}-${vars.end}. Open the job in dispatch for address and notes.`;
  }
}
