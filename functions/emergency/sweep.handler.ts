/** Schedule EmergencyDispatchSweep (EventBridge Scheduler, rate(1 minute)): page timeouts and escalations (emergency/sweep.ts). */
import middy from '@middy/core';
import { logger } from '../shared/logger';
import { now } from '../shared/time';
import { sweepDueDispatches } from './sweep';

export const handler = middy(async () => {
  const moved = await sweepDueDispatches(now());
  logger.info('emergency dispatch sweep', { moved });
  return { moved };
});
