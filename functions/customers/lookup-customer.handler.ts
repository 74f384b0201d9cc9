/**
 * POST /v1/customers/lookup: find the caller by normalised phone (E.164), lowercased email or
 * normalised service address, and return what the company knows about them.
 */
import { apiRoute } from '../shared/http';
import { lookupCustomer } from './lookup';
import { CustomerLookupRequestSchema } from './schemas';

export const handler = apiRoute({ body: CustomerLookupRequestSchema }, async ({ tenant, body }) => ({
  statusCode: 200,
  body: await lookupCustomer(tenant.tenantId, body),
}));
