/**
 * The CRM outage outbox, end to end: bookings made while the CRM is down are kept (pending_crm_sync)
 * and their writes are outbox rows in DynamoDB (the crm-sync queue only rings the doorbell);
 * CrmSyncWorker retries them on the tenant's schedule (default: 30 s doubling to 15 min, for two
 * hours) and writes each exactly once when the CRM is back; only when the schedule is spent does a
 * person get a crm_write_failed item, whose redrive writes it and resolves the item.
 * The schedule is the one AWS runs: the tests move the injected clock (JOBRELAY_CLOCK_OFFSET_MS in
 * this process, where they call the worker) and ring each doorbell when its row says it is due
 * (`nextAttemptAt`: when SQS would deliver it), never shortening a delay.
 */
import type { SQSEvent } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { queues, queueUrlEnv } from '../../functions/registry';
import { enqueueCrmSync, getCrmSyncWork, type CrmSyncWork } from '../../functions/crm/outbox-store';
import { handler as crmSyncWorker } from '../../functions/crm/sync.handler';
import { pollOnce, sqsRecord } from '../../local/pollers';
import type { LocalSqs } from '../../local/sqs';
import { ServiceTitanContract } from '../contract-servers/servicetitan';
import { bookingRequest, createTestTenant, setCredential, type TestTenant } from './helpers';

const crmSync = queues.find((q) => q.name === 'crm-sync')!;
const sqs = { queueUrl: () => process.env[queueUrlEnv('crm-sync')]! } as unknown as LocalSqs;
const st = new ServiceTitanContract({ clientId: 'cid.outbox', clientSecret: 'cs.outbox-test-only', appKey: 'ak1.outbox' }, '7654321', '77');

beforeAll(async () => {
  await st.start();
});
afterAll(() => st.stop());

async function serviceTitanTenant() {
  const tenant = await createTestTenant({
    crm: { adapter: 'servicetitan', stTenantId: st.stTenantId, bookingProviderId: st.bookingProviderId, apiUrl: st.url, authUrl: st.url, timeoutMs: 1_000 },
  });
  await setCredential(tenant, 'crm', { adapter: 'servicetitan', ...st.credentials });
  return tenant;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs the crm-sync worker (as Lambda's event source mapping would) until `done()` or the deadline:
 * generous, as the queue is shared (file-locks.ts) and a busy machine stretches each write (30 s
 * ran out once in a clean-clone run beside two CPU loops).
 */
async function driveCrmSync(done: () => Promise<boolean>, deadlineMs = 150_000): Promise<void> {
  const until = Date.now() + deadlineMs;
  while (!(await done())) {
    if (Date.now() > until) throw new Error('crm-sync did not settle in time');
    if ((await pollOnce(sqs, crmSync, 0)) === 0) await sleep(200);
  }
}

async function bookingOf(tenant: TestTenant, bookingId: string) {
  return (await tenant.call('GET', `/v1/bookings/${bookingId}`)).body;
}

const createdFor = (bookingId: string) => [...st.bookings.values()].filter((b) => b.externalId === bookingId);

/** Moves this process's clock (the worker runs here) to `at`. */
function setClock(at: number): void {
  process.env.JOBRELAY_CLOCK_OFFSET_MS = String(at - Date.now());
}

/** Rings the doorbell of each row whose next attempt is due at `at` (as SQS delivers a delayed message then). */
async function ringDue(rows: CrmSyncWork[], at: number): Promise<number> {
  const due = rows.filter((row) => row.status === 'pending' && Date.parse(row.nextAttemptAt ?? row.requestedAt) <= at);
  if (!due.length) return 0;
  setClock(at);
  const event: SQSEvent = {
    Records: due.map((row, index) =>
      sqsRecord(
        {
          MessageId: `sim-${at}-${index}`,
          ReceiptHandle: 'sim',
          Body: JSON.stringify({ tenantId: row.tenantId, bookingId: row.bookingId, requestedAt: row.requestedAt }),
          Attributes: { SentTimestamp: String(at), ApproximateFirstReceiveTimestamp: String(at) },
        },
        'jobrelay-crm-sync',
      ),
    ),
  };
  const response = await crmSyncWorker(event);
  expect(response.batchItemFailures).toEqual([]);
  return due.length;
}

const rowsOf = async (tenantId: string, ids: string[]) =>
  (await Promise.all(ids.map((id) => getCrmSyncWork(tenantId, id)))).filter((r): r is CrmSyncWork => Boolean(r));

describe('CRM outage outbox (crm-sync)', () => {
  afterEach(() => {
    delete process.env.JOBRELAY_CLOCK_OFFSET_MS;
  });

  it('a 2-minute outage on the default schedule: every booking kept, written once and confirmed, nobody bothered', { timeout: 600_000 }, async () => {
    const tenant = await serviceTitanTenant();
    st.startOutage({ status: 503 });
    const outageStart = Date.now();
    const bookings: string[] = [];
    for (let batch = 0; batch < 4; batch++) {
      const made = await Promise.all(
        [0, 1, 2, 3, 4].map(async (n) => {
          const i = batch * 5 + n;
          const response = await tenant.call(
            'POST',
            '/v1/bookings',
            bookingRequest({
              customer: { name: `Outage Caller ${i}`, phone: `512555${7100 + i}` },
              address: { line1: `${200 + i} Oak St`, city: 'Austin', region: 'TX', postalCode: '78701' },
            }),
          );
          expect(response.status, JSON.stringify(response.body)).toBe(201);
          expect(response.body).toMatchObject({ status: 'pending_crm_sync', statusReason: 'crm_unreachable' });
          return response.body.bookingId as string;
        }),
      );
      bookings.push(...made);
    }
    // Each write is an outbox row (the record), due after its doorbell's 30 s.
    for (const row of await rowsOf(tenant.tenantId, bookings)) {
      expect(row).toMatchObject({ status: 'pending', firstFailedAt: expect.any(String) });
      expect(Date.parse(row.nextAttemptAt!) - Date.parse(row.requestedAt)).toBe(30_000);
    }
    expect(await rowsOf(tenant.tenantId, bookings)).toHaveLength(20);

    // The clock moves on in 15 s steps; the CRM comes back 2 minutes after the outage began.
    const started = Date.now();
    let at = started;
    let rows = await rowsOf(tenant.tenantId, bookings);
    while (at < started + 15 * 60_000) {
      at = Math.max(at + 15_000, Date.now());
      if (at >= outageStart + 2 * 60_000) st.recover();
      await ringDue(rows, at);
      rows = await rowsOf(tenant.tenantId, bookings);
      // The API is asked only once every row is settled (the delivery that settles a row confirms its
      // booking, crm/run-sync.ts): asked at each of the ~14 steps, 20 bookings each, it was ~280 calls.
      if (!rows.every((row) => row.status === 'done')) continue;
      const all = await Promise.all(bookings.map((id) => bookingOf(tenant, id)));
      if (all.every((b) => b.status === 'confirmed')) break;
    }
    expect(at - started).toBeLessThan(10 * 60_000);
    for (const id of bookings) {
      const booking = await bookingOf(tenant, id);
      expect(createdFor(id)).toHaveLength(1);
      expect(booking).toMatchObject({
        status: 'confirmed',
        statusReason: 'crm_synced_after_outage',
        crm: { adapter: 'servicetitan', externalIds: { serviceTitanBookingId: String(createdFor(id)[0]!.id) } },
      });
      const retries = booking.timeline.filter((e: { node: string; outcome: string }) => e.node === 'CrmSyncWorker' && e.outcome === 'retry_later');
      // Backing off: 30 s after the first failure (WriteCrm's), then 60 s, 120 s...
      expect(retries.map((e: { detail: { retryInSeconds: number } }) => e.detail.retryInSeconds)).toEqual([60, 120, 240].slice(0, retries.length));
      expect(await getCrmSyncWork(tenant.tenantId, id)).toMatchObject({ status: 'done' });
    }
    expect((await tenant.call('GET', '/v1/review-items?kind=crm_write_failed')).body.items).toEqual([]);
    // Nothing left to do, nothing written twice: the old doorbells, when they ring, change nothing.
    await ringDue(
      (await rowsOf(tenant.tenantId, bookings)).map((row) => ({ ...row, status: 'pending' as const })),
      at + 60_000,
    );
    for (const id of bookings) expect(createdFor(id)).toHaveLength(1);
  });

  it("a CRM down past the tenant's schedule: a person hears only at its end; the item's redrive writes it once and resolves it", {
    timeout: 300_000,
  }, async () => {
    const tenant = await serviceTitanTenant();
    st.startOutage({ status: 503 });
    const response = await tenant.call('POST', '/v1/bookings', bookingRequest({ customer: { name: 'Dee Elle Queue', phone: '5125557200' } }));
    expect(response.body.status).toBe('pending_crm_sync');
    const bookingId = response.body.bookingId as string;
    const openItems = async () => (await tenant.call('GET', '/v1/review-items?kind=crm_write_failed&status=open')).body.items as Array<Record<string, any>>;

    // Each attempt when its row says it is due; the item comes when two hours of retries are spent.
    const first = Date.parse((await getCrmSyncWork(tenant.tenantId, bookingId))!.firstFailedAt!);
    let attempts = 0;
    for (let row = await getCrmSyncWork(tenant.tenantId, bookingId); row?.status === 'pending'; row = await getCrmSyncWork(tenant.tenantId, bookingId)) {
      const at = Date.parse(row.nextAttemptAt!);
      if (at - first < 2 * 60 * 60_000) expect(await openItems()).toEqual([]);
      await ringDue([row], at);
      attempts++;
      expect(attempts).toBeLessThan(30);
    }
    expect(attempts).toBeGreaterThanOrEqual(8);
    const [item] = await openItems();
    expect(item).toMatchObject({
      kind: 'crm_write_failed',
      subject: { type: 'booking', id: bookingId },
      payload: { node: 'CrmSyncWorker', error: 'CrmUnavailableError', attempts: attempts + 1 },
    }); // + WriteCrm's own
    expect(item!.reason).toMatch(/^CrmUnavailableError: ServiceTitan .* HTTP 503/);
    expect(await getCrmSyncWork(tenant.tenantId, bookingId)).toMatchObject({ status: 'gave_up' });
    expect((await bookingOf(tenant, bookingId)).status).toBe('pending_crm_sync');
    expect(createdFor(bookingId)).toEqual([]);

    // The CRM is back; a person redrives the item (the review API).
    delete process.env.JOBRELAY_CLOCK_OFFSET_MS;
    st.recover();
    const redriven = await tenant.call('POST', `/v1/review-items/${item!.reviewItemId}/redrive`, { by: 'Dana' });
    expect(redriven.status).toBe(202);
    await driveCrmSync(async () => (await bookingOf(tenant, bookingId)).status === 'confirmed');
    expect(createdFor(bookingId)).toHaveLength(1);
    expect(await openItems()).toEqual([]);
    expect((await tenant.call('GET', `/v1/review-items/${item!.reviewItemId}`)).body).toMatchObject({ status: 'resolved', resolvedBy: 'CrmSyncWorker' });
  });

  it('a queued update of another job state is written even after the booking was synced, once, however often it is delivered', async () => {
    st.recover();
    const tenant = await serviceTitanTenant();
    const response = await tenant.call('POST', '/v1/bookings', bookingRequest({ customer: { name: 'Re Scheduled', phone: '5125557300' } }));
    expect(response.body).toMatchObject({ status: 'confirmed', crm: { state: 'booked' } });
    const bookingId = response.body.bookingId as string;
    const patches = () => st.requestsTo('PATCH', new RegExp(`/bookings/${createdFor(bookingId)[0]!.id}$`)).filter((r) => r.answered === 200).length;

    // The same message delivered twice (at-least-once): one CRM update.
    const message = { tenantId: tenant.tenantId, bookingId, state: 'rescheduled' as const, requestedAt: new Date().toISOString() };
    await enqueueCrmSync(message, 0);
    await enqueueCrmSync(message, 0);
    await driveCrmSync(async () => (await bookingOf(tenant, bookingId)).crm.state === 'rescheduled');
    await sleep(1_500);
    while ((await pollOnce(sqs, crmSync, 0)) > 0);
    expect(patches()).toBe(1);
    expect(createdFor(bookingId)).toHaveLength(1);
  });

  it('a CRM that refuses the write goes to review at once; the review API redrive (after the fix) writes it and resolves the item', async () => {
    st.recover();
    const tenant = await serviceTitanTenant();
    // Credentials refused on the booking call (twice: the adapter retries once with a fresh token).
    st.faultPaths = /bookings$/;
    st.failNext({ status: 401 }, 2);
    const response = await tenant.call('POST', '/v1/bookings', bookingRequest({ customer: { name: 'Ref Used', phone: '5125557400' } }));
    st.faultPaths = undefined;
    // Refused: the slot is kept but the customer is not told "confirmed"; dispatch confirms once it is fixed.
    expect(response.body).toMatchObject({ status: 'pending_confirmation', statusReason: 'crm_rejected' });
    const bookingId = response.body.bookingId as string;
    const [item] = (await tenant.call('GET', '/v1/review-items?kind=crm_write_failed&status=open')).body.items;
    expect(item).toMatchObject({ subject: { id: bookingId }, payload: { error: 'CrmRejectedError' } });
    expect(item.reason).toContain('HTTP 401');

    const redriven = await tenant.call('POST', `/v1/review-items/${item.reviewItemId}/redrive`, { by: 'Dana' });
    expect(redriven.status).toBe(202);
    await driveCrmSync(async () => Boolean((await bookingOf(tenant, bookingId)).crm?.syncedAt));
    expect(createdFor(bookingId)).toHaveLength(1);
    expect((await tenant.call('GET', `/v1/review-items/${item.reviewItemId}`)).body).toMatchObject({ status: 'resolved', resolvedBy: 'CrmSyncWorker' });
    // The CRM has it now: dispatch confirms the booking (and only then is the customer told).
    expect((await tenant.call('POST', `/v1/bookings/${bookingId}/confirm`)).status).toBe(200);
    expect((await bookingOf(tenant, bookingId)).status).toBe('confirmed');
  });
});
