/**
 * CRM read sync backfill (issue 17 item 2): BENCH_CRM_CUSTOMERS (10,000) customers seeded in the
 * ServiceTitan contract server (every 10th a member with equipment and an open estimate), read page
 * by page through the same use case the crm-read-sync worker runs (in this process, so the DynamoDB
 * calls are counted). Prints time, customers per second, pages, vendor calls and DynamoDB writes.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
  // The use case runs in this process: its tenant secret goes to a local secrets file (the bench's
  // local system is started without one, and Secrets Manager is not reachable here).
  process.env.JOBRELAY_LOCAL_SECRETS_FILE ??= join(mkdtempSync(join(tmpdir(), 'bench-crm-')), 'secrets.json');
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
    let waits = 0;
    for (let page = 0; outcome === 'stored' || outcome === 'waiting'; ) {
      ({ outcome } = await runCrmReadSyncPage({ tenantId: TENANT, runId: run.runId, page }, new Date()));
      if (outcome === 'stored') page++;
      if (outcome === 'waiting') {
        // A throttled or slow page waits as the worker would (its message comes back at retryAt).
        waits++;
        const retryAt = Date.parse((await getReadSyncStatus(TENANT))?.retryAt ?? '') || Date.now() + 1_000;
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, retryAt - Date.now())));
      }
      if (outcome === 'stored' && page % 10 === 0) {
        const ms = performance.now() - started;
        console.log(`  ... ${page} pages, ${page * 100} customers, ${(ms / 1000).toFixed(1)} s, ${counts.writes} DynamoDB writes, ${waits} waits`);
      }
    }
    const ms = performance.now() - started;
    const status = await getReadSyncStatus(TENANT);
    console.log('\nCRM read sync backfill (ServiceTitan contract server, in-process worker use case)\n');
    console.log(
      `${status?.customers} customers in ${status?.pages} pages, ${(ms / 1000).toFixed(1)} s: ${(((status?.customers ?? 0) / ms) * 1000).toFixed(0)} customers/s (${outcome})`,
    );
    console.log(
      `DynamoDB: ${counts.writes} write calls (${(counts.writes / Math.max(1, status?.customers ?? 0)).toFixed(2)} per customer; a TransactWrite of a new customer holds ~5 items), ${counts.reads} reads; ${waits} page waits (throttled or slow CRM)`,
    );
    console.log(`vendor calls: ${st.requests.length} (${(st.requests.length / Math.max(1, status?.pages ?? 1)).toFixed(1)} per page)`);
  } finally {
    await st.stop();
  }
}
