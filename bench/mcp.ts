/**
 * The agent's tool path through MCP (issue 20; issue 19's latency target): the SDK client over HTTP
 * against the local system, one call at a time (concurrency 1): check_availability, hold_window and
 * create_booking (committing the hold), p50/p95 of each as the caller's agent waits for it.
 * Prints figures; asserts nothing.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ensureApiKey, seedDemoTenant } from '../local/demo';
import type { LocalSystem } from '../local/runtime';
import { percentile } from './common';

const ROUNDS = Number(process.env.BENCH_MCP ?? 24);
const TENANT = 'bench-mcp';
const postalCodes = ['78701', '78702', '78703', '78704', '78705', '78744', '78745', '78759'];
const jobTypes = ['plumbing-drain-clog', 'hvac-ac-repair', 'hvac-maintenance', 'plumbing-leak-repair'];

export async function benchMcp(system: LocalSystem): Promise<void> {
  await seedDemoTenant(TENANT);
  const apiKey = await ensureApiKey(TENANT);
  const client = new Client({ name: 'jobrelay-bench', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${system.apiUrl}/v1/mcp`), { requestInit: { headers: { authorization: `Bearer ${apiKey}` } } }),
  );
  const latencies: Record<string, number[]> = { check_availability: [], hold_window: [], create_booking: [] };
  const timed = async (name: string, args: Record<string, unknown>, record: boolean) => {
    const started = performance.now();
    const result = await client.callTool({ name, arguments: args });
    if (record) latencies[name]!.push(performance.now() - started);
    if (result.isError) throw new Error(`${name}: ${JSON.stringify(result.content)}`);
    return result.structuredContent as Record<string, any>;
  };
  const round = async (i: number, record: boolean) => {
    const jobTypeId = jobTypes[i % jobTypes.length]!;
    const postalCode = postalCodes[i % postalCodes.length]!;
    await timed('check_availability', { jobTypeId, postalCode }, record);
    const hold = await timed('hold_window', { jobTypeId, postalCode }, record);
    await timed(
      'create_booking',
      {
        customer: { name: `MCP Caller ${i}`, phone: `512556${String(1000 + (i % 9000)).padStart(4, '0')}` },
        address: { line1: `${i} Agent Way`, city: 'Austin', region: 'TX', postalCode },
        jobTypeId,
        holdId: hold.holdId,
        channel: 'voice',
      },
      record,
    );
  };
  try {
    // Warm-up: module loading and first connections are not what we measure.
    for (let i = 0; i < 3; i++) await round(10_000 + i, false);
    for (let i = 0; i < ROUNDS; i++) await round(i, true);
  } finally {
    await client.close();
  }
  console.log(`\nAgent tools through MCP (${ROUNDS} rounds, concurrency 1; SDK client over HTTP, stateless server)\n`);
  console.log('tool               | p50 ms | p95 ms');
  for (const [name, values] of Object.entries(latencies)) {
    const sorted = [...values].sort((a, b) => a - b);
    console.log(`${name.padEnd(18)} | ${percentile(sorted, 50).toFixed(0).padStart(6)} | ${percentile(sorted, 95).toFixed(0).padStart(6)}`);
  }
}
