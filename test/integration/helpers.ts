/**
 * Test helpers: a fresh tenant per test file (so files never share capacity), an HTTP client for
 * the public API, and direct reads of DynamoDB Local to assert what was really written.
 */
import { readFileSync } from 'node:fs';
import { BatchGetCommand, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { expect, inject } from 'vitest';
import { ulid } from 'ulid';
import { bookingKeys } from '../../functions/booking/store';
import { capacityKeys, counterEntries, isCounterKey } from '../../functions/capacity/store';
import { customerKeys } from '../../functions/recognise/store';
import { queues, queueUrlEnv, type QueueSpec } from '../../functions/registry';
import { documentClient } from '../../functions/shared/clients';
import { putTenantSecret, type SecretPurpose } from '../../functions/shared/secrets';
import { STAGE_ENV } from '../../functions/shared/stage';
import type { Tenant } from '../../functions/tenant/model';
import { putTenant } from '../../functions/tenant/store';
import { demoTenant, ensureApiKey, seedDemoTenant } from '../../local/demo';
import { pollOnce } from '../../local/pollers';
import type { LocalSqs } from '../../local/sqs';

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export interface TestTenant {
  tenantId: string;
  apiKey: string;
  call<T = any>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<ApiResponse<T>>;
}

export async function callApi<T = any>(
  method: string,
  path: string,
  options: { body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
): Promise<ApiResponse<T>> {
  const response = await fetch(`${inject('apiUrl')}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...options.headers },
    body: options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
  });
  const text = await response.text();
  // JSON answers parsed; anything else (TwiML to Twilio, the console's HTML) as the text it is.
  const isJson = (response.headers.get('content-type') ?? 'application/json').includes('json');
  return { status: response.status, body: text ? (isJson ? JSON.parse(text) : text) : undefined, headers: response.headers };
}

/** A fresh demo company under a new tenant id; `overrides` change its configuration. */
export async function createTestTenant(overrides: Partial<Omit<Tenant, 'tenantId'>> = {}): Promise<TestTenant> {
  const tenantId = `t-${ulid().toLowerCase().slice(-12)}`;
  await seedDemoTenant(tenantId);
  if (Object.keys(overrides).length) await putTenant({ ...demoTenant(tenantId), ...overrides });
  const apiKey = await ensureApiKey(tenantId);
  return {
    tenantId,
    apiKey,
    call: (method, path, body, headers = {}) => callApi(method, path, { body, headers: { authorization: `Bearer ${apiKey}`, ...headers } }),
  };
}

/**
 * Every item whose partition key starts with the prefix. A Scan reads the whole table, which holds
 * every file's tenants by the end of a run (seconds per call on DynamoDB Local, and its CPU is every
 * file's: measured 30-50 s for one filtered Scan of 60,000 items at load 60), so the prefix of one
 * booking's or hold's partition (`T#<tenant>#BOOKING#<id>`, `T#<tenant>#HOLD#<id>`: generated ids of
 * one length, none extends another) or of a tenant's claims (`T#<tenant>#SLOTS`, no key extends it:
 * functions/capacity/store.ts) is read with a consistent Query of that partition instead.
 */
export async function itemsWithPrefix(prefix: string): Promise<Array<Record<string, any>>> {
  if (/^T#[^#]+#((BOOKING|HOLD)#[^#]+|SLOTS)$/.test(prefix)) return partitionItems(prefix);
  const items: Array<Record<string, any>> = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await documentClient().send(
      new ScanCommand({
        TableName: process.env.TABLE_NAME,
        FilterExpression: 'begins_with(pk, :prefix)',
        ExpressionAttributeValues: { ':prefix': prefix },
        ExclusiveStartKey,
      }),
    );
    items.push(...(page.Items ?? []));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return items;
}

/**
 * The items of exactly one partition, with a consistent Query: e.g. the built-in CRM's records
 * (`T#<tenant>#CRM`, functions/crm/adapters/builtin.ts), which `itemsWithPrefix` could only Scan for
 * (other partitions start with it: `#CRMTOKEN`, `#CRMCUSTOMER`, ...).
 */
export async function partitionItems(pk: string): Promise<Array<Record<string, any>>> {
  const items: Array<Record<string, any>> = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await documentClient().send(
      new QueryCommand({
        TableName: process.env.TABLE_NAME,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': pk },
        ConsistentRead: true,
        ExclusiveStartKey,
      }),
    );
    items.push(...(page.Items ?? []));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return items;
}

/**
 * Sets a tenant's credential the way an admin does (PUT /v1/config/credentials/<purpose>), e.g.
 * `setCredential(tenant, 'crm', { adapter: 'hubspot', accessToken })` or
 * `setCredential(tenant, 'job-events/fieldedge', { signingKey })`. The answer never carries the value.
 */
export async function setCredential(tenant: TestTenant, purpose: string, body: Record<string, unknown>): Promise<void> {
  const response = await tenant.call('PUT', `/v1/config/credentials/${purpose}`, body);
  expect(response.status, JSON.stringify(response.body)).toBe(200);
}

/**
 * Writes a tenant's secret straight into the local secrets file, under the name the system derives
 * (functions/shared/secrets.ts, the same writer as the route): for a secret no admin route would
 * accept (e.g. a malformed one).
 */
export async function setLocalSecret(tenantId: string, purpose: SecretPurpose, value: string): Promise<void> {
  await putTenantSecret(tenantId, purpose, value);
}

/**
 * The example booking request. Tests that book it several times in one tenant mean several jobs,
 * so it says `allowDuplicate: true` (one job per need: booking/need.ts); tests of repeats drop it.
 */
export function bookingRequest(overrides: Record<string, unknown> = {}): any {
  const base = JSON.parse(readFileSync(new URL('../../examples/booking.json', import.meta.url), 'utf8'));
  return { ...base, allowDuplicate: true, ...overrides };
}

/**
 * Books `body` through the API and, when the engine chose someone else, moves it to `technicianId`
 * with the reschedule route: how a dispatch test lays out a day with known technicians.
 */
export async function bookOnTechnician(tenant: TestTenant, body: Record<string, unknown>, technicianId?: string): Promise<any> {
  // A loaded machine may answer 202 (the workflow still running): follow it until it settled.
  const booking = await settledBooking(tenant, body, { 'Idempotency-Key': `test-${ulid()}` });
  expect(booking.window, JSON.stringify(booking)).toBeTruthy();
  if (!technicianId || booking.window.technicianId === technicianId) return booking;
  const moved = await tenant.call('POST', `/v1/bookings/${booking.bookingId}/reschedule`, { technicianId, reason: 'test setup' });
  expect(moved.status, JSON.stringify(moved.body)).toBe(200);
  return moved.body;
}

/** Makes the customer a member now (an active membership renewing in 200 days): members may take the member reserve. */
export async function makeMember(tenant: TestTenant, customerId: string): Promise<void> {
  const joined = await tenant.call('PUT', `/v1/customers/${customerId}/memberships/mem-1`, {
    plan: 'Comfort Club',
    priceCents: 19_900,
    renewsOn: new Date(Date.now() + 200 * 86_400_000).toISOString().slice(0, 10),
  });
  expect(joined.status, JSON.stringify(joined.body)).toBe(201);
}

/** A date `days` ahead that falls on the given weekday (1 = Monday), as YYYY-MM-DD in Chicago. */
export function nextWeekday(isoWeekday: number, minDaysAhead = 2): string {
  const date = new Date();
  date.setUTCDate(date.getUTCDate() + minDaysAhead);
  while (((date.getUTCDay() + 6) % 7) + 1 !== isoWeekday) date.setUTCDate(date.getUTCDate() + 1);
  return date.toISOString().slice(0, 10);
}

/**
 * Waits until a booking's job trail (started asynchronously by the booking workflow) has finished,
 * so a test can assert on what the booking alone wrote.
 */
export async function waitForTrail(bookingId: string, timeoutMs = 120_000): Promise<string> {
  const { DescribeExecutionCommand } = await import('@aws-sdk/client-sfn');
  const { sfnClient } = await import('../../functions/shared/workflow-client');
  const { localExecutionArn } = await import('../../local/stepfunctions');
  const executionArn = localExecutionArn('jobTrail', `trail-${bookingId}`);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const execution = await sfnClient()
      .send(new DescribeExecutionCommand({ executionArn }))
      .catch(() => undefined);
    if (execution && execution.status !== 'RUNNING') return execution.status!;
    if (Date.now() > deadline) throw new Error(`The trail of ${bookingId} did not finish`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Message kinds that go to the customer (staff messages from the trail are left out). */
export const CUSTOMER_KINDS = new Set([
  'confirmation',
  'reminder_48h',
  'reminder_day_of',
  'request_received',
  'reschedule_confirmation',
  'technician_changed',
  'cancellation',
  'confirmation_arriving_by',
]);

/**
 * Books through the API and returns the settled booking: the 201's body, or (a 202, the workflow
 * still running) the booking once it has left `received`.
 */
export async function settledBooking(tenant: TestTenant, body: unknown, headers: Record<string, string>): Promise<Record<string, any>> {
  const response = await tenant.call('POST', '/v1/bookings', body, headers);
  if (response.status === 201) return response.body;
  expect(response.status, JSON.stringify(response.body)).toBe(202);
  return bookingOnceSettled(tenant, response.body.bookingId, (booking) => booking.status !== 'received');
}

/** A booking answered 202 (its workflow still running), read until `settled` says it is what the test waits for. */
async function bookingOnceSettled(tenant: TestTenant, bookingId: string, settled: (booking: Record<string, any>) => boolean): Promise<Record<string, any>> {
  let booking: Record<string, any> = {};
  await expect
    .poll(
      async () => {
        booking = (await tenant.call('GET', `/v1/bookings/${bookingId}`)).body;
        return settled(booking);
      },
      { timeout: 120_000, interval: 500 },
    )
    .toBe(true);
  return booking;
}

/**
 * One claim item per window a job holds, for tests that count windows: a job type without minutes
 * claims every minute unit of its window (capacity/store.ts), so its unit 1 stands for the window;
 * a `slot` is a whole-window item from before minute units; a `counter` row (claimRows) is one
 * claim on a technician-window's minute counter.
 */
export function isWindowClaim(c: { kind?: string; index?: number }): boolean {
  return c.kind === 'slot' || c.kind === 'counter' || (c.kind === 'unit' && c.index === 1);
}

/**
 * Claim rows of stored items: a claim item as it is, and each claim on a technician-window's minute
 * counter (read by the store's `counterEntries`) as its own row of kind `counter` with the counter's
 * key, date, start and technician, so a test counts and keys claims the same in every layout.
 */
export function claimRows(items: Array<Record<string, any>>): Array<Record<string, any>> {
  return items.flatMap((item) =>
    typeof item.sk === 'string' && item.sk.startsWith('SLOT#') && isCounterKey(item.sk)
      ? counterEntries(item).map((entry) => ({
          pk: item.pk,
          sk: item.sk,
          type: 'CapacityClaim',
          kind: 'counter',
          tenantId: item.tenantId,
          date: item.date,
          start: item.start,
          technicianId: item.technicianId,
          ...entry,
        }))
      : [item],
  );
}

/** Every capacity claim of a tenant as stored (claimRows of its claim partition). */
export async function storedClaims(tenantId: string): Promise<Array<Record<string, any>>> {
  return claimRows(await itemsWithPrefix(capacityKeys.partition(tenantId)));
}

/** As if deployed: the local runtime's stage setting (JOBRELAY_STAGE) is off for the duration of `fn`. */
export async function inAws<T>(fn: () => Promise<T>): Promise<T> {
  const saved = process.env[STAGE_ENV];
  delete process.env[STAGE_ENV];
  try {
    return await fn();
  } finally {
    if (saved !== undefined) process.env[STAGE_ENV] = saved;
  }
}

/**
 * A company for the route travel model's tests (capacity-route*.test.ts): `technicians` are the only
 * ones of the trade `route-plumbing` (a trade none of the demo company's have), each working every
 * day 08:00-17:00 with skill `drains` (daily limit 12), and a 30-minute job type `drain-30`; `options` change
 * those. The travel model is left as the test sets it (or `options.tenant`).
 */
export async function routePlumbingCompany(
  technicians: Array<{ id: string; name: string; postalCodes: string[] }>,
  options: {
    tenant?: Parameters<typeof createTestTenant>[0];
    shift?: { start: string; end: string };
    dailyJobLimit?: number;
    jobType?: { id: string; name: string; durationMinutes: number };
  } = {},
): Promise<TestTenant> {
  const tenant = await createTestTenant(options.tenant);
  const shift = options.shift ?? { start: '08:00', end: '17:00' };
  const everyDay = { mon: shift, tue: shift, wed: shift, thu: shift, fri: shift, sat: shift, sun: shift };
  for (const { id, name, postalCodes } of technicians) {
    const put = await tenant.call('PUT', `/v1/config/technicians/${id}`, {
      name,
      trades: ['route-plumbing'],
      skills: ['drains'],
      postalCodes,
      shifts: everyDay,
      dailyJobLimit: options.dailyJobLimit ?? 12,
    });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
  }
  const jobType = options.jobType ?? { id: 'drain-30', name: 'drain-30', durationMinutes: 30 };
  const type = await tenant.call('PUT', `/v1/config/job-types/${jobType.id}`, {
    name: jobType.name,
    trade: 'route-plumbing',
    requiredSkills: ['drains'],
    durationMinutes: jobType.durationMinutes,
  });
  expect(type.status, JSON.stringify(type.body)).toBe(200);
  return tenant;
}

/**
 * Drives a queue's worker by hand, as the local event source mapping does, until what `read` returns
 * satisfies `until`; returns that value. Each round takes what the queue has with a long poll of up to
 * 1 s (at once when a message is there; a short poll may return other messages or none, as SQS's
 * does), hands it to the worker, then reads: no round spins on an empty queue while a message waits
 * out its delay or visibility timeout.
 */
export async function driveQueueUntil<T>(queueName: QueueSpec['name'], read: () => Promise<T>, until: (value: T) => boolean, timeoutMs = 120_000): Promise<T> {
  const queue = queues.find((q) => q.name === queueName)!;
  const sqs = { queueUrl: (name: QueueSpec['name']) => process.env[queueUrlEnv(name)]! } as LocalSqs;
  let value!: T;
  await expect
    .poll(
      async () => {
        await pollOnce(sqs, queue, 1);
        value = await read();
        return value;
      },
      { timeout: timeoutMs, interval: 100 },
    )
    .toSatisfy(until);
  return value;
}

/** Drives the crm-read-sync worker until the tenant's sync (GET /v1/crm/sync) is in one of `states`; returns its progress. */
export function readSyncUntil(tenant: TestTenant, states = ['done', 'failed'], timeoutMs = 120_000): Promise<any> {
  return driveQueueUntil(
    'crm-read-sync',
    async () => (await tenant.call('GET', '/v1/crm/sync')).body,
    (status) => states.includes(status.state),
    timeoutMs,
  );
}

/**
 * Every booking of a tenant (its `BOOKING` items), without reading the whole table: the tenant's
 * booking list (`T#<tenant>#BOOKINGS`, one row per booking, written in the same transaction as the
 * booking: booking/store.ts bookingRecordPuts), then the bookings by their keys (`itemsByKeys`).
 * A Scan for `T#<tenant>#BOOKING#` reads every item every file wrote: DynamoDB Local
 * took 2.7 s of its CPU for one Scan of 20,000 items and 24 s for 60,000 (measured 2026-11-30,
 * ~650-byte items), and the serial files run beside tens of thousands.
 */
export async function tenantBookings(tenantId: string): Promise<Array<Record<string, any>>> {
  const ids = [...new Set((await partitionItems(bookingKeys.listPartition(tenantId))).map((row) => row.bookingId as string))];
  return itemsByKeys(ids.map((id) => bookingKeys.booking(tenantId, id)));
}

/** The items at these keys (BatchGet, consistent, 100 keys a call), in no particular order; a key with no item gives none. */
export async function itemsByKeys(keys: Array<{ pk: string; sk: string }>): Promise<Array<Record<string, any>>> {
  const items: Array<Record<string, any>> = [];
  for (let start = 0; start < keys.length; start += 100) {
    let batch: Array<Record<string, unknown>> = keys.slice(start, start + 100);
    // BatchGet may leave part of a batch unread: ask again for what it left.
    while (batch.length) {
      const page = await documentClient().send(new BatchGetCommand({ RequestItems: { [process.env.TABLE_NAME!]: { Keys: batch, ConsistentRead: true } } }));
      items.push(...(page.Responses?.[process.env.TABLE_NAME!] ?? []));
      batch = page.UnprocessedKeys?.[process.env.TABLE_NAME!]?.Keys ?? [];
    }
  }
  return items;
}

/**
 * The customer record that owns a phone (its claim `T#<tenant>#PHONE#<e164>`, then the profile): two
 * key reads, where filtering the tenant's `CUSTOMER#` items by phone Scans the whole table.
 */
export async function customerByPhone(tenantId: string, phoneE164: string): Promise<Record<string, any> | undefined> {
  const [claim] = await itemsByKeys([customerKeys.phoneClaim(tenantId, phoneE164)]);
  return claim ? (await itemsByKeys([customerKeys.customer(tenantId, claim.customerId)]))[0] : undefined;
}

/**
 * A booking request that cannot be booked: 409 with the reason and the lead. On a loaded machine the
 * route may answer 202 (its time budget ran out, the run goes on): then the booking, polled, carries
 * the lead and is rejected.
 */
export async function refusedBooking(
  tenant: TestTenant,
  body: unknown,
): Promise<{ status: number; body: Record<string, any>; leadId: string; booking: Record<string, any> }> {
  const response = await tenant.call('POST', '/v1/bookings', body, { 'Idempotency-Key': `refused-${ulid()}` });
  if (response.status === 409) return { ...response, leadId: response.body.leadId, booking: response.body.booking };
  expect(response.status, JSON.stringify(response.body)).toBe(202);
  const booking = await bookingOnceSettled(tenant, response.body.bookingId, (b) => Boolean(b.leadId));
  expect(booking.status).toBe('rejected');
  return { ...response, leadId: booking.leadId, booking };
}

/**
 * A water heater repair request in 78744, where the demo company has one technician for it (tech-03,
 * Tue-Sat, daily limit 4): four windows a day, so a test can fill a day and see the member reserve.
 */
export function waterHeaterRequest(who: { name: string; phone: string; line1: string }, date: string, start: string, extra: Record<string, unknown> = {}) {
  const base = bookingRequest();
  return {
    ...base,
    jobTypeId: 'plumbing-water-heater-repair',
    customer: { name: who.name, phone: who.phone },
    address: { ...base.address, line1: who.line1, line2: undefined, postalCode: '78744' },
    window: { date, start },
    ...extra,
  };
}

/** POST /v1/dispatch/reassign's body that applies a day plan (POST /v1/dispatch/plan's answer) as it was given. */
export function planApplyBody(date: string, plan: Record<string, any>, reason = 'day plan') {
  return {
    date,
    reason,
    planId: plan.planId as string,
    boardVersion: plan.boardVersion as string,
    assignments: plan.changes.map((c: any) => c.to),
    ...(plan.waitlistPlaced?.length ? { waitlist: plan.waitlistPlaced } : {}),
  };
}
