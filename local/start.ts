/**
 * `npm start`: the whole JobRelay system on this machine with the demo company loaded.
 * Data lives under .jobrelay/ (git-ignored) and survives restarts; PORT overrides the API port.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ensurePlatformKey } from '../functions/admin/store';
import { DEMO_TENANT_ID, ensureApiKey, seedDemoTenant } from './demo';
import { startLocalSystem } from './runtime';

const repoRoot = resolve(import.meta.dirname, '..');
const dataDir = join(repoRoot, '.jobrelay');
const demoEnvFile = join(dataDir, 'demo.env');
const secretsFile = join(dataDir, 'secrets.json');

function readDemoKey(name = 'JOBRELAY_API_KEY'): string | undefined {
  if (!existsSync(demoEnvFile)) return undefined;
  return new RegExp(`^${name}=(.+)$`, 'm').exec(readFileSync(demoEnvFile, 'utf8'))?.[1]?.trim();
}

async function main(): Promise<void> {
  mkdirSync(dataDir, { recursive: true });
  if (!existsSync(secretsFile)) writeFileSync(secretsFile, '{}\n', { mode: 0o600 });
  const port = Number(process.env.PORT ?? 3000);
  console.log('Starting JobRelay locally: DynamoDB Local, SQS, Step Functions, HTTP API, schedules...');
  const system = await startLocalSystem({ dataDir, port, host: process.env.HOST ?? '127.0.0.1', secretsFile });

  await seedDemoTenant(DEMO_TENANT_ID);
  const apiKey = await ensureApiKey(DEMO_TENANT_ID, readDemoKey());
  const platformKey = await ensurePlatformKey(readDemoKey('JOBRELAY_PLATFORM_KEY'));
  // The CLI reads this file too: the platform key creates tenants; the DynamoDB lines serve its
  // customer import, which writes the local table directly (no customers API yet).
  const storeEnv = ['AWS_ENDPOINT_URL_DYNAMODB', 'TABLE_NAME', 'AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'].map(
    (name) => `${name}=${system.env[name]}`,
  );
  writeFileSync(
    demoEnvFile,
    [`JOBRELAY_URL=${system.apiUrl}`, `JOBRELAY_API_KEY=${apiKey}`, `JOBRELAY_PLATFORM_KEY=${platformKey}`, ...storeEnv, ''].join('\n'),
    { mode: 0o600 },
  );

  console.log(`
JobRelay is running.
  API:        ${system.apiUrl}/v1   (OpenAPI: ${system.apiUrl}/v1/openapi.json)
  Console:    ${system.apiUrl}/   (sign in with the API key)
  Demo:       Lone Star Plumbing & Air (tenant ${DEMO_TENANT_ID})
  API key:    ${apiKey}
  Saved to:   .jobrelay/demo.env

Book a job:
  curl -s -X POST ${system.apiUrl}/v1/bookings \\
    -H "Authorization: Bearer ${apiKey}" -H "Content-Type: application/json" \\
    -H "Idempotency-Key: demo-$(date +%s)" --data @examples/booking.json

Ctrl-C stops everything.`);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping JobRelay...`);
    await system.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((error) => {
  console.error('JobRelay failed to start:', error);
  process.exit(1);
});
