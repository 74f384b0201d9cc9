/**
 * The waitlisted callers of one day (read by the day planner, dispatch/plan.handler.ts, and by the
 * offers after a dispatch change, ./waitlist.ts offerGrownRoom): kept apart from the offers so the
 * planner's bundle does not carry the messages' code.
 */
import { getBookingRecords } from '../booking/store';
import { waitingLeadsFor } from './leads';
import type { LeadRecord } from './schemas';
import { waitlistOf } from './store';

/** How many waiting leads of each trade a day's plan and offers look at (earliest waitlisted first). */
const DAY_CANDIDATES = 200;

/** A customer waiting for a place on one day: their waitlisted leads, each with the window its request asked. */
export interface DayWaiter {
  /** One per customer (or contact phone, or lead). */
  key: string;
  jobTypeId: string;
  postalCode: string;
  /** Earliest waitlisted first; `start` undefined: the request asked no window (any of the day). */
  leads: Array<{ lead: LeadRecord; start?: string }>;
}

/**
 * The day's waitlisted callers of these trades, earliest waitlisted first: a lead is that day's when
 * its request asked for a window that day (then only that window: the one the customer accepted) or
 * asked for none. A customer refused several windows has several leads: one waiter.
 */
export async function waitersOfDay(tenantId: string, date: string, trades: string[]): Promise<DayWaiter[]> {
  const waiting = (await Promise.all(trades.map(async (trade) => waitingLeadsFor(await waitlistOf(tenantId, trade, DAY_CANDIDATES), trade))))
    .flat()
    .filter((lead) => lead.bookingId && lead.jobTypeId)
    .sort((a, b) => a.waitlistedAt!.localeCompare(b.waitlistedAt!) || a.leadId.localeCompare(b.leadId));
  if (!waiting.length) return [];
  const requests = await getBookingRecords(
    tenantId,
    waiting.map((lead) => lead.bookingId!),
  );
  const waiters = new Map<string, DayWaiter>();
  for (const [i, lead] of waiting.entries()) {
    const asked = requests[i]?.request.window;
    if (!requests[i] || (asked && asked.date !== date)) continue;
    const key = lead.customerId ?? lead.phoneE164 ?? lead.leadId;
    const waiter = waiters.get(key) ?? { key, jobTypeId: lead.jobTypeId!, postalCode: lead.postalCode, leads: [] };
    // One need per customer: leads of another job or address are another request, tried on their own.
    if (waiter.jobTypeId !== lead.jobTypeId || waiter.postalCode !== lead.postalCode) {
      waiters.set(`${key}|${lead.leadId}`, {
        key: `${key}|${lead.leadId}`,
        jobTypeId: lead.jobTypeId!,
        postalCode: lead.postalCode,
        leads: [{ lead, start: asked?.start }],
      });
      continue;
    }
    waiter.leads.push({ lead, start: asked?.start });
    waiters.set(key, waiter);
  }
  return [...waiters.values()];
}

/** Where a day plan placed a waiting lead (dispatch/plan.handler.ts `waitlistPlaced`). */
export interface WaitlistPlacement {
  leadId: string;
  technicianId: string;
  start: string;
}
