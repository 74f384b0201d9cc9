/**
 * Local EventBridge Scheduler: every `intervalMs` it invokes, with a Scheduled Event payload, each
 * schedule that is due by its registry expression: `rate(1 minute)` on every tick, other rates when
 * that much time has passed, `cron(M * * * ? *)` when minute M of an hour has passed since the last
 * tick (so the hourly renewals scan runs on the hour, as Scheduler runs it).
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

const RATE_UNITS_MS: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/**
 * Whether a schedule is due at `now` when it last ran (or the ticker started) at `last`. Only the
 * expression forms the registry uses are understood; any other throws, so a new form cannot
 * silently never run locally.
 */
export function isDue(expression: string, last: Date, now: Date): boolean {
  const rate = /^rate\((\d+) (minute|hour|day)s?\)$/.exec(expression);
  if (rate) {
    // The every-minute sweeper runs on every tick (tests and demos tick faster than a minute).
    if (rate[1] === '1' && rate[2] === 'minute') return true;
    return now.getTime() - last.getTime() >= Number(rate[1]) * RATE_UNITS_MS[rate[2]!]!;
  }
  const hourly = /^cron\((\d{1,2}) \* \* \* \? \*\)$/.exec(expression);
  if (hourly) {
    const minute = Number(hourly[1]);
    // The latest minute-M boundary at or before now (UTC, as Scheduler evaluates cron).
    const boundary = new Date(now);
    boundary.setUTCMinutes(minute, 0, 0);
    if (boundary > now) boundary.setUTCHours(boundary.getUTCHours() - 1);
    return last < boundary;
  }
  throw new Error(`local ticker: schedule expression ${expression} is not understood (rate(N minute|hour|day) or cron(M * * * ? *))`);
}

async function invokeSchedule(schedule: ScheduleSpec, at: Date): Promise<void> {
  try {
    await invokeLambda(schedule.lambda, scheduledEvent(schedule, at));
  } catch (error) {
    console.error(`local schedule ${schedule.name} failed:`, (error as Error).message);
  }
}

/** Every schedule now, due or not (a demo's "run it now"). */
export async function tickAll(): Promise<void> {
  for (const schedule of schedules) await invokeSchedule(schedule, new Date());
}

export function startTicker(intervalMs: number): { stop(): Promise<void> } {
  const started = new Date();
  const lastRun = new Map(schedules.map((schedule) => [schedule.name, started]));
  // Refuse an expression this ticker cannot follow at start, not at its first tick.
  for (const schedule of schedules) isDue(schedule.expression, started, started);
  const tickDue = async () => {
    const at = new Date();
    for (const schedule of schedules) {
      if (!isDue(schedule.expression, lastRun.get(schedule.name)!, at)) continue;
      lastRun.set(schedule.name, at);
      await invokeSchedule(schedule, at);
    }
  };
  let running: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    running = running.then(tickDue);
  }, intervalMs);
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
