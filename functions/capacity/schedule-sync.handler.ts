/** POST /v1/schedule/sync: the FSM's existing jobs consume capacity like bookings made here (schedule-sync.ts). */
import { apiRoute } from '../shared/http';
import { now } from '../shared/time';
import { ScheduleSyncRequestSchema } from './schemas';
import { syncSchedule } from './schedule-sync';

export const handler = apiRoute({ body: ScheduleSyncRequestSchema }, async ({ tenant, body }) => ({
  statusCode: 200,
  body: await syncSchedule(tenant.tenantId, body, now()),
}));
