/** What the job trail's first step reads (issue 19): two requests, where it made five. */
import type { BookingRecord } from '../booking/store';
import { bookingKeys } from '../booking/store';
import { type DispatchRecord, emergencyKeys } from '../emergency/store';
import { getItems } from '../shared/dynamo';
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
