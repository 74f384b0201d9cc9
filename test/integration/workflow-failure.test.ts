/**
 * A node failure other than the CRM: the Catch path of the real ASL keeps the booking as
 * pending_confirmation and opens a workflow_failed review item. Driven through the Step Functions
 * endpoint with the same SDK call the bookings route makes.
 */
import { StartSyncExecutionCommand } from '@aws-sdk/client-sfn';
import { ulid } from 'ulid';
import { describe, expect, it } from 'vitest';
import { receivedBookingRecord } from '../../functions/booking/received';
import { createBookingRecord, getBookingWithTimeline } from '../../functions/booking/store';
import { listReviewItems } from '../../functions/review/store';
import { sfnClient } from '../../functions/shared/workflow-client';
import { bookingRequest, createTestTenant } from './helpers';

describe('workflow failure', () => {
  it('a node that fails for good sends the booking to review as pending_confirmation', async () => {
    const tenant = await createTestTenant();
    const bookingId = ulid();
    const request = bookingRequest({ jobTypeId: 'retired-job-type' });
    // A job type removed after the request was accepted: CheckCapacity cannot plan it.
    await createBookingRecord(receivedBookingRecord({ tenantId: tenant.tenantId, bookingId, request, at: new Date() }));
    const run = await sfnClient().send(
      new StartSyncExecutionCommand({
        stateMachineArn: process.env.BOOKING_STATE_MACHINE_ARN,
        name: bookingId,
        input: JSON.stringify({ tenantId: tenant.tenantId, bookingId }),
      }),
    );
    expect(run, run.cause).toMatchObject({ status: 'SUCCEEDED' });
    expect(JSON.parse(run.output!)).toEqual({ tenantId: tenant.tenantId, bookingId });

    const booking = await getBookingWithTimeline(tenant.tenantId, bookingId);
    expect(booking).toMatchObject({ status: 'pending_confirmation', statusReason: 'checkcapacity_failed' });
    expect(booking!.timeline!.at(-1)).toMatchObject({ node: 'CheckCapacity', outcome: 'failed' });

    const [item] = await listReviewItems(tenant.tenantId, { limit: 10 });
    expect(item).toMatchObject({ kind: 'workflow_failed', subject: { type: 'booking', id: bookingId } });
    expect(item!.reason).toContain('CheckCapacity failed (InvariantError: Job type retired-job-type does not exist)');
  });

  it('an unknown state machine is reported the way AWS reports it', async () => {
    await expect(
      sfnClient().send(new StartSyncExecutionCommand({ stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:nope', input: '{}' })),
    ).rejects.toMatchObject({ name: 'StateMachineDoesNotExist' });
  });
});
