/**
 * What the job trail's first step reads (issue 19): two requests, where it made five; and the trail's
 * one booking write, CloseTrail's.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type BookingRecord, bookingKeys, bookingUpdate, type TimelineNote } from '../booking/store';
import { type DispatchRecord, emergencyKeys } from '../emergency/store';
import { getItems, sendConditional } from '../shared/dynamo';
import type { JobType, Technician, Tenant } from '../tenant/model';
import { jobTypeFromItem, technicianFromItem, tenantFromItem, tenantKeys } from '../tenant/store';

/** The booking, the tenant's configuration and the booking's emergency dispatch (if any), in one request. */
export async function readTrailSubject(tenantId: string, bookingId: string): Promise<{ booking?: BookingRecord; tenant?: Tenant; dispatch?: DispatchRecord }> {
  const [booking, tenant, dispatch] = await getItems(
    [bookingKeys.booking(tenantId, bookingId), tenantKeys.tenant(tenantId), emergencyKeys.dispatch(tenantId, bookingId)],
    { consistent: true },
  );
  return {
    ...(booking ? { booking: booking as BookingRecord } : {}),
    ...(tenant ? { tenant: tenantFromItem(tenant) } : {}),
    ...(dispatch ? { dispatch: dispatch as DispatchRecord } : {}),
  };
}

/** The job type and the booked technician, in one request. */
export async function readJobAndTechnician(tenantId: string, jobTypeId: string, technicianId: string): Promise<{ jobType?: JobType; technician?: Technician }> {
  const [jobType, technician] = await getItems([tenantKeys.jobType(tenantId, jobTypeId), tenantKeys.technician(tenantId, technicianId)], {
    consistent: true,
  });
  return { ...(jobType ? { jobType: jobTypeFromItem(jobType) } : {}), ...(technician ? { technician: technicianFromItem(technician) } : {}) };
}

/**
 * The trail's one booking write (CloseTrail): the steps' fields, the trail's record and every timeline
 * note in one UpdateItem, on the condition that the booking exists and its trail is not closed yet.
 * False when refused (closed already, or no booking).
 */
export async function closeTrailRecord(
  tenantId: string,
  bookingId: string,
  close: { fields: Partial<Pick<BookingRecord, 'checklist' | 'materials'>>; trail: NonNullable<BookingRecord['trail']>; notes: TimelineNote[]; at: Date },
): Promise<boolean> {
  const update = bookingUpdate(tenantId, bookingId, { ...close.fields, trail: close.trail }, { at: close.at, timeline: close.notes });
  return sendConditional(
    new UpdateCommand({
      ...update,
      ConditionExpression: `${update.ConditionExpression} AND attribute_not_exists(#closedTrail.completedAt)`,
      ExpressionAttributeNames: { ...update.ExpressionAttributeNames, '#closedTrail': 'trail' },
    }),
  );
}
