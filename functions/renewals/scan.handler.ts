/**
 * Schedule RenewalsScan (EventBridge Scheduler, every hour on the hour): runs the renewals of the
 * tenants whose local hour it is (renewals/run-day.ts: notices, charges and retries, lapses, win-back).
 */
import middy from '@middy/core';
import { logger } from '../shared/logger';
import { now } from '../shared/time';
import { RENEWALS_LOCAL_HOUR, runRenewals } from './run-day';

export const handler = middy(async () => {
  const summary = await runRenewals(now(), { localHour: RENEWALS_LOCAL_HOUR });
  logger.info('renewals scan', { ...summary });
  return summary;
});
