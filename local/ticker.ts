/**
 * Local EventBridge Scheduler: every `intervalMs` it invokes, with a Scheduled Event payload, each
 * schedule that is due by its registry expression: `rate(1 minute)` on every tick, other rates when
 * that much time has passed, `cron(M * * * ? *)` when minute M of an hour has passed since the last
 * tick (so the hourly renewals scan runs on the hour, as Scheduler runs it).
 */
import { randomUUID } from 'node:crypto';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { ScheduledEvent } from 'aws-lambda';
import { SCHEDULED_RUN_RETRIES, schedules, type ScheduleSpec } from '../functions/registry';
import { invokeLambda, LOCAL_REGION, type LocalFunctionOverrides } from './lambdas';
import { LOCAL_ACCOUNT } from './sqs';

/** The local async-targets DLQ's URL (local/runtime.ts sets it for this process and the tests). */
export const ASYNC_TARGETS_DLQ_URL_ENV = 'ASYNC_TARGETS_DLQ_URL';

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

/**
 * The record Lambda's on-failure destination sends for an asynchronous invocation that failed after
 * its retries (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html).
 */
export function onFailureRecord(lambdaName: string, event: unknown, error: Error, attempts: number, at: Date = new Date()) {
  return {
    version: '1.0',
    timestamp: at.toISOString(),
    requestContext: {
      requestId: randomUUID(),
      functionArn: `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:jobrelay-${lambdaName}:$LATEST`,
      condition: 'RetriesExhausted',
      approximateInvokeCount: attempts,
    },
    requestPayload: event,
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    responsePayload: { errorType: error.name, errorMessage: error.message },
  };
}

/**
 * One scheduled run as AWS makes it: Scheduler invokes the function asynchronously; Lambda retries a
 * failed run SCHEDULED_RUN_RETRIES times, then its on-failure destination puts the record into the
 * async-targets DLQ (alarmed in AWS). Resolves whether the run succeeded. `overrides` (tests): run the
 * function with other grants or timeout.
 */
export async function runSchedule(schedule: ScheduleSpec, at: Date = new Date(), overrides?: LocalFunctionOverrides): Promise<boolean> {
  const event = scheduledEvent(schedule, at);
  let failure: Error | undefined;
  for (let attempt = 1; attempt <= 1 + SCHEDULED_RUN_RETRIES; attempt++) {
    try {
      await invokeLambda(schedule.lambda, event, overrides);
      return true;
    } catch (error) {
      failure = error as Error;
    }
  }
  console.error(`local schedule ${schedule.name} failed ${1 + SCHEDULED_RUN_RETRIES} times:`, failure!.message);
  const dlqUrl = process.env[ASYNC_TARGETS_DLQ_URL_ENV];
  if (!dlqUrl) throw new Error(`${ASYNC_TARGETS_DLQ_URL_ENV} is not set: the local runtime sets it`);
  await new SQSClient({ region: LOCAL_REGION, endpoint: new URL(dlqUrl).origin, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }).send(
    new SendMessageCommand({ QueueUrl: dlqUrl, MessageBody: JSON.stringify(onFailureRecord(schedule.lambda, event, failure!, 1 + SCHEDULED_RUN_RETRIES)) }),
  );
  return false;
}

async function invokeSchedule(schedule: ScheduleSpec, at: Date): Promise<void> {
  await runSchedule(schedule, at).catch((error) =>
    console.error(`local schedule ${schedule.name}: its failure record was not sent:`, (error as Error).message),
  );
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
