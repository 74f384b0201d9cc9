/**
 * `npm run bench cost` (issue 19 item 4): what AWS would bill per 1,000 bookings, warm and all-in,
 * and what the synthesised stack costs a month doing nothing. Prints figures; asserts nothing.
 *
 * Per booking, measured on the local system (every local Lambda reports its AWS SDK calls, its
 * invocation and its duration: local/lambda-guest.ts): bookings are made one at a time, each
 * followed to the end of its job trail, then one sweep queues what is due and the notify queue is
 * drained. Then priced at us-east-1 list prices (below):
 * - DynamoDB on demand: a request is one read or write unit (items up to 4 KB / 1 KB), a transaction
 *   item two (AWS bills transactions twice over; DynamoDB Local does not show it);
 * - Lambda: requests, and GB-seconds from each function's memory and its measured duration (local
 *   durations: an upper bound for AWS);
 * - Step Functions: the booking workflow is Express (request + duration, 64 MB, 100 ms steps, its
 *   duration taken as CreateBooking's: an upper bound); the job trail now Express (its measured run),
 *   before Standard (its state transitions, counted by the local interpreter on the same runs);
 * - SQS: each request the functions make, plus the event source mapping's receive and delete.
 * Idle, from the stack synthesised here (without bundling): KMS keys, alarm metrics (a metric-math
 * alarm billed per metric), schedules (Scheduler, Lambda and an empty run's DynamoDB queries) and the
 * SQS event source mappings' empty long polls; at list prices, and in an account running only this
 * stack (AWS's always-free allowances). `npm run bench idle` prints it alone.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import { memoryMbOf } from '../lib/function-definition';
import { buildApp } from '../lib/app';
import { DUE_SHARDS, type DueMarker, NO_ROWS } from '../functions/notify/store';
import { partitionsToSweep } from '../functions/notify/sweep';
import { lambdaByName, queues, schedules } from '../functions/registry';
import { sfnClient } from '../functions/shared/workflow-client';
import { trailExecutionName } from '../functions/trail/start';
import { DEMO_TENANT_ID, ensureApiKey, seedDemoTenant } from '../local/demo';
import { invokeLambda, localAwsCalls, resetLocalAwsCalls } from '../local/lambdas';
import { pollOnce } from '../local/pollers';
import type { LocalSystem } from '../local/runtime';
import { localExecutionArn } from '../local/stepfunctions';
import { scheduledEvent } from '../local/ticker';
import { recordFigure } from './common';

const BOOKINGS = Number(process.env.BENCH_COST_BOOKINGS ?? 12);

/** us-east-1 list prices (USD), November 2026. */
const PRICE = {
  dynamoWriteUnit: 0.625 / 1e6,
  dynamoReadUnit: 0.125 / 1e6,
  lambdaRequest: 0.2 / 1e6,
  /** Arm64. */
  lambdaGbSecond: 0.0000133334,
  standardTransition: 25 / 1e6,
  expressRequest: 1 / 1e6,
  expressGbSecond: 0.00001667,
  sqsRequest: 0.4 / 1e6,
  schedulerInvocation: 1 / 1e6,
  logsIngestedGb: 0.5,
  kmsKeyMonth: 1,
  alarmMetricMonth: 0.1,
};
/** Issue 19's targets. */
const TARGET = { perThousand: 0.1, idleMonth: 1.5, trailShare: 0.1 };
/** The figures of the last stop (stop 15, 2026-11-30), for side by side. */
const ISSUE_BASELINE = { perThousand: 0.153, trailPart: 0.026, idleMonth: 3.37 };

const READS = ['GetItemCommand', 'QueryCommand', 'ScanCommand', 'BatchGetItemCommand', 'TransactGetItemsCommand'];
const WRITES = ['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand', 'BatchWriteItemCommand'];
const SQS = ['SendMessageCommand', 'SendMessageBatchCommand', 'ReceiveMessageCommand', 'DeleteMessageCommand', 'ChangeMessageVisibilityCommand'];
const TRAIL_FUNCTIONS = new Set(['AssignTechnician', 'NotifyTeam', 'PrepChecklist', 'MaterialsCheck', 'CloseTrail', 'TrailExecutionFailed']);
const MONTH_MINUTES = 30 * 24 * 60;
/**
 * CloudWatch Logs, estimated: a Lambda invocation writes its platform start/report records and a
 * line or two (~0.8 KB, JSON); an Express workflow logging at Level ALL (lib/workflows.ts) writes
 * about five events of ~0.25 KB per state (entered, scheduled, started, succeeded, exited).
 */
const LOG_BYTES = { perInvocation: 800, perExpressState: 5 * 250 };
/** States a booking workflow run enters (the common path of state-machines/booking.asl.json). */
const BOOKING_STATES = 14;

interface Costs {
  dynamo: number;
  lambda: number;
  sqs: number;
}

/** Dollars of the named functions' (or every function's) recorded calls since the last reset. */
function priced(only?: (name: string) => boolean): Costs & { units: { reads: number; writes: number; invocations: number } } {
  const total = { dynamo: 0, lambda: 0, sqs: 0, units: { reads: 0, writes: 0, invocations: 0 } };
  for (const [name, calls] of localAwsCalls()) {
    if (only && !only(name)) continue;
    const reads = READS.reduce((sum, c) => sum + (calls[c] ?? 0), 0);
    const writes = WRITES.reduce((sum, c) => sum + (calls[c] ?? 0), 0) + 2 * (calls['TransactWriteItemsCommand.items'] ?? 0);
    total.units.reads += reads;
    total.units.writes += writes;
    total.dynamo += reads * PRICE.dynamoReadUnit + writes * PRICE.dynamoWriteUnit;
    const invocations = calls['Lambda.invocations'] ?? 0;
    total.units.invocations += invocations;
    const gbSeconds = (memoryMbOf(lambdaByName(name)) / 1024) * ((calls['Lambda.billedMs'] ?? 0) / 1000);
    total.lambda += invocations * PRICE.lambdaRequest + gbSeconds * PRICE.lambdaGbSecond;
    // A message sent is also received and deleted by the event source mapping.
    const sent = (calls.SendMessageCommand ?? 0) + (calls.SendMessageBatchCommand ?? 0);
    total.sqs += (SQS.reduce((sum, c) => sum + (calls[c] ?? 0), 0) + 2 * sent) * PRICE.sqsRequest;
  }
  return total;
}

/** Express duration billing: 64 MB, rounded up to 100 ms. */
function expressRun(ms: number): number {
  return PRICE.expressRequest + (64 / 1024) * (Math.ceil(ms / 100) / 10) * PRICE.expressGbSecond;
}

const usd = (n: number) => `$${n.toFixed(4)}`;

export async function benchCost(system: LocalSystem): Promise<void> {
  await seedDemoTenant(DEMO_TENANT_ID);
  const apiKey = await ensureApiKey(DEMO_TENANT_ID);
  const notify = queues.find((q) => q.name === 'notify')!;
  const sweeper = schedules.find((s) => s.lambda === 'MinuteSweeps')!;
  const drain = async () => {
    await invokeLambda(sweeper.lambda, scheduledEvent(sweeper));
    while ((await pollOnce(system.sqs, notify, 0)) > 0);
  };
  const book = async (i: number) => {
    const response = await fetch(`${system.apiUrl}/v1/bookings`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json', 'idempotency-key': `cost-${Date.now()}-${i}` },
      body: JSON.stringify({
        customer: { name: `Cost Bench ${i}`, phone: `512555${String(3000 + (i % 1000))}` },
        address: { line1: `${i} Cost St`, city: 'Austin', region: 'TX', postalCode: '78744' },
        jobTypeId: 'plumbing-water-heater-repair',
        channel: 'voice',
        attribution: { source: 'bench' },
      }),
    });
    if (response.status !== 201 && response.status !== 200) throw new Error(`booking ${i} answered ${response.status}: ${await response.text()}`);
    // 200: kept for dispatch (no trail yet), e.g. a node over its time budget on a busy machine.
    return { ...((await response.json()) as { bookingId: string }), committed: response.status === 201 };
  };
  const followTrail = async (bookingId: string) => {
    const executionArn = localExecutionArn('jobTrail', trailExecutionName(bookingId));
    // A deadline, not a count of polls: on a loaded machine one DescribeExecution can take seconds.
    for (const deadline = Date.now() + 120_000; Date.now() < deadline; ) {
      const execution = await sfnClient()
        .send(new DescribeExecutionCommand({ executionArn }))
        .catch(() => undefined);
      if (execution?.status && execution.status !== 'RUNNING') {
        const ms = (execution.stopDate!.getTime() - execution.startDate!.getTime()) | 0;
        return { ms, transitions: system.sfn.stateTransitions(executionArn) ?? 0 };
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    return undefined;
  };

  // Warm: the first calls of each function load modules and open connections.
  for (let i = 997; i < 1_000; i++) {
    // A booking kept for dispatch (200: a node over its budget on a busy machine) starts no trail.
    const booked = await book(i);
    if (booked.committed) await followTrail(booked.bookingId);
  }
  await drain();
  resetLocalAwsCalls();
  const trails: Array<{ ms: number; transitions: number }> = [];
  for (let i = 0; i < BOOKINGS; i++) {
    const booked = await book(i);
    const trail = booked.committed ? await followTrail(booked.bookingId) : undefined;
    if (trail) trails.push(trail);
  }
  await drain();

  const n = BOOKINGS;
  const all = priced();
  const trailPart = priced((name) => TRAIL_FUNCTIONS.has(name));
  const createBooking = localAwsCalls().get('CreateBooking') ?? {};
  const bookingWorkflowMs = (createBooking['Lambda.billedMs'] ?? 0) / Math.max(1, createBooking['Lambda.invocations'] ?? 1);
  const transitions = trails.reduce((s, t) => s + t.transitions, 0) / Math.max(1, trails.length);
  const trailMs = trails.reduce((s, t) => s + t.ms, 0) / Math.max(1, trails.length);
  const sfn = { booking: expressRun(bookingWorkflowMs), trailExpress: expressRun(trailMs), trailStandard: transitions * PRICE.standardTransition };
  const shared = all.dynamo + all.lambda + all.sqs;
  const logsPerGb = PRICE.logsIngestedGb / 1024 ** 3;
  // Step Functions logging level from the template (lib/workflows.ts): at ALL each state writes its
  // events; at ERROR a successful run writes none.
  const level = workflowLogLevel();
  const stateLogBytes = level === 'ALL' ? LOG_BYTES.perExpressState : 0;
  const logs = {
    lambdas: (all.units.invocations / n) * LOG_BYTES.perInvocation * logsPerGb,
    bookingAll: BOOKING_STATES * LOG_BYTES.perExpressState * logsPerGb,
    trailAll: transitions * LOG_BYTES.perExpressState * logsPerGb,
    booking: BOOKING_STATES * stateLogBytes * logsPerGb,
    trail: transitions * stateLogBytes * logsPerGb,
    trailLambdas: (trailPart.units.invocations / n) * LOG_BYTES.perInvocation * logsPerGb,
  };
  // `shared` is measured over n bookings; the Step Functions figures are per booking.
  // "Standard trail" is the design before issue 19 (a Standard trail, both workflows logging ALL).
  const before = 1000 * (shared / n + sfn.booking + sfn.trailStandard + logs.lambdas + logs.bookingAll + logs.trailAll);
  const after = 1000 * (shared / n + sfn.booking + sfn.trailExpress + logs.lambdas + logs.booking + logs.trail);
  const trailOwn = (trailPart.dynamo + trailPart.lambda + trailPart.sqs) / n + logs.trailLambdas;
  const trailBefore = 1000 * (trailOwn + sfn.trailStandard + logs.trailAll);
  const trailAfter = 1000 * (trailOwn + sfn.trailExpress + logs.trail);

  console.log(
    `\nAWS cost per 1,000 bookings, warm, all-in (${n} bookings, ${trails.length} committed and followed to the end of their trail; us-east-1 list prices, no free tier; load ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')})\n`,
  );
  const lambdaRequests = all.units.invocations * PRICE.lambdaRequest;
  console.log(
    `DynamoDB ${usd((1000 * all.dynamo) / n)} (${(all.units.reads / n).toFixed(1)} read + ${(all.units.writes / n).toFixed(1)} write units per booking, transactions at 2x) | Lambda ${usd((1000 * all.lambda) / n)} (${(all.units.invocations / n).toFixed(1)} invocations per booking: requests ${usd((1000 * lambdaRequests) / n)}, GB-s ${usd((1000 * (all.lambda - lambdaRequests)) / n)} at local durations) | SQS ${usd((1000 * all.sqs) / n)}`,
  );
  console.log(
    `Step Functions: booking workflow (Express) ${usd(1000 * sfn.booking)}; job trail as Standard ${usd(1000 * sfn.trailStandard)} (${transitions.toFixed(1)} transitions), as Express ${usd(1000 * sfn.trailExpress)} (${trailMs.toFixed(0)} ms run)`,
  );
  console.log(
    `CloudWatch Logs (estimated): Lambda ${usd(1000 * logs.lambdas)}; workflows at Level ${level} ${usd(1000 * (logs.booking + logs.trail))} (at Level ALL they were ${usd(1000 * (logs.bookingAll + logs.trailAll))})`,
  );
  console.log(
    `job trail alone (its Lambdas, DynamoDB, SQS and Step Functions): Standard ${usd(trailBefore)}, Express ${usd(trailAfter)} = ${((trailAfter / trailBefore) * 100).toFixed(0)}% (target <= ${TARGET.trailShare * 100}%)`,
  );
  // Where it goes, by function: DynamoDB, Lambda (requests and GB-s at its memory) and SQS.
  const byFunction = [...localAwsCalls().keys()]
    .map((name) => {
      const c = priced((fn) => fn === name);
      return { name, usd: (1000 * (c.dynamo + c.lambda + c.sqs)) / n, c };
    })
    .filter((f) => f.usd > 0)
    .sort((a, b) => b.usd - a.usd);
  console.log(
    `by function (per 1,000 bookings): ${byFunction
      .slice(0, 12)
      .map(
        (f) =>
          `${f.name} ${usd(f.usd)} (${memoryMbOf(lambdaByName(f.name))} MB, DynamoDB ${usd((1000 * f.c.dynamo) / n)}, Lambda ${usd((1000 * f.c.lambda) / n)})`,
      )
      .join('; ')}`,
  );

  const idle = idleMonthlyCost();
  console.log(`\nIdle month of the synthesised stack (${idle.source}), us-east-1 list prices:`);
  for (const line of idle.lines) console.log(`  ${line}`);
  console.log(`  total ${usd(idle.total)} at list prices; ${usd(idle.ownAccount)} in an account running only this stack (AWS's always-free allowances)`);
  console.log('\n| figure | issue 19 before (Standard trail, logs ALL) | last stop | now | target |');
  console.log('|---|---|---|---|---|');
  console.log(
    `| AWS cost per 1,000 bookings, warm, all-in | ${usd(before)} (this run) | ${usd(ISSUE_BASELINE.perThousand)} | ${usd(after)} | <= ${usd(TARGET.perThousand)} |`,
  );
  console.log(
    `| the job trail's part of it | ${usd(trailBefore)} | ${usd(ISSUE_BASELINE.trailPart)} | ${usd(trailAfter)} | <= ${usd(trailBefore * TARGET.trailShare)} |`,
  );
  console.log(
    `| idle cost of a deployed stack, per month | | ${usd(ISSUE_BASELINE.idleMonth)} | ${usd(idle.total)} (own account ${usd(idle.ownAccount)}) | <= ${usd(TARGET.idleMonth)} |`,
  );
  recordFigure({
    figure: 'AWS cost per 1,000 bookings, warm, all-in',
    now: usd(after),
    target: `<= ${usd(TARGET.perThousand)}`,
    met: after <= TARGET.perThousand,
  });
  recordFigure({
    figure: "the job trail's part of it",
    now: usd(trailAfter),
    target: `<= ${usd(trailBefore * TARGET.trailShare)} (a tenth of Standard)`,
    met: trailAfter <= trailBefore * TARGET.trailShare,
  });
  recordFigure({
    figure: 'idle cost of a deployed stack, per month',
    now: usd(idle.total),
    target: `<= ${usd(TARGET.idleMonth)}`,
    met: idle.total <= TARGET.idleMonth,
  });
}

/** The Step Functions logging level of the synthesised workflows (the first one's; lib/workflows.ts sets one for all). */
function workflowLogLevel(): string {
  const machine = Object.values(synthesisedTemplate().resources).find((r) => r.Type === 'AWS::StepFunctions::StateMachine');
  return String((machine?.Properties?.LoggingConfiguration as { Level?: string } | undefined)?.Level ?? 'OFF');
}

interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
}

let template: { resources: Record<string, CfnResource>; source: string } | undefined;

/**
 * The stack as lib/ builds it now, synthesised here without bundling (bundles do not change the bill);
 * not cdk.out, which may predate the last change.
 */
function synthesisedTemplate(): { resources: Record<string, CfnResource>; source: string } {
  if (template) return template;
  const outdir = mkdtempSync(join(tmpdir(), 'jobrelay-cost-'));
  try {
    const { app, stack } = buildApp({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
    const synthesised = app.synth().getStackByName(stack.stackName).template as { Resources: Record<string, CfnResource> };
    template = { resources: synthesised.Resources, source: 'lib/ synthesised without bundling' };
    return template;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** Runs a month of a Scheduler expression (`rate(N minute[s]|hour[s])`, `cron(M * * * ? *)`). */
function runsPerMonth(expression: string): number {
  const rate = /^rate\((\d+) (minute|minutes|hour|hours)\)$/.exec(expression);
  if (rate) return MONTH_MINUTES / (Number(rate[1]) * (rate[2]!.startsWith('hour') ? 60 : 1));
  if (/^cron\(\d+ \* \* \* \? \*\)$/.test(expression)) return MONTH_MINUTES / 60;
  return MONTH_MINUTES;
}

/**
 * AWS's always-free monthly allowances (per account, not per stack; they do not expire):
 * https://aws.amazon.com/free/ — SQS 1M requests, CloudWatch 10 standard alarm metrics, Lambda 1M
 * requests and 400,000 GB-s, EventBridge Scheduler 14M invocations. DynamoDB's free tier is for
 * provisioned capacity only (this table is on demand); KMS has none for keys.
 */
const ALWAYS_FREE = { sqsRequests: 1e6, alarmMetrics: 10, lambdaRequests: 1e6, lambdaGbSeconds: 400_000, schedulerInvocations: 14e6 };

/**
 * Empty long polls of one SQS event source mapping a minute. AWS: "For standard queues, Lambda uses
 * long polling to poll a queue until it becomes active ... When traffic is low, Lambda scales back the
 * processing to five concurrent batches, and can optimize to as few as 2 concurrent batches to reduce
 * the SQS calls and corresponding costs. However, this optimization is not available when you enable
 * the maximum concurrency setting." (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html).
 * Each empty receive is a billed request (https://aws.amazon.com/premiumsupport/knowledge-center/sqs-high-charges/)
 * and a long poll waits at most 20 s: 3 a minute per poller, 5 pollers with a maximum concurrency, as
 * few as 2 without (an estimate: AWS publishes no exact idle rate; the queue's NumberOfEmptyReceives
 * metric shows the real one).
 */
function emptyPollsPerMinute(mapping: CfnResource): number {
  const capped = (mapping.Properties?.ScalingConfig as { MaximumConcurrency?: unknown } | undefined)?.MaximumConcurrency !== undefined;
  return (capped ? 5 : 2) * 3;
}

/**
 * Read units of the notification sweeper's empty runs, from its own code (notify/sweep.ts
 * partitionsToSweep) over an hour of minutes with every shard quiet: each run reads the due marker
 * (one strongly consistent GetItem: 1 unit) and queries each partition it looks at (an empty Query,
 * eventually consistent: 0.5 unit). Before issue 19 item 4 it queried every shard and the legacy
 * partition every minute.
 */
export function idleSweeperReadUnits(): { perRun: number; before: number; queriesPerHour: number } {
  const quiet: DueMarker = Object.fromEntries(Array.from({ length: DUE_SHARDS }, (_, shard) => [shard, { next: NO_ROWS, seq: 1 }]));
  const hour = Array.from({ length: 60 }, (_, minute) => partitionsToSweep(quiet, new Date(Date.UTC(2026, 10, 30, 12, minute))).length);
  const queriesPerHour = hour.reduce((a, b) => a + b, 0);
  return { perRun: 1 + (0.5 * queriesPerHour) / hour.length, before: 0.5 * (DUE_SHARDS + 1), queriesPerHour };
}

export interface IdleCost {
  source: string;
  lines: string[];
  /** List prices, nothing free. */
  total: number;
  /** In an account that runs only this stack: AWS's always-free allowances taken off. */
  ownAccount: number;
}

/** Queries an empty run of a scheduled function makes, where more than one: the recovery sweep reads its three due partitions (stuck bookings, the CRM outbox, changes' follow-ups: booking/recover-stuck.ts). */
const EMPTY_RUN_QUERIES: Record<string, number> = { RecoverySweep: 3 };

export function idleMonthlyCost(): IdleCost {
  const { resources, source } = synthesisedTemplate();
  const all = Object.values(resources);
  const keys = all.filter((r) => r.Type === 'AWS::KMS::Key').length;
  // A metric-math alarm is billed per metric it reads (https://aws.amazon.com/cloudwatch/pricing/).
  const alarmMetricNames = all
    .filter((r) => r.Type === 'AWS::CloudWatch::Alarm')
    .flatMap((r) => {
      const metrics = ((r.Properties?.Metrics as Array<{ MetricStat?: { Metric?: { MetricName?: string } } }> | undefined) ?? []).filter((m) => m.MetricStat);
      return metrics.length > 0 ? metrics.map((m) => String(m.MetricStat?.Metric?.MetricName)) : [String(r.Properties?.MetricName)];
    });
  const alarmMetrics = alarmMetricNames.length;
  const counts = new Map<string, number>();
  for (const name of alarmMetricNames) counts.set(name, (counts.get(name) ?? 0) + 1);
  const byMetric = [...counts]
    .sort((a, b) => b[1] - a[1])
    .map(([name, count]) => `${name} ${count}`)
    .join(', ');
  // An empty run of a schedule: the Scheduler invocation, a ~100 ms Lambda run at its memory, and its
  // reads (the notification sweeper's from its own code: idleSweeperReadUnits; others one query).
  const scheduleRuns = { invocations: 0, gbSeconds: 0, dynamo: 0 };
  const scheduleRows: string[] = [];
  for (const r of all.filter((x) => x.Type === 'AWS::Scheduler::Schedule')) {
    const expression = String(r.Properties?.ScheduleExpression ?? '');
    const spec = schedules.find((s) => s.expression === expression && String(r.Properties?.Description ?? '').startsWith(`${s.name}:`));
    const runs = runsPerMonth(expression);
    const memoryGb = spec ? memoryMbOf(lambdaByName(spec.lambda)) / 1024 : 0.5;
    // MinuteSweeps: the notification sweep's reads and the emergency sweep's one query; the others
    // one empty query (0.5 units) per due partition they read.
    const readUnits = spec?.lambda === 'MinuteSweeps' ? idleSweeperReadUnits().perRun + 0.5 : 0.5 * (EMPTY_RUN_QUERIES[spec?.lambda ?? ''] ?? 1);
    const perRun = PRICE.schedulerInvocation + PRICE.lambdaRequest + memoryGb * 0.1 * PRICE.lambdaGbSecond + readUnits * PRICE.dynamoReadUnit;
    scheduleRuns.invocations += runs;
    scheduleRuns.gbSeconds += runs * memoryGb * 0.1;
    scheduleRuns.dynamo += runs * readUnits * PRICE.dynamoReadUnit;
    scheduleRows.push(`${spec?.name ?? expression} ${usd(runs * perRun)}`);
  }
  const scheduleCost =
    scheduleRuns.invocations * (PRICE.schedulerInvocation + PRICE.lambdaRequest) + scheduleRuns.gbSeconds * PRICE.lambdaGbSecond + scheduleRuns.dynamo;
  const mappings = all.filter((r) => r.Type === 'AWS::Lambda::EventSourceMapping');
  const pollRequests = mappings.reduce((sum, m) => sum + emptyPollsPerMinute(m) * MONTH_MINUTES, 0);
  const capped = mappings.filter((m) => emptyPollsPerMinute(m) === 15).length;
  const pollCost = pollRequests * PRICE.sqsRequest;
  const total = keys * PRICE.kmsKeyMonth + alarmMetrics * PRICE.alarmMetricMonth + scheduleCost + pollCost;
  const ownAccount =
    keys * PRICE.kmsKeyMonth +
    Math.max(0, alarmMetrics - ALWAYS_FREE.alarmMetrics) * PRICE.alarmMetricMonth +
    Math.max(0, scheduleRuns.invocations - ALWAYS_FREE.schedulerInvocations) * PRICE.schedulerInvocation +
    Math.max(0, scheduleRuns.invocations - ALWAYS_FREE.lambdaRequests) * PRICE.lambdaRequest +
    Math.max(0, scheduleRuns.gbSeconds - ALWAYS_FREE.lambdaGbSeconds) * PRICE.lambdaGbSecond +
    scheduleRuns.dynamo +
    Math.max(0, pollRequests - ALWAYS_FREE.sqsRequests) * PRICE.sqsRequest;
  return {
    total,
    ownAccount,
    source,
    lines: [
      `KMS customer keys: ${keys}, ${usd(keys * PRICE.kmsKeyMonth)}`,
      `CloudWatch alarm metrics: ${alarmMetrics} (${byMetric}), ${usd(alarmMetrics * PRICE.alarmMetricMonth)}`,
      `schedules, empty runs: ${usd(scheduleCost)} (${scheduleRows.join(', ')}); the notification sweeper's empty run reads ${idleSweeperReadUnits().perRun.toFixed(2)} units on average (the due marker, and ${idleSweeperReadUnits().queriesPerHour} shard queries an hour), was ${idleSweeperReadUnits().before} (every shard every minute)`,
      `SQS event sources polling empty: ${mappings.length} (${capped} with a maximum concurrency: 5 pollers; ${mappings.length - capped} without: 2), ${(pollRequests / 1e6).toFixed(2)}M requests, ${usd(pollCost)}`,
    ],
  };
}

/** `npm run bench idle`: the idle month alone (no local system). */
export function benchIdle(): void {
  const idle = idleMonthlyCost();
  console.log(`\nIdle month of the synthesised stack (${idle.source}), us-east-1 list prices:`);
  for (const line of idle.lines) console.log(`  ${line}`);
  console.log(`  total ${usd(idle.total)} at list prices; ${usd(idle.ownAccount)} in an account running only this stack (AWS's always-free allowances)`);
  console.log(
    `| idle cost of a deployed stack, per month | ${usd(ISSUE_BASELINE.idleMonth)} | ${usd(idle.total)} (own account ${usd(idle.ownAccount)}) | <= ${usd(TARGET.idleMonth)} |`,
  );
  recordFigure({
    figure: 'idle cost of a deployed stack, per month',
    now: usd(idle.total),
    target: `<= ${usd(TARGET.idleMonth)}`,
    met: idle.total <= TARGET.idleMonth,
  });
}
