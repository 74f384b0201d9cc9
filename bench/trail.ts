/**
 * The trail's states and calls: books a few jobs, waits for their trails, counts the states each
 * entered and prints what they would cost as a Standard workflow ($25 per million state transitions),
 * which the trail was until issue 19; it is Express now (`npm run bench cost` prices both). Then what
 * the trail's functions and the NotifyWorker call per booking (DynamoDB and SQS, counted in every
 * local Lambda), and whether the technician's and dispatch's alerts reach the provider with the
 * notify queue drained and no sweep (issue 19 item 3: NotifyTeam queues them itself), and how long
 * after the booking answer; what one sweeper tick then still finds to do; then the same for the
 * messages other writers make due now (every writer queues them itself): each booking cancelled
 * (the customer's text and the technician's alert) and an emergency's on-call page. Asserts nothing.
 */
import { DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import { listOutbox } from '../functions/notify/store';
import { queues, schedules } from '../functions/registry';
import { sfnClient } from '../functions/shared/workflow-client';
import { trailExecutionName } from '../functions/trail/start';
import { DateTime } from 'luxon';
import { putTechnician, putTenant } from '../functions/tenant/store';
import { DEMO_TENANT_ID, demoTechnicians, demoTenant, ensureApiKey, seedDemoTenant } from '../local/demo';
import { invokeLambda, localAwsCalls, resetLocalAwsCalls } from '../local/lambdas';
import { pollOnce } from '../local/pollers';
import type { LocalSystem } from '../local/runtime';
import { localExecutionArn } from '../local/stepfunctions';
import { scheduledEvent } from '../local/ticker';
import { recordFigure } from './common';

const STANDARD_PRICE_PER_TRANSITION = 25 / 1_000_000;
const BOOKINGS = 5;
/** How long the bench drains the notify queue for a booking's team alerts before it says they wait for the sweeper. */
const TEAM_ALERT_WAIT_MS = 5_000;
const TEAM_KINDS = new Set(['technician_job', 'dispatcher_alert']);
const TRAIL_FUNCTIONS = ['AssignTechnician', 'NotifyTeam', 'PrepChecklist', 'MaterialsCheck', 'CloseTrail', 'NotifyWorker'];
const DYNAMO = /^(GetItem|Query|Scan|BatchGetItem|TransactGetItems|PutItem|UpdateItem|DeleteItem|BatchWriteItem|TransactWriteItems)Command$/;
const SQS = /^(SendMessage|SendMessageBatch)Command$/;

function callsOf(name: string, kind: RegExp): number {
  return Object.entries(localAwsCalls().get(name) ?? {})
    .filter(([command]) => kind.test(command))
    .reduce((sum, [, n]) => sum + n, 0);
}

export async function benchTrail(system: LocalSystem): Promise<void> {
  await seedDemoTenant(DEMO_TENANT_ID);
  const apiKey = await ensureApiKey(DEMO_TENANT_ID);
  const notify = queues.find((queue) => queue.name === 'notify')!;
  const sweeper = schedules.find((schedule) => schedule.lambda === 'MinuteSweeps')!;
  const drain = async () => {
    while ((await pollOnce(system.sqs, notify, 0)) > 0);
  };
  const teamAlerts = async (bookingId: string) =>
    (await listOutbox(DEMO_TENANT_ID)).filter((m) => m.bookingId === bookingId && TEAM_KINDS.has(String(m.kind))).length;
  // Earlier work (the seed's, another bench's) is not counted.
  await drain();
  resetLocalAwsCalls();
  const counts: number[] = [];
  const booked: string[] = [];
  const toProvider: number[] = [];
  const confirmations: Array<number | undefined> = [];
  for (let i = 0; i < BOOKINGS; i++) {
    const response = await fetch(`${system.apiUrl}/v1/bookings`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        customer: { name: `Trail Bench ${i}`, phone: `512555${7000 + i}` },
        address: { line1: `${i} Trail St`, city: 'Austin', region: 'TX', postalCode: '78744' },
        jobTypeId: 'plumbing-water-heater-repair',
        channel: 'web',
        attribution: { source: 'bench' },
      }),
    });
    const answeredAt = performance.now();
    const booking = (await response.json()) as { bookingId: string; status: string };
    if (response.status !== 201) continue;
    booked.push(booking.bookingId);
    const executionArn = localExecutionArn('jobTrail', trailExecutionName(booking.bookingId));
    for (let wait = 0; wait < 200; wait++) {
      const execution = await sfnClient()
        .send(new DescribeExecutionCommand({ executionArn }))
        .catch(() => undefined);
      if (execution && execution.status !== 'RUNNING') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const transitions = system.sfn.stateTransitions(executionArn);
    if (transitions !== undefined) counts.push(transitions);
    // The queue's worker alone (no sweep): are the customer's confirmation and both team alerts with
    // the provider, and when after the booking answer?
    let confirmedMs: number | undefined;
    let alertsMs: number | undefined;
    for (;;) {
      await drain();
      const sent = (await listOutbox(DEMO_TENANT_ID)).filter((m) => m.bookingId === booking.bookingId);
      const since = performance.now() - answeredAt;
      if (confirmedMs === undefined && sent.some((m) => m.kind === 'confirmation')) confirmedMs = since;
      if (alertsMs === undefined && sent.filter((m) => TEAM_KINDS.has(String(m.kind))).length >= 2) alertsMs = since;
      if ((confirmedMs !== undefined && alertsMs !== undefined) || since > TEAM_ALERT_WAIT_MS) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    confirmations.push(confirmedMs);
    if (alertsMs !== undefined) toProvider.push(alertsMs);
  }
  const average = counts.reduce((a, b) => a + b, 0) / Math.max(1, counts.length);
  console.log('\nJob trail states (were it Standard)\n');
  console.log(`trail state transitions per booking: ${average.toFixed(1)} (over ${counts.length} trails; every step has work: parts and checklist)`);
  console.log(`Standard transitions per 1,000 bookings: $${(average * 1000 * STANDARD_PRICE_PER_TRANSITION).toFixed(3)}`);

  const n = Math.max(1, booked.length);
  console.log(`\nJob trail and its messages, per booking (${booked.length} bookings; calls counted in each local Lambda)\n`);
  for (const name of TRAIL_FUNCTIONS)
    console.log(`  ${name.padEnd(16)} DynamoDB ${(callsOf(name, DYNAMO) / n).toFixed(1)}, SQS sends ${(callsOf(name, SQS) / n).toFixed(1)}`);
  const sorted = [...toProvider].sort((a, b) => a - b);
  console.log(
    `technician's and dispatch's alerts with the provider, no sweep: ${toProvider.length} of ${booked.length} bookings` +
      (sorted.length
        ? ` (booking answer -> both handed over: median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(0)} ms, max ${sorted.at(-1)!.toFixed(0)} ms)`
        : ''),
  );
  const confirmed = printLatency("the customer's confirmation text", confirmations);
  recordFigure({
    figure: 'confirmation SMS handed to the provider after the booking answer (no sweep)',
    now: confirmed.length
      ? `median ${confirmed[Math.floor(confirmed.length / 2)]!.toFixed(0)} ms, max ${confirmed.at(-1)!.toFixed(0)} ms; ${confirmed.length} of ${confirmations.length}`
      : `none of ${confirmations.length}`,
    target: '< 5 s',
    met: confirmed.length === confirmations.length && confirmed.length > 0 && confirmed.at(-1)! < 5_000,
  });
  // One sweeper tick after them: the safety net's share of these bookings (before: it queued every team alert).
  resetLocalAwsCalls();
  await invokeLambda(sweeper.lambda, scheduledEvent(sweeper));
  await drain();
  let late = 0;
  for (const bookingId of booked) late += await teamAlerts(bookingId);
  const sent = toProvider.length * 2;
  console.log(
    `then one sweeper tick: DynamoDB ${callsOf(sweeper.lambda, DYNAMO)}, SQS sends ${callsOf(sweeper.lambda, SQS)}; team alerts it delivered: ${late - sent} (were waiting for it)`,
  );
  await benchDueNow(system, apiKey, booked, drain);
}

/** How long the bench drains the notify queue for a due-now message before it says it waits for the sweeper (a tick is up to 60 s). */
const DUE_NOW_WAIT_MS = 5_000;

/** Drains the notify queue until the provider has every `kinds` message of the booking; ms after `answeredAt`, or undefined past the wait. */
async function toProviderAfter(
  tenantId: string,
  bookingId: string,
  kinds: string[],
  answeredAt: number,
  drain: () => Promise<void>,
): Promise<number | undefined> {
  for (;;) {
    await drain();
    const sent = new Set((await listOutbox(tenantId)).filter((m) => m.bookingId === bookingId).map((m) => String(m.kind)));
    if (kinds.every((kind) => sent.has(kind))) return performance.now() - answeredAt;
    if (performance.now() - answeredAt > DUE_NOW_WAIT_MS) return undefined;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Prints how many of `times` came within the wait and their median and max; answers those times, sorted. */
function printLatency(what: string, times: Array<number | undefined>): number[] {
  const sorted = times.filter((t) => t !== undefined).sort((a, b) => a - b);
  console.log(
    `${what}, no sweep: ${sorted.length} of ${times.length}` +
      (sorted.length
        ? ` (API answer -> with the provider: median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(0)} ms, max ${sorted.at(-1)!.toFixed(0)} ms)`
        : '') +
      (sorted.length < times.length
        ? `; ${times.length - sorted.length} not within ${DUE_NOW_WAIT_MS / 1000} s (left for the sweeper's tick, up to 60 s)`
        : ''),
  );
  return sorted;
}

/** Other writers' due-now messages (issue 19 item 3): a cancellation's two, and an emergency's on-call page. */
async function benchDueNow(system: LocalSystem, apiKey: string, booked: string[], drain: () => Promise<void>): Promise<void> {
  console.log('\nOther messages due now (each writer queues them itself; the sweeper is the safety net)\n');
  const cancels: Array<number | undefined> = [];
  for (const bookingId of booked) {
    const response = await fetch(`${system.apiUrl}/v1/bookings/${bookingId}/cancel`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'bench' }),
    });
    const answeredAt = performance.now();
    if (response.status !== 200) continue;
    cancels.push(await toProviderAfter(DEMO_TENANT_ID, bookingId, ['cancellation', 'technician_unassigned'], answeredAt, drain));
  }
  printLatency("a cancellation's text and the technician's alert", cancels);

  // An emergency with no honourable window: a company where it is late morning on a day every
  // technician is off, three plumbers on call (as test/integration/emergency.test.ts lays it out).
  const tenantId = `bench-emergency-${Date.now()}`;
  const offset = new Date().getUTCHours() - 11;
  const shift = offset > 12 ? offset - 24 : offset < -14 ? offset + 24 : offset;
  const zone = shift === 0 ? 'Etc/GMT' : shift > 0 ? `Etc/GMT+${shift}` : `Etc/GMT${shift}`;
  const today = DateTime.now().setZone(zone).toISODate()!;
  const range = { from: today, to: DateTime.fromISO(today).plus({ days: 1 }).toISODate()! };
  await seedDemoTenant(tenantId);
  await putTenant({
    ...demoTenant(tenantId),
    timeZone: zone,
    onCallRotation: ['tech-01', 'tech-04', 'tech-08'].map((technicianId) => ({ technicianId, ...range })),
  });
  for (const technician of demoTechnicians) await putTechnician(tenantId, { ...technician, timeOff: [{ from: today, to: today, reason: 'day off' }] });
  const emergencyKey = await ensureApiKey(tenantId);
  const pages: Array<number | undefined> = [];
  for (let i = 0; i < 3; i++) {
    const response = await fetch(`${system.apiUrl}/v1/bookings`, {
      method: 'POST',
      headers: { authorization: `Bearer ${emergencyKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        customer: { name: `Emergency Bench ${i}`, phone: `512555${7100 + i}` },
        address: { line1: `${i} Elm St`, city: 'Austin', region: 'TX', postalCode: '78745' },
        jobTypeId: 'plumbing-burst-pipe',
        channel: 'voice',
        transcript: [{ role: 'customer', text: 'A pipe burst under the sink, water everywhere.' }],
        attribution: { source: 'bench' },
        allowDuplicate: true,
      }),
    });
    const answeredAt = performance.now();
    const booking = (await response.json()) as { bookingId: string; status: string };
    if (response.status !== 201 || booking.status !== 'dispatching') {
      console.log(`  emergency ${i}: ${response.status} ${booking.status} (not paged: skipped)`);
      continue;
    }
    pages.push(await toProviderAfter(tenantId, booking.bookingId, ['oncall_page', 'emergency_dispatching'], answeredAt, drain));
  }
  printLatency("an emergency's on-call page and the customer's 'being dispatched' text", pages);
}
