/**
 * Membership (service agreement) renewal cadence, pure: given a membership and today's date in the
 * tenant's time zone, what the daily scan does. Notices at 60, 30, 7 and 0 days before renewal (the
 * band the day falls in, so a membership joined 20 days before renewal gets the 30-day notice, not
 * a burst of old ones); a renewal charge on the day; failed charges retried 1, 3 and 7 days after
 * the renewal date; after the last failed retry the membership lapses and a win-back sequence
 * starts. Every step names a deterministic id, so the scan run twice a day does nothing twice.
 */
import { addMonths, daysBetween } from '../shared/zoned-time';
import type { NotificationKind } from '../notify/catalogue';

export const NOTICE_DAYS = [60, 30, 7, 0] as const;
export const RETRY_AFTER_DAYS = [1, 3, 7] as const;
/** Days after lapsing that each win-back message goes out. */
export const WINBACK_AFTER_DAYS: Array<[NotificationKind, number]> = [
  ['winback_1', 0],
  ['winback_2', 14],
  ['winback_3', 30],
];
/** A membership that does not auto-renew lapses this many days after its renewal date. */
export const MANUAL_RENEWAL_GRACE_DAYS = 7;

export interface MembershipState {
  status: 'active' | 'past_due' | 'lapsed' | 'cancelled';
  /** YYYY-MM-DD: the date the current term ends and the next one starts (the renewal cycle). */
  renewsOn: string;
  autoRenew: boolean;
  /** Charges tried for the current cycle (0 before the renewal day). */
  chargeAttempts: number;
}

export type RenewalStep =
  | { type: 'notice'; kind: NotificationKind; cycle: string }
  | { type: 'charge'; cycle: string; attempt: number }
  | { type: 'lapse'; cycle: string };

/** The notice for the band `daysLeft` falls in (60 / 30 / 7 / 0), if any. */
export function noticeFor(daysLeft: number): NotificationKind | undefined {
  if (daysLeft > NOTICE_DAYS[0]) return undefined;
  const band = [...NOTICE_DAYS].reverse().find((days) => daysLeft <= days);
  return band === undefined ? undefined : (`renewal_${band}d` as NotificationKind);
}

export function renewalSteps(membership: MembershipState, today: string): RenewalStep[] {
  const cycle = membership.renewsOn;
  const daysLeft = daysBetween(today, cycle);
  const steps: RenewalStep[] = [];
  if (membership.status === 'active') {
    const notice = noticeFor(Math.max(0, daysLeft));
    if (notice) steps.push({ type: 'notice', kind: notice, cycle });
    if (daysLeft <= 0) {
      if (membership.autoRenew) steps.push({ type: 'charge', cycle, attempt: membership.chargeAttempts });
      else if (-daysLeft >= MANUAL_RENEWAL_GRACE_DAYS) steps.push({ type: 'lapse', cycle });
    }
  } else if (membership.status === 'past_due') {
    const overdue = -daysLeft;
    const retry = membership.chargeAttempts; // attempt 0 was the renewal day; retry n is attempt n
    if (retry > RETRY_AFTER_DAYS.length) steps.push({ type: 'lapse', cycle });
    else if (overdue >= RETRY_AFTER_DAYS[retry - 1]!) steps.push({ type: 'charge', cycle, attempt: retry });
  }
  return steps;
}

/** The date a term renewed on `cycle` runs to. */
export function nextRenewal(cycle: string, termMonths: number): string {
  return addMonths(cycle, termMonths);
}
