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
 * Idle, from the synthesised template (cdk.out/JobRelay.template.json when `npm run synth` made it,
 * else synthesised here without bundling): KMS keys, alarm metrics, schedules (Scheduler, Lambda and
 * an empty run's DynamoDB queries) and the SQS event source mappings' empty long polls.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import { memoryMbOf } from '../lib/function-definition';
import { buildApp } from '../lib/app';
import { fromRoot } from '../lib/paths';
import { DUE_SHARDS } from '../functions/notify/store';
import { lambdaByName, queues, schedules } from '../functions/registry';
import { sfnClient } from '../functions/shared/workflow-client';
import { trailExecutionName } from '../functions/trail/start';
import { DEMO_TENANT_ID, ensureApiKey, seedDemoTenant } from '../local/demo';
import { invokeLambda, localAwsCalls, resetLocalAwsCalls } from '../local/lambdas';
import { pollOnce } from '../local/pollers';
import type { LocalSystem } from '../local/runtime';
import { localExecutionArn } from '../local/stepfunctions';
import { scheduledEvent } from '../local/ticker';

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

const READS = ['GetItemCommand', 'QueryCommand', 'ScanCommand', 'BatchGetItemCommand', 'TransactGetItemsCommand'];
const WRITES = ['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand', 'BatchWriteItemCommand'];
const SQS = ['SendMessageCommand', 'SendMessageBatchCommand', 'ReceiveMessageCommand', 'DeleteMessageCommand', 'ChangeMessageVisibilityCommand'];
const TRAIL_FUNCTIONS = new Set([
  'AssignTechnician',
  'NotifyTechnician',
  'NotifyDispatcher',
  'PrepChecklist',
  'MaterialsCheck',
  'CloseTrail',
  'TrailExecutionFailed',
]);
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
  const sweeper = schedules.find((s) => s.lambda === 'NotificationSweeper')!;
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
    for (let wait = 0; wait < 600; wait++) {
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
  for (let i = 997; i < 1_000; i++) await followTrail((await book(i)).bookingId);
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
  const logs = {
    lambdas: (all.units.invocations / n) * LOG_BYTES.perInvocation * logsPerGb,
    booking: BOOKING_STATES * LOG_BYTES.perExpressState * logsPerGb,
    trail: transitions * LOG_BYTES.perExpressState * logsPerGb,
    trailLambdas: (trailPart.units.invocations / n) * LOG_BYTES.perInvocation * logsPerGb,
  };
  const logsPerBooking = logs.lambdas + logs.booking;
  // `shared` is measured over n bookings; the Step Functions figures are per booking.
  // The Standard trail logged at Level ALL too: the same events.
  const before = 1000 * (shared / n + sfn.booking + sfn.trailStandard + logsPerBooking + logs.trail);
  const after = 1000 * (shared / n + sfn.booking + sfn.trailExpress + logsPerBooking + logs.trail);
  const trailOwn = (trailPart.dynamo + trailPart.lambda + trailPart.sqs) / n + logs.trailLambdas;
  const trailBefore = 1000 * (trailOwn + sfn.trailStandard + logs.trail);
  const trailAfter = 1000 * (trailOwn + sfn.trailExpress + logs.trail);

  console.log(
    `\nAWS cost per 1,000 bookings, warm, all-in (${n} bookings, ${trails.length} committed and followed to the end of their trail; us-east-1 list prices)\n`,
  );
  console.log(
    `DynamoDB ${usd((1000 * all.dynamo) / n)} (${(all.units.reads / n).toFixed(1)} read + ${(all.units.writes / n).toFixed(1)} write units per booking, transactions at 2x) | Lambda ${usd((1000 * all.lambda) / n)} (${(all.units.invocations / n).toFixed(1)} invocations per booking, local durations) | SQS ${usd((1000 * all.sqs) / n)}`,
  );
  console.log(
    `Step Functions: booking workflow (Express) ${usd(1000 * sfn.booking)}; job trail as Standard ${usd(1000 * sfn.trailStandard)} (${transitions.toFixed(1)} transitions), as Express ${usd(1000 * sfn.trailExpress)} (${trailMs.toFixed(0)} ms run)`,
  );
  console.log(
    `CloudWatch Logs (estimated): Lambda ${usd(1000 * logs.lambdas)}, booking workflow at Level ALL ${usd(1000 * logs.booking)}, job trail at Level ALL ${usd(1000 * logs.trail)}`,
  );
  console.log(
    `job trail alone (its Lambdas, DynamoDB, SQS and Step Functions): Standard ${usd(trailBefore)}, Express ${usd(trailAfter)} = ${((trailAfter / trailBefore) * 100).toFixed(0)}% (target <= ${TARGET.trailShare * 100}%)`,
  );

  const idle = idleMonthlyCost();
  console.log(`\nIdle month of the synthesised stack (${idle.source}): ${idle.lines.join('; ')}`);
  console.log('\n| figure | before (Standard trail) | now (Express trail) | target |');
  console.log('|---|---|---|---|');
  console.log(`| AWS cost per 1,000 bookings, warm, all-in | ${usd(before)} | ${usd(after)} | <= ${usd(TARGET.perThousand)} |`);
  console.log(`| the job trail's part of it | ${usd(trailBefore)} | ${usd(trailAfter)} | <= ${usd(trailBefore * TARGET.trailShare)} |`);
  console.log(`| idle cost of a deployed stack, per month | | ${usd(idle.total)} | <= ${usd(TARGET.idleMonth)} |`);
}

interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
}

function synthesisedTemplate(): { resources: Record<string, CfnResource>; source: string } {
  const file = fromRoot('cdk.out/JobRelay.template.json');
  if (existsSync(file)) return { resources: JSON.parse(readFileSync(file, 'utf8')).Resources, source: 'cdk.out/JobRelay.template.json' };
  const outdir = mkdtempSync(join(tmpdir(), 'jobrelay-cost-'));
  try {
    const { app, stack } = buildApp({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
    const template = app.synth().getStackByName(stack.stackName).template as { Resources: Record<string, CfnResource> };
    return { resources: template.Resources, source: 'synthesised without bundling' };
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

function idleMonthlyCost(): { total: number; lines: string[]; source: string } {
  const { resources, source } = synthesisedTemplate();
  const all = Object.values(resources);
  const keys = all.filter((r) => r.Type === 'AWS::KMS::Key').length;
  const alarmMetrics = all
    .filter((r) => r.Type === 'AWS::CloudWatch::Alarm')
    .reduce(
      (sum, r) => sum + Math.max(1, ((r.Properties?.Metrics as Array<{ MetricStat?: unknown }> | undefined) ?? []).filter((m) => m.MetricStat).length),
      0,
    );
  // An empty run of a schedule: the Scheduler invocation, a ~100 ms Lambda run at its memory, and its
  // index queries (the notification sweeper reads every due shard and the legacy partition; others one).
  let scheduleCost = 0;
  const scheduleRows: string[] = [];
  for (const r of all.filter((x) => x.Type === 'AWS::Scheduler::Schedule')) {
    const expression = String(r.Properties?.ScheduleExpression ?? '');
    const spec = schedules.find((s) => s.expression === expression && String(r.Properties?.Description ?? '').startsWith(`${s.name}:`));
    const runs = runsPerMonth(expression);
    const memoryGb = spec ? memoryMbOf(lambdaByName(spec.lambda)) / 1024 : 0.5;
    const queries = spec?.lambda === 'NotificationSweeper' ? DUE_SHARDS + 1 : 1;
    const perRun = PRICE.schedulerInvocation + PRICE.lambdaRequest + memoryGb * 0.1 * PRICE.lambdaGbSecond + queries * 0.5 * PRICE.dynamoReadUnit;
    scheduleCost += runs * perRun;
    scheduleRows.push(`${spec?.name ?? expression} ${usd(runs * perRun)}`);
  }
  // Lambda polls each SQS event source with at least 5 long polls (20 s) at once, empty or not.
  const mappings = all.filter((r) => r.Type === 'AWS::Lambda::EventSourceMapping').length;
  const pollCost = mappings * 5 * 3 * MONTH_MINUTES * PRICE.sqsRequest;
  const total = keys * PRICE.kmsKeyMonth + alarmMetrics * PRICE.alarmMetricMonth + scheduleCost + pollCost;
  return {
    total,
    source,
    lines: [
      `${keys} KMS key(s) ${usd(keys * PRICE.kmsKeyMonth)}`,
      `${alarmMetrics} alarm metric(s) ${usd(alarmMetrics * PRICE.alarmMetricMonth)}`,
      `schedules ${usd(scheduleCost)} (${scheduleRows.join(', ')})`,
      `${mappings} SQS event source(s) polling empty ${usd(pollCost)}`,
      `total ${usd(total)}`,
    ],
  };
}
