/**
 * Schedule CrmReadSyncPoll (EventBridge Scheduler, every 15 minutes): incremental read sync
 * (`modifiedOnOrAfter`-style) for every tenant with a connected CRM, and a ring for a run whose
 * doorbell was lost (crm/read-sync.ts `pollCrmReadSync`).
 */
import middy from '@middy/core';
import { logger } from '../shared/logger';
import { now } from '../shared/time';
import { pollCrmReadSync } from './read-sync';

export const handler = middy(async () => {
  const summary = await pollCrmReadSync(now());
  logger.info('crm read sync poll', { ...summary });
  return summary;
});
