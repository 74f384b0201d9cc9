/**
 * What messages a booking starts, and when: pure planning over the booked window. Every message is a
 * ledger row first (notify/store.ts); the sweeper sends rows when they fall due.
 */
import { zonedDate, zonedInstant } from '../shared/zoned-time';
import type { NotificationKind } from './catalogue';

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
  const start = zonedInstant(window.date, timeZone, window.start);
  // A window already under way (an emergency booked into it, a late confirmation) is no "between 10
  // and 12" any more: the customer is told the technician arrives by its end.
  const kind = start.getTime() <= now.getTime() ? 'confirmation_arriving_by' : 'confirmation';
  const planned: PlannedNotification[] = [{ kind, channel, dueAt: now.toISOString() }];
  const reminder48 = new Date(start.getTime() - 48 * 3_600_000);
  if (reminder48.getTime() > now.getTime()) planned.push({ kind: 'reminder_48h', channel, dueAt: reminder48.toISOString() });
  const dayOf = zonedInstant(zonedDate(start, timeZone), timeZone, `${String(DAY_OF_REMINDER_HOUR).padStart(2, '0')}:00`);
  if (dayOf.getTime() > now.getTime() && dayOf < start) {
    planned.push({ kind: 'reminder_day_of', channel, dueAt: dayOf.toISOString() });
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
