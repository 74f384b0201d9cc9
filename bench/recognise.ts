/**
 * Customer recognition hot path: the pure address normaliser (every booking and lookup runs it)
 * and POST /v1/customers/lookup through the local API. Prints figures, asserts nothing.
 */
import { performance } from 'node:perf_hooks';
import { normalizeAddress } from '../functions/recognise/address';
import type { LocalSystem } from '../local/runtime';
import { DEMO_TENANT_ID, ensureApiKey, seedDemoTenant } from '../local/demo';
import { percentile } from './common';

export async function benchRecognise(system: LocalSystem): Promise<void> {
  const forms = ['1100 Congress Avenue, Apt. 4B', '1100 congress ave #4b', '200 North Lamar Boulevard Suite 12', '55 Main St.'];
  const runs = 200_000;
  let start = performance.now();
  for (let i = 0; i < runs; i++) normalizeAddress({ line1: forms[i % forms.length]!, postalCode: '78701-1234' });
  const perCallUs = ((performance.now() - start) * 1000) / runs;
  console.log(`normalizeAddress: ${perCallUs.toFixed(2)} µs per address (${runs} runs)`);

  await seedDemoTenant(DEMO_TENANT_ID);
  const apiKey = await ensureApiKey(DEMO_TENANT_ID);
  const lookups = 50;
  const latencies: number[] = [];
  for (let i = 0; i < lookups; i++) {
    start = performance.now();
    await fetch(`${system.apiUrl}/v1/customers/lookup`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        phone: `512555${String(1000 + i)}`,
        address: { line1: forms[i % forms.length], city: 'Austin', region: 'TX', postalCode: '78701' },
      }),
    });
    latencies.push(performance.now() - start);
  }
  latencies.sort((a, b) => a - b);
  console.log(
    `POST /v1/customers/lookup: p50 ${percentile(latencies, 50).toFixed(1)} ms, p95 ${percentile(latencies, 95).toFixed(1)} ms (${lookups} sequential, local)`,
  );
}
