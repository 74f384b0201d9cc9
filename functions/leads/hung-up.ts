/**
 * Callers who hang up before booking: a hold made with its caller (POST /v1/holds with customerId or
 * customer) that runs out unbooked makes a lead (reason hung_up) with a `callback` item. The
 * recovery sweep (RecoverySweep, every 5 minutes on AWS and on the local ticker) runs this over the
 * hold callers due in the sparse `byDue` index; each is decided once (leads/leads.ts hungUpDecision)
 * and leaves the index, and a second sweep makes no second lead (leads/store.ts createLead).
 * A caller who booked meanwhile (another hold, or none) is no lead: their phone has a booking made
 * since the hold.
 */
import { listBookingsByPhone } from '../booking/store';
import { dueHoldCallers, getHoldCaller, type HoldCallerRecord, setHoldCallerDue } from '../capacity/hold-caller-store';
import { getHold } from '../capacity/store';
import { normalizePhone } from '../recognise/phone';
import { getCustomer } from '../recognise/store';
import { logger } from '../shared/logger';
import { hungUpDecision } from './leads';
import { recordHungUpLead } from './record';

/** Hold callers looked at per sweep (the rest wait for the next one). */
const SWEEP_LIMIT = 200;

/** Whether the caller's phone has a booking made since the hold (they booked after all). */
async function bookedSince(tenantId: string, held: HoldCallerRecord): Promise<boolean> {
  const { caller } = held;
  const phoneE164 = caller.customer?.phone
    ? normalizePhone(caller.customer.phone, caller.address?.country ?? 'US')
    : caller.customerId
      ? (await getCustomer(tenantId, caller.customerId))?.phoneE164
      : undefined;
  if (!phoneE164) return false;
  const bookings = await listBookingsByPhone(tenantId, phoneE164);
  return bookings.some((booking) => booking.createdAt >= held.createdAt && booking.status !== 'rejected');
}

export async function sweepHungUpCallers(at: Date, options: { tenantId?: string } = {}): Promise<{ leads: number; none: number; later: number }> {
  const counts = { leads: 0, none: 0, later: 0 };
  for (const due of await dueHoldCallers(at, SWEEP_LIMIT, options.tenantId)) {
    try {
      const held = await getHoldCaller(due.tenantId, due.holdId);
      if (!held) continue;
      if (held.leadId) {
        // Made by a sweep that died before the lead had everything: finish it.
        await recordHungUpLead(due.tenantId, held, at);
        counts.leads++;
        continue;
      }
      const decision = hungUpDecision(await getHold(due.tenantId, due.holdId), at);
      if (decision.action === 'later') {
        await setHoldCallerDue(due.tenantId, due.holdId, decision.dueAt);
        counts.later++;
      } else if (decision.action === 'none' || (await bookedSince(due.tenantId, held))) {
        await setHoldCallerDue(due.tenantId, due.holdId, undefined);
        counts.none++;
      } else {
        await recordHungUpLead(due.tenantId, held, at);
        counts.leads++;
      }
    } catch (error) {
      // One bad row never stops the sweep; it stays due and is looked at again next time.
      logger.warn('hung-up caller sweep failed for a hold', { tenantId: due.tenantId, holdId: due.holdId, error: (error as Error).name });
    }
  }
  return counts;
}
