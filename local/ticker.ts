/**
 * Local EventBridge Scheduler: invokes each schedule's Lambda with a Scheduled Event payload on an
 * interval (every rate(1 minute) schedule ticks each `intervalMs`).
 */
import { randomUUID } from 'node:crypto';
import type { ScheduledEvent } from 'aws-lambda';
import { schedules, type ScheduleSpec } from '../functions/registry';
import { invokeLambda, LOCAL_REGION } from './lambdas';

export function scheduledEvent(schedule: ScheduleSpec, at: Date = new Date()): ScheduledEvent {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.scheduler',
    account: '000000000000',
    time: at.toISOString(),
    region: LOCAL_REGION,
    resources: [`arn:aws:scheduler:${LOCAL_REGION}:000000000000:schedule/default/jobrelay-${schedule.name}`],
    detail: {},
  };
}

export async function tickAll(): Promise<void> {
  for (const schedule of schedules) {
    try {
      await invokeLambda(schedule.lambda, scheduledEvent(schedule));
    } catch (error) {
      console.error(`local schedule ${schedule.name} failed:`, (error as Error).message);
    }
  }
}

export function startTicker(intervalMs: number): { stop(): Promise<void> } {
  let running: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    running = running.then(tickAll);
  }, intervalMs);
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
