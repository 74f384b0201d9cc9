/**
 * The local runtime runs each function as AWS will (issue 13): only the environment variables of its
 * synthesised definition, its timeout, and every SDK call checked against its role's statements.
 * A grant or variable missing in AWS is missing here, so these fail locally first; and the two
 * functions that review found short of grants (RedriveQueue, AssignTechnician's reassignment path)
 * work through the public API with the grants they now have.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ulid } from 'ulid';
import { issueApiKey } from '../../functions/admin/store';
import { getCrmSyncWork } from '../../functions/crm/outbox-store';
import { queues } from '../../functions/registry';
import { invokeLambda } from '../../local/lambdas';
import { pollOnce } from '../../local/pollers';
import type { LocalSqs } from '../../local/sqs';
import { HubSpotContract } from '../contract-servers/hubspot';
import { bookingRequest, callApi, createTestTenant, nextWeekday, setCredential, settledBooking, waitForTrail, type TestTenant } from './helpers';

const hs = new HubSpotContract();
beforeAll(async () => {
  await hs.start();
});
afterAll(() => hs.stop());

/** A tenant on the HubSpot contract server (its token set through the credentials route). */
async function hubSpotTenant(overrides: Parameters<typeof createTestTenant>[0] = {}, timeoutMs = 2_000): Promise<TestTenant> {
  const tenant = await createTestTenant({
    crm: { adapter: 'hubspot', ...hs.settings(timeoutMs) },
    ...overrides,
  });
  await setCredential(tenant, 'crm', { adapter: 'hubspot', accessToken: hs.token });
  return tenant;
}

describe('each function runs locally as it will in AWS', () => {
  it('a call its role does not allow fails with AccessDeniedException naming the action and the resource', async () => {
    const tenant = await createTestTenant();
    const event = {
      'detail-type': 'Step Functions Execution Status Change',
      source: 'aws.states',
      detail: {
        executionArn: `arn:aws:states:us-east-1:000000000000:execution:jobrelay-jobTrail:${ulid()}`,
        status: 'FAILED',
        input: JSON.stringify({ tenantId: tenant.tenantId, bookingId: `b-${ulid()}` }),
      },
    };
    // TrailExecutionFailed writes a review item: with read-only table access, IAM refuses the write.
    const denied = invokeLambda('TrailExecutionFailed', event, { grants: ['table:read'] });
    await expect(denied).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message: expect.stringMatching(
        /is not authorized to perform: dynamodb:(PutItem|UpdateItem) on resource: arn:aws:dynamodb:us-east-1:000000000000:table\/jobrelay because no identity-based policy allows/,
      ),
    });
    // With the grants the registry gives it, the same call goes through.
    await expect(invokeLambda('TrailExecutionFailed', event)).resolves.toEqual({ opened: true });
  });

  it('a variable its definition does not set is missing: the CRM outbox without crmSyncQueue:send', async () => {
    const input = { tenantId: 'no-such-tenant', bookingId: 'no-such-booking', failures: { WriteCrm: { Error: 'CrmUnavailableError', Cause: 'down' } } };
    // RecordReviewItem sends a failed CRM write to the outbox; without the grant there is no queue URL.
    await expect(invokeLambda('RecordReviewItem', input, { grants: ['table:readWrite'] })).rejects.toThrow('Missing environment variable CRM_SYNC_QUEUE_URL');
  });

  it('a handler still running at its timeout fails as Lambda does (Sandbox.Timedout)', async () => {
    // The CRM never answers; WriteCrm gives its calls at least 250 ms (write-crm.handler.ts), so with
    // its timeout narrowed to 0.1 s the handler is always still running when the time is up.
    const tenant = await hubSpotTenant({}, 5_000);
    const booked = await tenant.call('POST', '/v1/bookings', bookingRequest({ window: { date: nextWeekday(2, 3), start: '10:00' } }), {
      'Idempotency-Key': `t-${ulid()}`,
    });
    // 201, or 202 when the workflow outlasts the route's budget on a loaded machine: the booking exists either way.
    expect([201, 202], JSON.stringify(booked.body)).toContain(booked.status);
    hs.startOutage({ timeout: true });
    try {
      const node = invokeLambda('WriteCrm', { tenantId: tenant.tenantId, bookingId: booked.body.bookingId }, { timeoutSeconds: 0.1 });
      // Two clocks race at the deadline, as they do in AWS: middy ends the handler 5 ms early with
      // its own TimeoutError (@middy/core timeoutEarlyInMillis), and the sandbox's timer ends the
      // invocation. On a busy machine either answers first; both are the node out of time.
      const error = await node.then(
        (result) => expect.fail(`WriteCrm answered ${JSON.stringify(result)} after its time was up`),
        (thrown: Error) => thrown,
      );
      if (error.name === 'Sandbox.Timedout') expect(error.message).toBe('Task timed out after 0.10 seconds');
      else expect(error, 'middy early timeout').toMatchObject({ name: 'TimeoutError', message: expect.stringContaining('aborted') });
    } finally {
      hs.recover();
    }
  });
});

describe('functions work with the grants they need (issue 13)', () => {
  it('POST /v1/ops/queues/{queue}/redrive authenticates its key (a table read) and starts the move', async () => {
    const tenant = await createTestTenant();
    const ops = await issueApiKey(tenant.tenantId, { name: 'ops', scopes: ['ops'] });
    const response = await callApi('POST', '/v1/ops/queues/status-events/redrive', { headers: { authorization: `Bearer ${ops.apiKey}` } });
    // 202, or 409 while another test's move task on this DLQ still runs: either way the key was read and checked.
    expect([202, 409], JSON.stringify(response.body)).toContain(response.status);
  });

  /** A booking on a technician who then leaves: the trail's AssignTechnician must move the job. */
  async function bookAndLoseTechnician(tenant: TestTenant) {
    // 201, or 202 and then settled (a loaded machine may outlast the route's budget): booking/budget.ts.
    const booked = {
      body: await settledBooking(tenant, bookingRequest({ window: { date: nextWeekday(3, 3), start: '14:00' } }), {
        'Idempotency-Key': `t-${ulid()}`,
      }),
    };
    expect(booked.body.status).toBe('pending_confirmation');
    const leaving = booked.body.window.technicianId as string;
    const technician = (await tenant.call('GET', '/v1/config/technicians')).body.items.find((t: { technicianId: string }) => t.technicianId === leaving);
    const { technicianId: _id, ...rest } = technician;
    expect((await tenant.call('PUT', `/v1/config/technicians/${leaving}`, { ...rest, active: false })).status).toBe(200);
    return { bookingId: booked.body.bookingId as string, leaving };
  }

  const staleSchedule = { scheduleSource: { mode: 'external' as const, staleAfterMinutes: 60 } };

  it("AssignTechnician's reassignment tells the CRM (it reads the CRM secret)", async () => {
    const tenant = await hubSpotTenant(staleSchedule);
    const { bookingId, leaving } = await bookAndLoseTechnician(tenant);
    const confirmed = await tenant.call('POST', `/v1/bookings/${bookingId}/confirm`);
    expect(confirmed.status, JSON.stringify(confirmed.body)).toBe(200);
    expect(await waitForTrail(bookingId, 60_000)).toBe('SUCCEEDED');
    const booking = (await tenant.call('GET', `/v1/bookings/${bookingId}`)).body;
    expect(booking.window.technicianId).not.toBe(leaving);
    expect(booking.timeline.filter((e: { node: string }) => e.node === 'AssignTechnician').map((e: { outcome: string }) => e.outcome)).toEqual(['reassigned']);
    expect(booking.crm.state).toBe('rescheduled');
  });

  it("AssignTechnician's reassignment falls back to the CRM outbox when the CRM is down (it sends to crm-sync)", async () => {
    // The outbox's first retry after the tenant's shortest allowed backoff (5 s, not the default 30 s):
    // the test waits for the delivery, not for the default schedule.
    const tenant = await hubSpotTenant({ ...staleSchedule, crmSync: { retryForMinutes: 120, backoffBaseSeconds: 5, backoffMaxSeconds: 900 } });
    const { bookingId, leaving } = await bookAndLoseTechnician(tenant);
    hs.startOutage({ status: 503 });
    try {
      const confirmed = await tenant.call('POST', `/v1/bookings/${bookingId}/confirm`);
      expect(confirmed.status, JSON.stringify(confirmed.body)).toBe(200);
      expect(await waitForTrail(bookingId, 60_000)).toBe('SUCCEEDED');
    } finally {
      hs.recover();
    }
    const moved = (await tenant.call('GET', `/v1/bookings/${bookingId}`)).body;
    expect(moved.window.technicianId).not.toBe(leaving);
    // Its first retry is on the tenant's schedule (5 s), not the default 30 s (the inline write's
    // fallback once used the default: this test then waited out 30 s, and on a busy machine longer).
    const work = await getCrmSyncWork(tenant.tenantId, bookingId, 'rescheduled');
    expect(work, 'the outbox row of the reassignment').toBeDefined();
    expect(Date.parse(work!.nextAttemptAt!) - Date.parse(work!.requestedAt)).toBeLessThanOrEqual(5_000);
    // The outbox delivers the change once the CRM is back.
    const sqs = { queueUrl: () => process.env.CRM_SYNC_QUEUE_URL! } as unknown as LocalSqs;
    const crmSync = queues.find((q) => q.name === 'crm-sync')!;
    await expect
      .poll(
        async () => {
          await pollOnce(sqs, crmSync, 1);
          return (await tenant.call('GET', `/v1/bookings/${bookingId}`)).body.crm?.state;
        },
        // The crm-sync queue is shared: other files' writes to CRMs that are down or gone may be ahead of
        // this one (5 per poll, each up to its 5 s adapter timeout). A hang guard, not a speed check.
        { timeout: 180_000, interval: 200 },
      )
      .toBe('rescheduled');
  });
});
