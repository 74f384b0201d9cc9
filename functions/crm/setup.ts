/**
 * Connecting a CRM as an owner does it: choose the adapter and its non-secret settings, set the
 * credentials (the tenant's `crm` secret, through the one credentials path), test them with a
 * harmless authenticated call, and fetch the lists the mapping is picked from. HubSpot's custom
 * properties are created by the test once the token works (a write naming a missing property fails).
 */
import { ApiError, CrmRejectedError, CrmUnavailableError } from '../shared/errors';
import type { TenantContext } from '../shared/http';
import { SecretNotSetError } from '../shared/secrets';
import { setCredential } from '../tenant/credentials';
import type { CrmCredential } from '../tenant/credentials-schemas';
import type { CrmSettings, Tenant } from '../tenant/model';
import { getTenant, listCredentials, updateTenantSettings } from '../tenant/store';
import type { CrmAdapter } from './adapter';
import { crmAdapterFor } from './adapters';
import { type UnavailableWithRetry, withCallBudget } from './adapters/http';
import { effectiveMapping } from './mapping';
import { type CrmConnectionTest, type CrmOptions, emptyOptions } from './setup-schemas';

/** Setup calls answer a person waiting in the console: the whole test or list gets this long. */
export const CRM_SETUP_BUDGET_MS = 15_000;

async function requireTenant(tenantId: string): Promise<Tenant> {
  const tenant = await getTenant(tenantId);
  if (!tenant) throw new ApiError('not_found', 'This account has no configuration yet');
  return tenant;
}

async function credentialSet(tenantId: string, adapter: string): Promise<boolean> {
  if (adapter === 'builtin') return true;
  return (await listCredentials(tenantId)).some((c) => c.purpose === 'crm' && c.provider === adapter);
}

export async function readCrmConfig(tenantId: string) {
  const tenant = await requireTenant(tenantId);
  return { crm: tenant.crm, credentialSet: await credentialSet(tenantId, tenant.crm.adapter) };
}

/** The adapter and its settings; a credential for another adapter stays in the secret but no longer counts as set. */
export async function saveCrmConfig(tenantId: string, crm: CrmSettings) {
  await requireTenant(tenantId);
  await updateTenantSettings(tenantId, { crm });
  return { crm, credentialSet: await credentialSet(tenantId, crm.adapter) };
}

/** The credential for the adapter the account is set to (PUT /v1/config/crm first). Never answered back. */
export async function saveCrmCredentials(caller: TenantContext, tenantId: string, body: CrmCredential) {
  const tenant = await requireTenant(tenantId);
  if (tenant.crm.adapter !== body.adapter) {
    throw new ApiError(
      'invalid_request',
      `adapter: this account's CRM is ${tenant.crm.adapter}; choose ${body.adapter} with PUT /v1/config/crm first`,
      'adapter',
    );
  }
  return setCredential(caller, tenantId, 'crm', body);
}

function failure(adapter: string, error: unknown): CrmConnectionTest {
  const base = { adapter, ok: false, scopes: [], visible: {}, checks: [] };
  if (error instanceof SecretNotSetError) return { ...base, auth: 'not_set', message: 'No CRM credentials yet: PUT /v1/config/crm/credentials' };
  if (error instanceof CrmRejectedError) return { ...base, auth: 'rejected', message: error.message };
  if (error instanceof CrmUnavailableError) {
    const retryAfterSeconds = (error as UnavailableWithRetry).retryAfterSeconds;
    return { ...base, auth: 'unreachable', message: error.message, ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}) };
  }
  throw error;
}

/** The field names the mapping table writes (every state), for CRMs that must know them beforehand. */
function mappedFieldNames(tenant: Tenant): string[] {
  return [...new Set(Object.values(effectiveMapping(tenant.crmMapping)).flatMap((entry) => entry.fields.map((f) => f.crmField)))];
}

/** A harmless authenticated call: reports auth, scopes and the ids the credentials reach; never throws for the CRM's answer. */
export async function testCrmConnection(tenantId: string): Promise<CrmConnectionTest> {
  const tenant = await requireTenant(tenantId);
  const name = tenant.crm.adapter;
  let adapter: CrmAdapter;
  try {
    adapter = await crmAdapterFor(tenant);
  } catch (error) {
    return failure(name, error);
  }
  if (!adapter.testConnection) {
    // The built-in store needs no credentials; a webhook is only heard when a booking is sent.
    const detail = name === 'builtin' ? 'the built-in CRM needs no credentials' : 'nothing to call before the first booking';
    return { adapter: name, ok: true, auth: 'not_needed', scopes: [], visible: {}, checks: [{ name, ok: true, detail }] };
  }
  const test = adapter.testConnection.bind(adapter);
  try {
    return await withCallBudget(CRM_SETUP_BUDGET_MS, async () => {
      const result = await test();
      const createdProperties = adapter.prepareFields ? await adapter.prepareFields(mappedFieldNames(tenant)) : undefined;
      return { adapter: name, ok: true, auth: 'ok' as const, ...result, ...(createdProperties ? { createdProperties } : {}) };
    });
  } catch (error) {
    return failure(name, error);
  }
}

/** The lists the owner picks from. A CRM that refuses is 422 naming why; one that is down is 503 with Retry-After. */
export async function listCrmOptions(tenantId: string): Promise<CrmOptions> {
  const tenant = await requireTenant(tenantId);
  try {
    const adapter = await crmAdapterFor(tenant);
    if (!adapter.listOptions) return emptyOptions(tenant.crm.adapter);
    const list = adapter.listOptions.bind(adapter);
    return await withCallBudget(CRM_SETUP_BUDGET_MS, list);
  } catch (error) {
    if (error instanceof SecretNotSetError) throw new ApiError('unprocessable', 'No CRM credentials yet: PUT /v1/config/crm/credentials', 'credentials');
    if (error instanceof CrmRejectedError) throw new ApiError('unprocessable', error.message, 'credentials');
    if (error instanceof CrmUnavailableError) {
      const retryAfter = (error as UnavailableWithRetry).retryAfterSeconds ?? 30;
      throw new ApiError('service_unavailable', error.message, undefined, undefined, { 'retry-after': String(retryAfter) });
    }
    throw error;
  }
}
