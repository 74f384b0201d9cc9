/**
 * Issue 21: a dispatch apply answers without waiting for the CRM. `POST /v1/dispatch/reassign` used
 * to write each moved job to the CRM inline, one after another: with a CRM taking seconds per call
 * (within its budget) a few jobs passed the API's 29 s and the dispatcher got a 503 for a change that
 * had been made. Now each job's CRM update goes through the crm-sync outbox. The CRM here (the
 * signed-webhook contract server) holds every reschedule write it receives until the test releases
 * it: the apply answers 200 while they are held, each job's timeline says the CRM update is queued,
 * and once released the outbox's worker leaves the CRM with every job's new technician. Announcing
 * the same moves again (a recovered apply) plans no message twice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { announceMoves, type Move } from '../../functions/booking/reassign';
import { getBookingRecord, type BookingRecord } from '../../functions/booking/store';
import { getCrmSyncWork } from '../../functions/crm/outbox-store';
import { queues, queueUrlEnv } from '../../functions/registry';
import { getTenant } from '../../functions/tenant/store';
import { pollOnce } from '../../local/pollers';
import type { LocalSqs } from '../../local/sqs';
import type { RecordedRequest } from '../contract-servers/base';
import { WebhookContract } from '../contract-servers/webhook';
import { bookingRequest, bookOnTechnician, createTestTenant, itemsWithPrefix, nextWeekday, setCredential, type TestTenant } from './helpers';

let crm: WebhookContract;
let tenant: TestTenant;
const date = nextWeekday(1, 3); // a Monday: tech-01, tech-02 and tech-06 work, all cover 78701
const crmSync = queues.find((q) => q.name === 'crm-sync')!;
const sqs = { queueUrl: () => process.env[queueUrlEnv('crm-sync')]! } as unknown as LocalSqs;

beforeAll(async () => {
  crm = await new WebhookContract().start();
  // The longest call a tenant may allow: eight jobs written inline one after another, each waiting out
  // its call budget (~5 s measured), could not answer within the API's 29 s.
  tenant = await createTestTenant({
    crm: { adapter: 'webhook', url: `${crm.url}/crm`, timeoutMs: 10_000 },
    crmSync: { retryForMinutes: 120, backoffBaseSeconds: 5, backoffMaxSeconds: 900 },
  });
  await setCredential(tenant, 'crm', { adapter: 'webhook', signingKey: crm.secret });
});

afterAll(() => crm.stop());

/** This tenant's reschedule writes (the idempotency key starts with the tenant id). */
const rescheduleWrite = (request: RecordedRequest) =>
  String(request.headers['idempotency-key'] ?? '').startsWith(`${tenant.tenantId}:`) && request.json?.state === 'rescheduled';

async function book(start: string, phone: string, technicianId: string) {
  const base = bookingRequest();
  return bookOnTechnician(tenant, { ...base, customer: { ...base.customer, phone, email: undefined }, window: { date, start } }, technicianId);
}

const ledgerRows = async (bookingId: string) =>
  (await itemsWithPrefix(`T#${tenant.tenantId}#BOOKING#${bookingId}`)).filter((i) => i.sk.startsWith('NOTIFY#')).map((i) => i.sk as string);

describe('POST /v1/dispatch/reassign with a CRM slower than the API allows', () => {
  it('answers 200 while the CRM holds every write; the outbox then leaves the CRM with each new technician; a re-run plans nothing twice', async () => {
    // 3-job chains at 08:00 and 12:00 and a swap at 10:00: every job changes technician.
    const layout: Array<[string, string, string]> = [
      ['08:00', 'tech-01', 'tech-02'],
      ['08:00', 'tech-02', 'tech-06'],
      ['08:00', 'tech-06', 'tech-01'],
      ['10:00', 'tech-01', 'tech-06'],
      ['10:00', 'tech-06', 'tech-01'],
      ['12:00', 'tech-01', 'tech-02'],
      ['12:00', 'tech-02', 'tech-06'],
      ['12:00', 'tech-06', 'tech-01'],
    ];
    const jobs: Array<{ bookingId: string; to: string }> = [];
    for (const [i, [start, from, to]] of layout.entries()) jobs.push({ bookingId: (await book(start, `(512) 555-02${10 + i}`, from)).bookingId, to });
    const before = await Promise.all(jobs.map(async (j) => (await getBookingRecord(tenant.tenantId, j.bookingId))!));

    // From now on the CRM holds every reschedule write of this tenant until released.
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    crm.failNext({ heldUntil: held }, jobs.length, rescheduleWrite);
    const setupRequests = crm.requests.length;
    // The crm-sync worker runs meanwhile, as Lambda's event source mapping would: its writes reach the held CRM.
    let stopWorker = false;
    const worker = (async () => {
      while (!stopWorker) await pollOnce(sqs, crmSync, 1);
    })();
    try {
      await applyWhileHeld();
      await writtenAndAnnouncedOnce();
    } finally {
      release();
      stopWorker = true;
      await worker;
    }

    async function applyWhileHeld() {
      const response = await tenant.call('POST', '/v1/dispatch/reassign', {
        date,
        reason: 'morning re-plan',
        assignments: jobs.map((j) => ({ jobId: j.bookingId, technicianId: j.to })),
      });
      expect(response.status, JSON.stringify(response.body)).toBe(200);
      expect(response.body.outcome).toBe('applied');
      expect(response.body.applied).toHaveLength(jobs.length);
      // The answer came while every write that reached the CRM was still unanswered.
      const seen = crm.requests.slice(setupRequests).filter(rescheduleWrite);
      expect(seen.every((r) => r.answered === 0)).toBe(true);
      for (const job of jobs) {
        const read = (await tenant.call('GET', `/v1/bookings/${job.bookingId}`)).body;
        expect(read.window.technicianId).toBe(job.to);
        // The dispatcher reads that the CRM update is on its way, not that it was made.
        const activity = (await tenant.call('GET', `/v1/bookings/${job.bookingId}/activity`)).body;
        const entry = activity.timeline.find((e: { node: string }) => e.node === 'ReassignTechnicians');
        expect(entry, JSON.stringify(activity.timeline)).toMatchObject({ outcome: 'reassigned' });
        expect(entry.sentence).toMatch(/the CRM update is queued/);
      }
      release();
    }

    async function writtenAndAnnouncedOnce() {
      // Released: the outbox writes each job's new technician to the CRM.
      const written = () =>
        jobs.every((job) =>
          crm.requests
            .slice(setupRequests)
            .some(
              (r) =>
                rescheduleWrite(r) &&
                r.json.bookingId === job.bookingId &&
                r.json.fields?.technician_id === job.to &&
                typeof r.answered === 'number' &&
                r.answered >= 200 &&
                r.answered < 300,
            ),
        );
      await expect.poll(written, { timeout: 150_000, interval: 200 }).toBe(true);
      await expect
        .poll(async () => (await Promise.all(jobs.map(async (j) => (await getBookingRecord(tenant.tenantId, j.bookingId))?.crm?.state))).join(), {
          timeout: 60_000,
          interval: 200,
        })
        .toBe(jobs.map(() => 'rescheduled').join());

      // A recovered apply announces the same moves again: no message is planned twice.
      const rows = await Promise.all(jobs.map((j) => ledgerRows(j.bookingId)));
      const moves = before.map((booking, i) => ({ booking, newHold: { plan: { technicianId: jobs[i]!.to } } }) as unknown as Pick<Move, 'booking' | 'newHold'>);
      await announceMoves((await getTenant(tenant.tenantId))!, moves, 'recovery', 'morning re-plan', new Date());
      expect(await Promise.all(jobs.map((j) => ledgerRows(j.bookingId)))).toEqual(rows);
      for (const [i, job] of jobs.entries()) {
        const after = (await getBookingRecord(tenant.tenantId, job.bookingId)) as BookingRecord;
        expect(after.scheduleVersion).toBe((before[i]!.scheduleVersion ?? 1) + 1);
      }
      // Its queued CRM updates settle too (nothing of this tenant is left in the shared queue).
      await expect
        .poll(async () => (await Promise.all(jobs.map(async (j) => (await getCrmSyncWork(tenant.tenantId, j.bookingId, 'rescheduled'))?.status))).join(), {
          timeout: 120_000,
          interval: 200,
        })
        .toBe(jobs.map(() => 'done').join());
    }
  }, 300_000);
});
