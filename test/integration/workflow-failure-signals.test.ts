/**
 * Issue 19 item 4: a workflow run that does not succeed is signalled by a review item, not an
 * ExecutionsFailed/TimedOut alarm. Both workflows are Express, which send no execution-status events
 * to EventBridge, so: the booking run's synchronous caller (booking/drive.ts) opens a workflow_failed
 * item naming the execution for any end but SUCCEEDED (here a real ASL run that times out: a second
 * local Step Functions endpoint with the machine's 25 s scaled to 1 s, and a CRM that never answers);
 * a job trail that died uncaught leaves its booking's trail unclosed, and the recovery sweep opens the
 * item after TRAIL_DEADLINE_MS.
 */
import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { driveBooking } from '../../functions/booking/drive';
import { sweepRecovery } from '../../functions/booking/recover-stuck';
import { TRAIL_DEADLINE_MS } from '../../functions/booking/recovery';
import { receivedBookingRecord } from '../../functions/booking/received';
import { createBookingRecord, getBookingRecord, getBookingWithTimeline } from '../../functions/booking/store';
import { findOpenReviewItems } from '../../functions/review/store';
import { type LocalStepFunctions, localStateMachineArn, startStepFunctions } from '../../local/stepfunctions';
import { bookingRequest, createTestTenant, setCredential } from './helpers';

async function receivedBooking(tenantId: string, status: 'received' | 'confirmed'): Promise<string> {
  const bookingId = ulid();
  const request = bookingRequest();
  const at = new Date();
  await createBookingRecord({ ...receivedBookingRecord({ tenantId, bookingId, request, at }), status });
  return bookingId;
}

describe('a workflow run that does not succeed becomes a review item (no workflow alarms)', () => {
  let sfn: LocalStepFunctions;
  let sharedEndpoint: string | undefined;
  // A CRM that takes every request and never answers: WriteCrm waits for its 2 s time budget.
  const silentCrm: Server = createServer(() => undefined);
  let crmUrl: string;

  beforeAll(async () => {
    await new Promise<void>((resolve) => silentCrm.listen(0, '127.0.0.1', resolve));
    crmUrl = `http://127.0.0.1:${(silentCrm.address() as { port: number }).port}/crm`;
    // The booking machine's 25 s TimeoutSeconds becomes 1 s (ASL timeouts are whole seconds).
    sfn = await startStepFunctions({ retryIntervalMs: 10, timeoutScale: 0.04 });
    sharedEndpoint = process.env.AWS_ENDPOINT_URL_SFN;
    // Before this file's first sfnClient() call (functions/shared/workflow-client.ts keeps one client).
    process.env.AWS_ENDPOINT_URL_SFN = sfn.endpoint;
  });

  afterAll(async () => {
    process.env.AWS_ENDPOINT_URL_SFN = sharedEndpoint;
    await sfn?.stop();
    silentCrm.closeAllConnections();
    await new Promise((resolve) => silentCrm.close(resolve));
  });

  it('a timed-out run opens a workflow_failed review item naming the execution, and the booking waits for a person', async () => {
    const tenant = await createTestTenant({ crm: { adapter: 'webhook', url: crmUrl, timeoutMs: 2_000 } });
    await setCredential(tenant, 'crm', { adapter: 'webhook', signingKey: 'whsec-silent-crm-key' });
    const bookingId = await receivedBooking(tenant.tenantId, 'received');

    const outcome = await driveBooking(tenant.tenantId, bookingId, { resumed: false, by: 'test' });
    expect(outcome.failure).toMatch(/^TIMED_OUT/);

    const executionArn = `${localStateMachineArn('booking').replace(':stateMachine:', ':express:')}:${bookingId}`;
    const items = await findOpenReviewItems(tenant.tenantId, { type: 'booking', id: bookingId }, 'workflow_failed');
    const item = items.find((candidate) => candidate.payload?.by === 'test');
    expect(item, JSON.stringify(items)).toMatchObject({
      kind: 'workflow_failed',
      subject: { type: 'booking', id: bookingId },
      payload: { workflow: 'booking', executionArn, resumed: false },
    });
    expect(item!.reason).toContain('The booking workflow did not finish (TIMED_OUT');
    await expect.poll(async () => (await getBookingWithTimeline(tenant.tenantId, bookingId))?.status, { timeout: 30_000 }).toBe('pending_confirmation');
  });

  it('a confirmed booking whose job trail died uncaught is found by the recovery sweep after the trail deadline: one workflow_failed item, then out of the index', async () => {
    const tenant = await createTestTenant();
    // Confirmed by its run, whose trail then died without closing (timed out, a runtime error, its
    // failure path failing): nothing on the booking says the trail closed.
    const bookingId = await receivedBooking(tenant.tenantId, 'confirmed');
    expect((await getBookingRecord(tenant.tenantId, bookingId))?.trail?.completedAt).toBeUndefined();
    const minutesFromNow = (n: number) => new Date(Date.now() + n * 60_000);

    // Before the deadline the sweep only looks again later; no item yet.
    expect((await sweepRecovery(minutesFromNow(3), { tenantId: tenant.tenantId })).bookings).toEqual({ later: 1 });
    expect(await findOpenReviewItems(tenant.tenantId, { type: 'booking', id: bookingId }, 'workflow_failed')).toEqual([]);

    const late = minutesFromNow(TRAIL_DEADLINE_MS / 60_000 + 5);
    expect((await sweepRecovery(late, { tenantId: tenant.tenantId })).bookings).toEqual({ trail_unfinished: 1 });
    const items = await findOpenReviewItems(tenant.tenantId, { type: 'booking', id: bookingId }, 'workflow_failed');
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ payload: { workflow: 'job-trail', by: 'RecoverySweep' } });
    expect(items[0]!.reason).toContain('The job trail did not finish');
    const timeline = (await getBookingWithTimeline(tenant.tenantId, bookingId))!.timeline!;
    expect(timeline.map((e) => `${e.node}:${e.outcome}`)).toContain('RecoverySweep:trail_unfinished');
    // Settled: the next sweep does nothing more.
    expect(await sweepRecovery(minutesFromNow(60), { tenantId: tenant.tenantId })).toEqual({ bookings: {}, crmDoorbells: 0, followUps: {} });
  });
});
