/**
 * Setting one of a tenant's credentials: the secret goes under the name derived from the tenant id and
 * purpose (functions/shared/secrets.ts); the tenant's record says it is set, when and by whom, never
 * its value.
 */
import { ApiError } from '../shared/errors';
import { actorOf, type TenantContext } from '../shared/http';
import { putTenantSecret, type SecretPurpose } from '../shared/secrets';
import { now } from '../shared/time';
import { secretValueOf, type CredentialStatus } from './credentials-schemas';
import { getTenant, recordCredentialSet } from './store';

export async function setCredential(caller: TenantContext, tenantId: string, purpose: SecretPurpose, body: unknown): Promise<CredentialStatus> {
  const tenant = await getTenant(tenantId);
  if (!tenant) throw new ApiError('not_found', 'This account has no configuration yet');
  const { value, provider } = secretValueOf(purpose, body);
  // A CRM credential for another adapter than the one configured would be read as the wrong shape.
  if (purpose === 'crm' && tenant.crm.adapter !== 'builtin' && provider !== tenant.crm.adapter) {
    throw new ApiError('invalid_request', `adapter: this account's CRM is ${tenant.crm.adapter}`, 'adapter');
  }
  await putTenantSecret(tenantId, purpose, value);
  const record = { purpose, updatedAt: now().toISOString(), updatedBy: actorOf(caller), ...(provider ? { provider } : {}) };
  await recordCredentialSet(tenantId, record);
  return record;
}
