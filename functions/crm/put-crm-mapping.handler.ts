/**
 * PUT /v1/config/crm-mapping: the tenant's overrides of the one CRM mapping table, validated by the
 * same zod schema as the default (400 naming the field), stored in the tenant's configuration and
 * used by every adapter from the next write on. An empty object restores the default table. `ids`
 * (the CRM's job type, campaign, business unit and technician ids, picked from its lists) replaces
 * the stored ids when present and leaves them when absent.
 */
import { apiRoute } from '../shared/http';
import { getTenantPart, updateTenantSettings } from '../tenant/store';
import { CrmMappingOverridesSchema, effectiveMapping } from './mapping';
import { CrmMappingRequestSchema } from './schemas';
import { CrmIdsSchema } from './vendor-ids';

export const handler = apiRoute({ body: CrmMappingRequestSchema }, async ({ tenant, body }) => {
  const { ids, ...states } = body;
  const overrides = CrmMappingOverridesSchema.parse(states);
  await updateTenantSettings(tenant.tenantId, { crmMapping: overrides, ...(ids ? { crmIds: ids } : {}) });
  const stored = ids ?? (await getTenantPart(tenant.tenantId, ['crmIds']))?.crmIds ?? CrmIdsSchema.parse({});
  return { statusCode: 200, body: { overrides, mapping: effectiveMapping(overrides), ids: stored } };
});
