/**
 * Schedule RecoverySweep (EventBridge Scheduler rate(5 minutes); locally on the ticker and once at
 * start): one sweep of stuck bookings and due CRM outbox rows (booking/recover-stuck.ts).
 */
import middy from '@middy/core';
import { logger } from '../shared/logger';
import { now } from '../shared/time';
import { sweepRecovery } from './recover-stuck';

export const handler = middy(async () => {
  const result = await sweepRecovery(now());
  logger.info('recovery sweep', { ...result });
  return result;
});
