/**
 * CRM read sync backfill (issue 17 item 2): BENCH_CRM_CUSTOMERS (10,000) customers seeded in the
 * ServiceTitan contract server (every 10th a member with equipment and an open estimate), read page
 * by page through the same use case the crm-read-sync worker runs (in this process, so the DynamoDB
 * calls are counted). Prints time, customers per second, pages, vendor calls and DynamoDB writes.
 */
import { startCrmReadSync, runCrmReadSyncPage } from '../functions/crm/read-sync';
import { getReadSyncStatus } from '../functions/crm/read-sync-store';
import { putTenant } from '../functions/tenant/store';
import { putTenantSecret } from '../functions/shared/secrets';
import { demoTenant, seedDemoTenant } from '../local/demo';
import type { LocalSystem } from '../local/runtime';
import { ServiceTitanContract } from '../test/contract-servers/servicetitan';
import { counts, resetCounts } from './common';

const TENANT = 'bench-crm-backfill';
const CUSTOMERS = Number(process.env.BENCH_CRM_CUSTOMERS ?? 10_000);

export async function benchCrmBackfill(_system: LocalSystem): Promise<void> {
  const st = await new ServiceTitanContract().start();
  try {
    st.seedCustomers(CUSTOMERS, { memberEvery: 10 });
    await seedDemoTenant(TENANT);
    await putTenant({
      ...demoTenant(TENANT),
      crm: { adapter: 'servicetitan', stTenantId: st.stTenantId, bookingProviderId: st.bookingProviderId, apiUrl: st.url, authUrl: st.url, timeoutMs: 5_000 },
    });
    await putTenantSecret(TENANT, 'crm', JSON.stringify(st.credentials));
    resetCounts();
    const started = performance.now();
    const run = await startCrmReadSync(TENANT, 'backfill', new Date());
    let outcome = 'stored';
    for (let page = 0; outcome === 'stored'; page++) {
      ({ outcome } = await runCrmReadSyncPage({ tenantId: TENANT, runId: run.runId, page }, new Date()));
    }
    const ms = performance.now() - started;
    const status = await getReadSyncStatus(TENANT);
    console.log('\nCRM read sync backfill (ServiceTitan contract server, in-process worker use case)\n');
    console.log(
      `${status?.customers} customers in ${status?.pages} pages, ${(ms / 1000).toFixed(1)} s: ${(((status?.customers ?? 0) / ms) * 1000).toFixed(0)} customers/s (${outcome})`,
    );
    console.log(
      `DynamoDB: ${counts.writes} write calls (${(counts.writes / CUSTOMERS).toFixed(2)} per customer; a TransactWrite of a new customer holds ~5 items), ${counts.reads} reads`,
    );
    console.log(`vendor calls: ${st.requests.length} (${(st.requests.length / Math.max(1, status?.pages ?? 1)).toFixed(1)} per page)`);
  } finally {
    await st.stop();
  }
}
