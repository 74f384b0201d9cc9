/**
 * GET /v1/leads (callers who could not be booked, newest first) and POST /v1/leads/{id}/waitlist
 * (the caller waits for a freed slot of the trade; its callback item is resolved).
 */
import { actorOf, apiRoute, parseWith } from '../shared/http';
import { routeOperations } from '../shared/route-operations';
import { now } from '../shared/time';
import { LeadIdParamsSchema, ListLeadsQuerySchema, WaitlistLeadRequestSchema } from './schemas';
import { listLeads } from './store';
import { toLeadViews } from './view';
import { putLeadOnWaitlist } from './waitlist';

const list = apiRoute({ query: ListLeadsQuerySchema }, async ({ tenant, query }) => {
  const leads = await listLeads(tenant.tenantId, query);
  return { statusCode: 200, body: { items: await toLeadViews(tenant.tenantId, leads) } };
});

const waitlist = apiRoute({ body: WaitlistLeadRequestSchema }, async ({ tenant, body, pathParameters }) => {
  const { id } = parseWith(LeadIdParamsSchema, pathParameters, 'path');
  const lead = await putLeadOnWaitlist(tenant.tenantId, id, actorOf(tenant, body.by), body.note, now());
  const [view] = await toLeadViews(tenant.tenantId, [lead]);
  return { statusCode: 200, body: view };
});

/** The Leads routes (functions/registry.ts), by name. */
export const handler = routeOperations({ listLeads: list, waitlistLead: waitlist });
