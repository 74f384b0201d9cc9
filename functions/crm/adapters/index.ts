/** Picks the tenant's CRM adapter from its configuration; credentials come from the tenant's own `crm` secret. */
import { getTenantSecret } from '../../shared/secrets';
import type { Tenant } from '../../tenant/model';
import type { CrmAdapter } from '../adapter';
import { BuiltinCrmAdapter } from './builtin';
import { HousecallProCrmAdapter } from './housecallpro';
import { HubSpotCrmAdapter } from './hubspot';
import { JobberCrmAdapter, parseJobberSecret } from './jobber';
import { parseServiceTitanSecret, ServiceTitanCrmAdapter } from './servicetitan';
import { WebhookCrmAdapter } from './webhook';

export async function crmAdapterFor(tenant: Pick<Tenant, 'tenantId' | 'crm'>): Promise<CrmAdapter> {
  const settings = tenant.crm;
  const credential = () => getTenantSecret(tenant.tenantId, 'crm');
  switch (settings.adapter) {
    case 'builtin':
      return new BuiltinCrmAdapter();
    case 'webhook':
      return new WebhookCrmAdapter(settings.url, await credential(), settings.timeoutMs);
    case 'servicetitan':
      return new ServiceTitanCrmAdapter(settings, parseServiceTitanSecret(await credential()));
    case 'hubspot':
      return new HubSpotCrmAdapter(settings, await credential());
    case 'housecallpro':
      return new HousecallProCrmAdapter(settings, await credential());
    case 'jobber':
      return new JobberCrmAdapter(tenant.tenantId, settings, parseJobberSecret(await credential()));
  }
}
