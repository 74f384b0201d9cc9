/**
 * Bookings through the local HTTP API at concurrency 1 and 8 (p50/p95 latency and
 * bookings per second) next to the same number of raw DynamoDB Local writes a booking performs.
 * The ratio is the figure we track. Prints figures; asserts nothing.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../functions/shared/clients';
import { DEMO_TENANT_ID, ensureApiKey, seedDemoTenant } from '../local/demo';
import type { LocalSystem } from '../local/runtime';
import { counts, percentile, runPool } from './common';

const PER_LEVEL = Number(process.env.BENCH_BOOKINGS ?? 48);
const LEVELS = [1, 8];

const postalCodes = ['78701', '78702', '78703', '78704', '78705', '78744', '78745', '78759', '78721', '78722'];
const jobTypes = ['plumbing-drain-clog', 'hvac-ac-repair', 'hvac-maintenance', 'plumbing-leak-repair'];

function bookingBody(i: number) {
  return {
    customer: { name: `Bench Caller ${i}`, phone: `512555${String(1000 + (i % 9000)).padStart(4, '0')}` },
    address: { line1: `${i} Bench St`, city: 'Austin', region: 'TX', postalCode: postalCodes[i % postalCodes.length] },
    jobTypeId: jobTypes[i % jobTypes.length],
    channel: 'voice',
    attribution: { source: 'bench' },
  };
}

export async function benchBookings(system: LocalSystem): Promise<void> {
  await seedDemoTenant(DEMO_TENANT_ID);
  const apiKey = await ensureApiKey(DEMO_TENANT_ID);

  const book = async (i: number) => {
    const response = await fetch(`${system.apiUrl}/v1/bookings`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json', 'idempotency-key': `bench-${i}` },
      body: JSON.stringify(bookingBody(i)),
    });
    if (response.status !== 201) throw new Error(`booking ${i} answered ${response.status}: ${await response.text()}`);
    await response.arrayBuffer();
  };

  // Warm-up: module loading and first-connection costs are not what we measure.
  for (let i = 0; i < 4; i++) await book(100_000 + i);

  console.log(`\nBookings through the local HTTP API (${PER_LEVEL} per level; DynamoDB Local, SQS server, ASL interpreter)\n`);
  console.log('concurrency | p50 ms | p95 ms | bookings/s | writes/booking | reads/booking | raw writes/s | same writes raw ms (p50) | ratio');
  let offset = 0;
  for (const concurrency of LEVELS) {
    const latencies: number[] = [];
    counts.writes = 0;
    counts.reads = 0;
    const ids = Array.from({ length: PER_LEVEL }, (_, i) => offset + i);
    offset += PER_LEVEL;
    const elapsed = await runPool(ids, concurrency, async (i) => {
      const started = performance.now();
      await book(i);
      latencies.push(performance.now() - started);
    });
    const writesPerBooking = counts.writes / PER_LEVEL;
    const readsPerBooking = counts.reads / PER_LEVEL;

    // The same number of raw conditional Puts, in the same concurrency, one "booking's worth" at a time.
    const perBookingWrites = Math.round(writesPerBooking);
    const rawLatencies: number[] = [];
    const rawElapsed = await runPool(ids, concurrency, async (i) => {
      const started = performance.now();
      for (let w = 0; w < perBookingWrites; w++) {
        await documentClient().send(
          new PutCommand({
            TableName: process.env.TABLE_NAME,
            Item: { pk: `T#bench#RAW#${concurrency}#${i}`, sk: `W#${w}`, value: 'x'.repeat(200) },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
      }
      rawLatencies.push(performance.now() - started);
    });

    latencies.sort((a, b) => a - b);
    rawLatencies.sort((a, b) => a - b);
    const p50 = percentile(latencies, 50);
    const rawP50 = percentile(rawLatencies, 50);
    console.log(
      [
        String(concurrency).padStart(11),
        p50.toFixed(0).padStart(6),
        percentile(latencies, 95).toFixed(0).padStart(6),
        ((PER_LEVEL / elapsed) * 1000).toFixed(1).padStart(10),
        writesPerBooking.toFixed(1).padStart(14),
        readsPerBooking.toFixed(1).padStart(13),
        (((PER_LEVEL * perBookingWrites) / rawElapsed) * 1000).toFixed(0).padStart(12),
        rawP50.toFixed(0).padStart(24),
        (p50 / rawP50).toFixed(1).padStart(5),
      ].join(' | '),
    );
  }
  console.log('\nratio = booking p50 / p50 of the same number of raw conditional writes at the same concurrency');
}
