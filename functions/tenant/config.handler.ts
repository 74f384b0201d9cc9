/**
 * The owner's configuration API: company settings (windows, time zone, hold minutes, limits, the
 * emergency reserve, on-call rotation, schedule source), technicians and job types. Tenant-scoped by
 * key, validated by zod, admin scope required. One Lambda; the route key picks the operation.
 */
import { ApiError } from '../shared/errors';
import { apiRoute, parseWith } from '../shared/http';
import { routeOperations } from '../shared/route-operations';
import { setupWarnings } from './setup';
import { CatalogueIdParamsSchema, CompanySettingsSchema, JobTypeInputSchema, TechnicianInputSchema } from './config-schemas';
import {
  deleteCatalogueItem,
  getJobType,
  getTenant,
  listJobTypes,
  listTechnicians,
  putJobType,
  putTechnician,
  tenantKeys,
  updateTenantSettings,
} from './store';

const getCompany = apiRoute({}, async ({ tenant }) => {
  const record = await getTenant(tenant.tenantId);
  if (!record) throw new ApiError('not_found', 'This account has no configuration yet');
  const { crm: _crm, ...settings } = record;
  // What still needs setting up before this tenant works in production (empty in the local runtime).
  return { statusCode: 200, body: { ...settings, warnings: setupWarnings(record) } };
});

const putCompany = apiRoute({ body: CompanySettingsSchema }, async ({ tenant, body }) => {
  const current = await getTenant(tenant.tenantId);
  if (!current) throw new ApiError('not_found', 'This account has no configuration yet');
  // The sync time belongs to the sync, not to the form an owner submits.
  const scheduleSource = { ...body.scheduleSource, lastSyncAt: current.scheduleSource.lastSyncAt };
  await updateTenantSettings(tenant.tenantId, { ...body, scheduleSource });
  return { statusCode: 200, body: { ...body, scheduleSource, tenantId: tenant.tenantId, warnings: setupWarnings(body) } };
});

const listTechs = apiRoute({}, async ({ tenant }) => {
  return { statusCode: 200, body: { items: await listTechnicians(tenant.tenantId) } };
});

const putTech = apiRoute({ body: TechnicianInputSchema }, async ({ tenant, body, pathParameters }) => {
  const { id } = parseWith(CatalogueIdParamsSchema, pathParameters, 'path');
  const technician = { ...body, technicianId: id };
  await putTechnician(tenant.tenantId, technician);
  return { statusCode: 200, body: technician };
});

const deleteTech = apiRoute({}, async ({ tenant, pathParameters }) => {
  const { id } = parseWith(CatalogueIdParamsSchema, pathParameters, 'path');
  if (!(await deleteCatalogueItem(tenantKeys.technician(tenant.tenantId, id)))) throw new ApiError('not_found', `No technician ${id}`, 'id');
  return { statusCode: 204 };
});

const listTypes = apiRoute({}, async ({ tenant }) => {
  return { statusCode: 200, body: { items: await listJobTypes(tenant.tenantId) } };
});

const putType = apiRoute({ body: JobTypeInputSchema }, async ({ tenant, body, pathParameters }) => {
  const { id } = parseWith(CatalogueIdParamsSchema, pathParameters, 'path');
  const jobType = { ...body, jobTypeId: id };
  await putJobType(tenant.tenantId, jobType);
  return { statusCode: 200, body: jobType };
});

const deleteType = apiRoute({}, async ({ tenant, pathParameters }) => {
  const { id } = parseWith(CatalogueIdParamsSchema, pathParameters, 'path');
  if (!(await getJobType(tenant.tenantId, id))) throw new ApiError('not_found', `No job type ${id}`, 'id');
  await deleteCatalogueItem(tenantKeys.jobType(tenant.tenantId, id));
  return { statusCode: 204 };
});

/** The TenantConfig routes (functions/registry.ts), by name. */
export const handler = routeOperations({
  getCompanySettings: getCompany,
  putCompanySettings: putCompany,
  listTechnicians: listTechs,
  putTechnician: putTech,
  deleteTechnician: deleteTech,
  listJobTypes: listTypes,
  putJobType: putType,
  deleteJobType: deleteType,
});
