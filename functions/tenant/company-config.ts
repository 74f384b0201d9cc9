/**
 * The owner's configuration, as the API reads and writes it: company settings (with what still needs
 * setting up), and the technician and job-type catalogues by id.
 */
import { ApiError } from '../shared/errors';
import type * as z from '../shared/zod';
import type { CompanySettingsSchema, JobTypeInputSchema, TechnicianInputSchema } from './config-schemas';
import { setupWarnings } from './setup';
import { deleteCatalogueItem, deleteTechnician, getJobType, getTenant, putJobType, putTechnician, tenantKeys, updateTenantSettings } from './store';

export async function readCompanySettings(tenantId: string) {
  const record = await getTenant(tenantId);
  if (!record) throw new ApiError('not_found', 'This account has no configuration yet');
  const { crm: _crm, ...settings } = record;
  // What still needs setting up before this tenant works in production (empty in the local runtime).
  return { ...settings, warnings: setupWarnings(record) };
}

export async function saveCompanySettings(tenantId: string, body: z.infer<typeof CompanySettingsSchema>) {
  const current = await getTenant(tenantId);
  if (!current) throw new ApiError('not_found', 'This account has no configuration yet');
  // The sync time belongs to the sync, not to the form an owner submits.
  const scheduleSource = { ...body.scheduleSource, lastSyncAt: current.scheduleSource.lastSyncAt };
  await updateTenantSettings(tenantId, { ...body, scheduleSource });
  return { ...body, scheduleSource, tenantId, warnings: setupWarnings(body) };
}

export async function saveTechnician(tenantId: string, id: string, body: z.infer<typeof TechnicianInputSchema>) {
  const technician = { ...body, technicianId: id };
  await putTechnician(tenantId, technician);
  return technician;
}

export async function removeTechnician(tenantId: string, id: string): Promise<void> {
  if (!(await deleteTechnician(tenantId, id))) throw new ApiError('not_found', `No technician ${id}`, 'id');
}

export async function saveJobType(tenantId: string, id: string, body: z.infer<typeof JobTypeInputSchema>) {
  const jobType = { ...body, jobTypeId: id };
  await putJobType(tenantId, jobType);
  return jobType;
}

export async function removeJobType(tenantId: string, id: string): Promise<void> {
  if (!(await getJobType(tenantId, id))) throw new ApiError('not_found', `No job type ${id}`, 'id');
  await deleteCatalogueItem(tenantKeys.jobType(tenantId, id));
}
