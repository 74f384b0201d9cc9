/**
 * A whole local system in a process of its own, so test/integration/crash.test.ts can kill it with
 * SIGKILL (its process group: this process, DynamoDB Local's Java, the Lambda worker threads) and
 * start it again on the same data directory, as `npm start` after a crash does. Prints one JSON line
 * when ready. Arguments: <dataDir> [seed.json] — with a seed, it first creates the tenant (the demo
 * company with the seed's overrides) and prints its API key.
 * Not a test file: started by crash.test.ts with `node --import tsx`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Tenant } from '../../functions/tenant/model';
import { putTenant } from '../../functions/tenant/store';
import { demoTenant, ensureApiKey, seedDemoTenant } from '../../local/demo';
import { startLocalSystem } from '../../local/runtime';
import { CRASH_CHILD_COLD_ENV } from './crash-harness';

const [dataDir, seedFile] = process.argv.slice(2);
if (!dataDir) throw new Error('usage: crash-child.ts <dataDir> [seed.json]');
// Background on (pollers, the recovery sweep at start); the ticker's own ticks are left out. A restart
// that books nothing starts no warm booking path (CRASH_CHILD_COLD, crash-harness.ts).
const system = await startLocalSystem({
  dataDir,
  port: 0,
  background: true,
  tickerIntervalMs: 3_600_000,
  secretsFile: join(dataDir, 'secrets.json'),
  warmSynchronousPath: process.env[CRASH_CHILD_COLD_ENV] !== '1',
});
let apiKey: string | undefined;
if (seedFile) {
  const seed = JSON.parse(readFileSync(seedFile, 'utf8')) as { tenantId: string; overrides: Partial<Tenant> };
  await seedDemoTenant(seed.tenantId);
  await putTenant({ ...demoTenant(seed.tenantId), ...seed.overrides });
  apiKey = await ensureApiKey(seed.tenantId);
}
console.log(JSON.stringify({ ready: true, apiUrl: system.apiUrl, dynamoEndpoint: system.env.AWS_ENDPOINT_URL_DYNAMODB, apiKey }));
