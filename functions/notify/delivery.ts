/**
 * Whether, when and where a message goes: pure policy over the recipient's preferences and the
 * company's rules. Customers who opted out get nothing (the row says why); customer messages that
 * fall in quiet hours wait until they end, in the company's time zone; messages to staff
 * (technicians, dispatch, on-call) go at once.
 */
import { nextClockAfter, zonedClock } from '../shared/zoned-time';
import { isStaffMessage, type NotificationKind } from './catalogue';

export interface QuietHours {
  start: string;
  end: string;
}

export type DeliveryDecision =
  | { action: 'send'; channel: 'sms' | 'email' }
  | { action: 'defer'; until: Date; reason: string }
  | { action: 'suppress'; reason: string };

/** When quiet hours that contain `now` end, or undefined when `now` is outside them. */
export function quietHoursEnd(now: Date, quiet: QuietHours, timeZone: string): Date | undefined {
  const hhmm = zonedClock(now, timeZone);
  const overnight = quiet.start > quiet.end; // e.g. 21:00-08:00
  const inside = overnight ? hhmm >= quiet.start || hhmm < quiet.end : hhmm >= quiet.start && hhmm < quiet.end;
  if (!inside) return undefined;
  return nextClockAfter(now, timeZone, quiet.end);
}

export function decideDelivery(args: {
  kind: NotificationKind;
  now: Date;
  timeZone: string;
  companyQuietHours?: QuietHours;
  customer: { email?: string; communicationPreferences?: { channels: string[]; quietHours?: QuietHours; optedOut: boolean } };
}): DeliveryDecision {
  if (isStaffMessage(args.kind)) return { action: 'send', channel: 'sms' };
  const preferences = args.customer.communicationPreferences;
  if (preferences?.optedOut) return { action: 'suppress', reason: 'the customer opted out of messages' };
  const channels = preferences?.channels ?? ['sms'];
  const channel = channels.find((c): c is 'sms' | 'email' => c === 'sms' || (c === 'email' && Boolean(args.customer.email)));
  if (!channel) return { action: 'suppress', reason: `no channel the customer accepts can reach them (${channels.join(', ') || 'none'})` };
  const quiet = preferences?.quietHours ?? args.companyQuietHours;
  const until = quiet ? quietHoursEnd(args.now, quiet, args.timeZone) : undefined;
  if (until) return { action: 'defer', until, reason: `quiet hours ${quiet!.start}-${quiet!.end}` };
  return { action: 'send', channel };
}
