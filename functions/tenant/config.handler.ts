/**
 * The owner's configuration API: company settings (windows, time zone, hold minutes, limits, the
 * emergency reserve, on-call rotation, schedule source), technicians and job types (company-config.ts).
 * One Lambda; the route name picks the operation.
 */
import { apiRoute, parseWith } from '../shared/http';
import { routeOperations } from '../shared/route-operations';
import { readCompanySettings, removeJobType, removeTechnician, saveCompanySettings, saveJobType, saveTechnician } from './company-config';
import { CatalogueIdParamsSchema, CompanySettingsSchema, JobTypeInputSchema, TechnicianInputSchema } from './config-schemas';
import { listJobTypes, listTechnicians } from './store';

const idOf = (pathParameters: unknown) => parseWith(CatalogueIdParamsSchema, pathParameters, 'path').id;

export const handler = routeOperations({
  getCompanySettings: apiRoute({}, async ({ tenant }) => ({ statusCode: 200, body: await readCompanySettings(tenant.tenantId) })),
  putCompanySettings: apiRoute({ body: CompanySettingsSchema }, async ({ tenant, body }) => ({
    statusCode: 200,
    body: await saveCompanySettings(tenant.tenantId, body),
  })),
  listTechnicians: apiRoute({}, async ({ tenant }) => ({ statusCode: 200, body: { items: await listTechnicians(tenant.tenantId) } })),
  putTechnician: apiRoute({ body: TechnicianInputSchema }, async ({ tenant, body, pathParameters }) => ({
    statusCode: 200,
    body: await saveTechnician(tenant.tenantId, idOf(pathParameters), body),
  })),
  deleteTechnician: apiRoute({}, async ({ tenant, pathParameters }) => {
    await removeTechnician(tenant.tenantId, idOf(pathParameters));
    return { statusCode: 204 };
  }),
  listJobTypes: apiRoute({}, async ({ tenant }) => ({ statusCode: 200, body: { items: await listJobTypes(tenant.tenantId) } })),
  putJobType: apiRoute({ body: JobTypeInputSchema }, async ({ tenant, body, pathParameters }) => ({
    statusCode: 200,
    body: await saveJobType(tenant.tenantId, idOf(pathParameters), body),
  })),
  deleteJobType: apiRoute({}, async ({ tenant, pathParameters }) => {
    await removeJobType(tenant.tenantId, idOf(pathParameters));
    return { statusCode: 204 };
  }),
});
