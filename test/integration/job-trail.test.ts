/**
 * The post-booking trail (state-machines/job-trail.asl.json, Express) as the booking workflow starts
 * it: technician kept or moved, technician and dispatch notified with full context, prep checklist,
 * materials; failed steps and failed executions end in the review queue; a second run of a
 * completed trail (Express starts are not deduplicated) does nothing again.
 */
import { DescribeExecutionCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { listOutbox } from '../../functions/notify/store';
import { sweepDueNotifications } from '../../functions/notify/sweep';
import { handler as notifyTeam } from '../../functions/trail/notify-team.handler';
import { sfnClient } from '../../functions/shared/workflow-client';
import { trailExecutionName } from '../../functions/trail/start';
import { localExecutionArn } from '../../local/stepfunctions';
import { bookingRequest, createTestTenant, itemsWithPrefix, nextWeekday, settledBooking, type TestTenant } from './helpers';
import { deliverDue, drain } from './lifecycle-helpers';

const trailArn = (name: string) => localExecutionArn('jobTrail', name);

// A generous deadline (as waitForTrail's): on a loaded 2-core machine a trail can take a while.
async function waitForExecution(executionArn: string, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const execution = await sfnClient()
      .send(new DescribeExecutionCommand({ executionArn }))
      .catch(() => undefined);
    if (execution && execution.status !== 'RUNNING') return execution;
    if (Date.now() > deadline) throw new Error(`${executionArn} did not finish`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function deliverMessages(): Promise<void> {
  await deliverDue();
}

const steps = (timeline: Array<{ node: string; outcome: string }>) =>
  timeline
    .filter((e) => ['AssignTechnician', 'NotifyTechnician', 'NotifyDispatcher', 'PrepChecklist', 'MaterialsCheck', 'CloseTrail'].includes(e.node))
    .map((e) => `${e.node}:${e.outcome}`);

describe('job trail', () => {
  it('every confirmed booking runs its trail: technician and dispatch told with full context, checklist and parts on the job', async () => {
    const tenant = await createTestTenant();
    const address = { line1: '5300 S 1st St', city: 'Austin', region: 'TX', postalCode: '78744' };
    // 201, or 202 and then settled (a loaded machine may outlast the route's budget): booking/budget.ts.
    const booked = {
      body: await settledBooking(
        tenant,
        bookingRequest({ jobTypeId: 'plumbing-water-heater-repair', address, window: { date: nextWeekday(3, 3), start: '08:00' } }),
        {},
      ),
    };
    const execution = await waitForExecution(trailArn(trailExecutionName(booked.body.bookingId)));
    expect(execution.status).toBe('SUCCEEDED');

    const booking = (await tenant.call('GET', `/v1/bookings/${booked.body.bookingId}`)).body;
    expect(steps(booking.timeline)).toEqual([
      'AssignTechnician:kept',
      'NotifyTechnician:queued',
      'NotifyDispatcher:queued',
      'PrepChecklist:created',
      'MaterialsCheck:listed',
      'CloseTrail:closed',
    ]);

    await deliverMessages();
    const outbox = (await tenant.call('GET', `/v1/outbox?bookingId=${booked.body.bookingId}`)).body.messages;
    const toTechnician = outbox.find((m: { kind: string }) => m.kind === 'technician_job');
    expect(toTechnician).toMatchObject({ technicianId: 'tech-03', to: '+15125552003' });
    expect(toTechnician.text).toContain('Access: Gate code 4412');
    expect(toTechnician.text).toContain('Customer said: "My kitchen sink is clogged');
    expect(outbox.find((m: { kind: string }) => m.kind === 'dispatcher_alert')).toMatchObject({ to: '+15125550100' });

    // A second start (Express starts are at-least-once, not deduplicated by name) finds the trail completed: nothing again.
    const again = `${trailExecutionName(booked.body.bookingId)}-again`;
    await sfnClient().send(
      new StartExecutionCommand({
        stateMachineArn: process.env.JOB_TRAIL_STATE_MACHINE_ARN,
        name: again,
        input: JSON.stringify({ tenantId: tenant.tenantId, bookingId: booked.body.bookingId }),
      }),
    );
    expect((await waitForExecution(trailArn(again))).status).toBe('SUCCEEDED');
    const after = (await tenant.call('GET', `/v1/bookings/${booked.body.bookingId}`)).body;
    expect(steps(after.timeline)).toEqual(steps(booking.timeline));
    expect((await tenant.call('GET', '/v1/review-items?kind=workflow_failed')).body.items).toEqual([]);
  });

  it('NotifyTeam queues the technician’s and dispatch’s alerts itself: they reach the provider with no sweep, and a retried NotifyTeam or a sweep after sends nothing twice', async () => {
    const tenant = await createTestTenant();
    const booked = await settledBooking(
      tenant,
      bookingRequest({
        jobTypeId: 'plumbing-water-heater-repair',
        address: { line1: '5300 S 1st St', city: 'Austin', region: 'TX', postalCode: '78744' },
        window: { date: nextWeekday(3, 4), start: '10:00' },
      }),
      {},
    );
    const { bookingId } = booked;
    expect((await waitForExecution(trailArn(trailExecutionName(bookingId)))).status).toBe('SUCCEEDED');
    // The step is retried (its Lambda timed out after queueing, say) before the worker has sent anything.
    await notifyTeam({ tenantId: tenant.tenantId, bookingId }, {} as Context);

    // No sweep: the notify queue's worker alone hands both alerts to the provider, each once.
    await drain('notify');
    const team = async () =>
      (await listOutbox(tenant.tenantId))
        .filter((m) => m.bookingId === bookingId && ['technician_job', 'dispatcher_alert'].includes(String(m.kind)))
        .map((m) => `${m.kind}:${m.to}`)
        .sort();
    expect(await team()).toEqual(['dispatcher_alert:+15125550100', 'technician_job:+15125552003']);
    const rows = (await itemsWithPrefix(`T#${tenant.tenantId}#BOOKING#${bookingId}`)).filter((i) => i.sk.startsWith('NOTIFY#'));
    for (const kind of ['technician_job', 'dispatcher_alert'])
      expect(rows.find((r) => r.kind === kind)).toMatchObject({ status: 'sent', queuedAt: expect.any(String) });

    // The sweeper, the safety net, and another retry find nothing of them to queue again.
    await notifyTeam({ tenantId: tenant.tenantId, bookingId }, {} as Context);
    await sweepDueNotifications(new Date());
    await drain('notify');
    expect(await team()).toEqual(['dispatcher_alert:+15125550100', 'technician_job:+15125552003']);
  }, 300_000);

  it('a trail step that fails does not stop the others and becomes a review item', async () => {
    const tenant = await createTestTenant({ scheduleSource: { mode: 'external', staleAfterMinutes: 60 } });
    // Stale schedule: the booking waits for dispatch, so its trail has not started yet.
    const booked = {
      body: await settledBooking(
        tenant,
        bookingRequest({
          jobTypeId: 'plumbing-water-heater-repair',
          address: { line1: '5300 S 1st St', city: 'Austin', region: 'TX', postalCode: '78744' },
          window: { date: nextWeekday(4, 3), start: '10:00' },
        }),
        {},
      ),
    };
    expect(booked.body.status).toBe('pending_confirmation');
    // Meanwhile the only water-heater technician for 78744 leaves.
    const tech = (await tenant.call('GET', '/v1/config/technicians')).body.items.find((t: { technicianId: string }) => t.technicianId === 'tech-03');
    const { technicianId: _id, ...rest } = tech;
    expect((await tenant.call('PUT', '/v1/config/technicians/tech-03', { ...rest, active: false })).status).toBe(200);

    expect((await tenant.call('POST', `/v1/bookings/${booked.body.bookingId}/confirm`)).status).toBe(200);
    const execution = await waitForExecution(trailArn(trailExecutionName(booked.body.bookingId)));
    expect(execution.status).toBe('SUCCEEDED');
    const booking = (await tenant.call('GET', `/v1/bookings/${booked.body.bookingId}`)).body;
    expect(steps(booking.timeline)).toEqual(
      expect.arrayContaining(['NotifyTechnician:queued', 'NotifyDispatcher:queued', 'PrepChecklist:created', 'CloseTrail:closed_with_failures']),
    );
    const review = (await tenant.call('GET', '/v1/review-items?kind=workflow_failed')).body.items;
    expect(review).toHaveLength(1);
    expect(review[0].reason).toContain('Job trail step AssignTechnician failed (NoQualifiedTechnicianError');
  });

  it('a trail execution that fails outright (CloseTrail itself) reaches the review queue through its ReportTrailFailure state', async () => {
    const tenant: TestTenant = await createTestTenant();
    const name = `trail-missing-${Date.now()}`;
    await sfnClient().send(
      new StartExecutionCommand({
        stateMachineArn: process.env.JOB_TRAIL_STATE_MACHINE_ARN,
        name,
        input: JSON.stringify({ tenantId: tenant.tenantId, bookingId: 'no-such-booking' }),
      }),
    );
    const execution = await waitForExecution(trailArn(name));
    expect(execution.status).toBe('FAILED');
    const deadline = Date.now() + 10_000;
    let items: Array<{ reason: string; subject: { id: string } }> = [];
    while (Date.now() < deadline && !items.length) {
      items = (await tenant.call('GET', '/v1/review-items?kind=workflow_failed')).body.items;
      if (!items.length) await new Promise((r) => setTimeout(r, 100));
    }
    expect(items.map((i) => i.subject.id)).toEqual(['no-such-booking']);
    expect(items[0]!.reason).toContain('The job trail failed (InvariantError');
  });
});
