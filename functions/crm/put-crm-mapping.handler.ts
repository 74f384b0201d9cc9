/**
 * PUT /v1/config/crm-mapping: the tenant's overrides of the one CRM mapping table, validated by the
 * same zod schema as the default (400 naming the field), stored in the tenant's configuration and
 * used by every adapter from the next write on. An empty object restores the default.
 */
import { apiRoute } from '../shared/http';
import { updateTenantSettings } from '../tenant/store';
import { effectiveMapping } from './mapping';
import { CrmMappingRequestSchema } from './schemas';

export const handler = apiRoute({ body: CrmMappingRequestSchema }, async ({ tenant, body }) => {
  await updateTenantSettings(tenant.tenantId, { crmMapping: body });
  return { statusCode: 200, body: { overrides: body, mapping: effectiveMapping(body) } };
});
