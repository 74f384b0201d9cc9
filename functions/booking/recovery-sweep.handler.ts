/**
 * Schedule RecoverySweep (EventBridge Scheduler rate(5 minutes); locally on the ticker and once at
 * start): one sweep of stuck bookings and due CRM outbox rows (booking/recover-stuck.ts), and of day
 * plans whose staged apply died half-way (dispatch/apply-plan.ts), and of holds whose caller hung
 * up before booking (leads/hung-up.ts: they become leads), and of counters still counting the
 * minutes of holds that ran out (capacity/reclaim-sweep.ts).
 */
import middy from '@middy/core';
import { recoverStalledApplies } from '../dispatch/apply-plan';
import { sweepExpiredClaims } from '../capacity/reclaim-sweep';
import { sweepHungUpCallers } from '../leads/hung-up';
import { logger } from '../shared/logger';
import { now } from '../shared/time';
import { sweepRecovery } from './recover-stuck';

export const handler = middy(async () => {
  const at = now();
  const result = {
    ...(await sweepRecovery(at)),
    dispatchPlans: await recoverStalledApplies(at),
    hungUp: await sweepHungUpCallers(at),
    expiredClaims: await sweepExpiredClaims(at),
  };
  logger.info('recovery sweep', { ...result });
  return result;
});
