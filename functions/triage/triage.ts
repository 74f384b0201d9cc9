/** Triage with a tenant's rules and job types (the I/O around the pure classifier). */
import { getTenant, listJobTypes } from '../tenant/store';
import { classify, type TriageAnswer } from './classify';
import { DEFAULT_TRIAGE_RULES } from './rules';

export async function triageForTenant(tenantId: string, text: string): Promise<TriageAnswer> {
  const [tenant, jobTypes] = await Promise.all([getTenant(tenantId), listJobTypes(tenantId)]);
  return classify(
    text,
    tenant?.triage ?? DEFAULT_TRIAGE_RULES,
    jobTypes.map((j) => j.jobTypeId),
  );
}
