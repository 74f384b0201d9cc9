/**
 * Schedule MinuteSweeps (EventBridge Scheduler, rate(1 minute)): the two sweeps that run every minute,
 * in one invocation rather than two schedules and two Lambdas (issue 19 item 4: an idle minute is one
 * scheduler run and one Lambda request, not two).
 * - notify/sweep.ts: queue the notifications that are due;
 * - emergency/sweep.ts: emergency pages that timed out page the next on-call technician, unanswered
 *   emergencies escalate to the on-call manager.
 * They run side by side and neither waits for or stops the other: a failing notification sweep still
 * lets the emergency sweep page. A run where either failed throws after both have ended, so Lambda's
 * async retries and then the async-targets DLQ (alarmed) see it; both sweeps are safe to run again.
 */
import middy from '@middy/core';
import { sweepDueDispatches } from '../emergency/sweep';
import { sweepDueNotifications } from '../notify/sweep';
import { logger } from '../shared/logger';
import { now } from '../shared/time';

/** Both sweeps at `at`, side by side (the sweeps are parameters so a test can make one fail). */
export async function runMinuteSweeps(
  at: Date,
  sweeps: { notifications: (at: Date) => Promise<number>; emergencies: (at: Date) => Promise<number> } = {
    notifications: sweepDueNotifications,
    emergencies: sweepDueDispatches,
  },
): Promise<{ queued: number; moved: number }> {
  const [notifications, emergencies] = await Promise.allSettled([sweeps.notifications(at), sweeps.emergencies(at)]);
  const failed = [notifications, emergencies].filter((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
  const queued = notifications.status === 'fulfilled' ? notifications.value : undefined;
  const moved = emergencies.status === 'fulfilled' ? emergencies.value : undefined;
  logger.info('minute sweeps', { queued, moved, failed: failed.length });
  if (failed.length)
    throw new AggregateError(
      failed.map((outcome) => outcome.reason),
      'a minute sweep failed',
    );
  return { queued: queued!, moved: moved! };
}

export const handler = middy(() => runMinuteSweeps(now()));
