/** Schedule NotificationSweeper (EventBridge Scheduler, rate(1 minute)): queues what is due (notify/sweep.ts). */
import middy from '@middy/core';
import { logger } from '../shared/logger';
import { now } from '../shared/time';
import { sweepDueNotifications } from './sweep';

export const handler = middy(async () => {
  const queued = await sweepDueNotifications(now());
  logger.info('notification sweep', { queued });
  return { queued };
});
