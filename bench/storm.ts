/**
 * The booking storm (issue 12, item 7): N bookings in flight at once for one window with capacity 10
 * (10 technicians x one window), through the local HTTP API. Prints how the storm ended: confirmed,
 * clean refusals (409), shed requests (429 per tenant, 503 in total), accepted-for-later (202), 5xx,
 * bookings left in a non-final state once the storm settled, review items, and p50/p95 latency.
 * Asserts nothing.
 */
import { ulid } from 'ulid';
import { ensureApiKey, seedDemoTenant } from '../local/demo';
import type { LocalSystem } from '../local/runtime';
import { listBookingRecords } from '../functions/booking/store';
import { reviewKeys } from '../functions/review/store';
import { queryPrefix } from '../functions/shared/dynamo';
import { percentile } from './common';

const LEVELS = (process.env.BENCH_STORM_LEVELS ?? '20,200').split(',').map(Number);
const CAPACITY = 10;
const FINAL = new Set(['confirmed', 'rejected', 'cancelled', 'dismissed']);
const shift = { start: '08:00', end: '17:00' };
const everyDay = { mon: shift, tue: shift, wed: shift, thu: shift, fri: shift, sat: shift, sun: shift };

async function stormTenant(
  apiUrl: string,
): Promise<{ tenantId: string; call: (method: string, path: string, body?: unknown, headers?: Record<string, string>) => Promise<Response> }> {
  const tenantId = `bench-storm-${ulid().toLowerCase().slice(-8)}`;
  await seedDemoTenant(tenantId);
  const apiKey = await ensureApiKey(tenantId);
  const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    fetch(`${apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  for (let t = 0; t < CAPACITY; t++) {
    const put = await call('PUT', `/v1/config/technicians/storm-${t}`, {
      name: `Storm ${t}`,
      trades: ['plumbing'],
      skills: ['storm'],
      postalCodes: ['78999'],
      shifts: everyDay,
    });
    if (put.status !== 200) throw new Error(`technician: ${put.status} ${await put.text()}`);
  }
  const jobType = await call('PUT', '/v1/config/job-types/storm-job', { name: 'Storm job', trade: 'plumbing', requiredSkills: ['storm'] });
  if (jobType.status !== 200) throw new Error(`job type: ${jobType.status} ${await jobType.text()}`);
  return { tenantId, call };
}

/** The storm tenant's bookings (all of them) and how many review items it has. */
async function readStorm(tenantId: string): Promise<{ bookings: Array<{ status: string }>; reviewItems: number; reasons: string[] }> {
  const [bookings, reviewItems] = await Promise.all([
    listBookingRecords(tenantId, { from: '2000-01-01', to: '2100-01-01' }),
    queryPrefix(reviewKeys.partition(tenantId), 'ITEM#'),
  ]);
  return { bookings, reviewItems: reviewItems.length, reasons: reviewItems.map((item) => `${item.kind}: ${String(item.reason).slice(0, 140)}`) };
}

function stormDate(offsetDays: number): string {
  const date = new Date(Date.now() + offsetDays * 86_400_000);
  return date.toISOString().slice(0, 10);
}

export async function benchStorm(system: LocalSystem): Promise<void> {
  console.log(`\nBooking storm: N bookings in flight at once for one window with capacity ${CAPACITY} (local HTTP API)\n`);
  console.log('in flight | confirmed | 201 | 202 | 409 | 429 | 503 | 5xx | other | stuck | review items | p50 ms | p95 ms | wall s');
  // Warm-up: the first invocation of each function starts its instances; the storm is what we measure.
  const warm = await stormTenant(system.apiUrl);
  await (
    await warm.call('POST', '/v1/bookings', {
      customer: { name: 'Warm Up', phone: '5125554999' },
      address: { line1: '1 Storm Rd', city: 'Austin', region: 'TX', postalCode: '78999' },
      jobTypeId: 'storm-job',
      channel: 'voice',
      attribution: { source: 'bench' },
    })
  ).arrayBuffer();
  let day = 3;
  const reasons = new Map<string, number>();
  for (const inFlight of LEVELS) {
    const tenant = await stormTenant(system.apiUrl);
    const window = { date: stormDate(day++), start: '10:00' };
    const statuses: number[] = [];
    const latencies: number[] = [];
    const started = performance.now();
    await Promise.all(
      Array.from({ length: inFlight }, async (_, i) => {
        const t0 = performance.now();
        const response = await tenant.call(
          'POST',
          '/v1/bookings',
          {
            customer: { name: `Storm Caller ${i}`, phone: `512555${String(5000 + i).padStart(4, '0')}` },
            address: { line1: `${i} Storm Rd`, city: 'Austin', region: 'TX', postalCode: '78999' },
            jobTypeId: 'storm-job',
            channel: 'voice',
            // With a source: a booking without one opens a missing_attribution review item of its own.
            attribution: { source: 'bench' },
            window,
          },
          { 'idempotency-key': `storm-${i}` },
        );
        await response.arrayBuffer();
        latencies.push(performance.now() - t0);
        statuses.push(response.status);
      }),
    );
    const wall = (performance.now() - started) / 1000;
    // A 202 booking continues in the background: give the storm up to a minute to settle.
    let records = await readStorm(tenant.tenantId);
    for (let waited = 0; waited < 60_000 && records.bookings.some((b) => !FINAL.has(b.status)); waited += 500) {
      await new Promise((r) => setTimeout(r, 500));
      records = await readStorm(tenant.tenantId);
    }
    for (const reason of records.reasons) reasons.set(`[${inFlight}] ${reason}`, (reasons.get(`[${inFlight}] ${reason}`) ?? 0) + 1);
    latencies.sort((a, b) => a - b);
    const count = (predicate: (s: number) => boolean) => statuses.filter(predicate).length;
    console.log(
      [
        String(inFlight).padStart(9),
        String(records.bookings.filter((b) => b.status === 'confirmed').length).padStart(9),
        String(count((s) => s === 201)).padStart(3),
        String(count((s) => s === 202)).padStart(3),
        String(count((s) => s === 409)).padStart(3),
        String(count((s) => s === 429)).padStart(3),
        String(count((s) => s === 503)).padStart(3),
        String(count((s) => s >= 500 && s !== 503)).padStart(3),
        String(count((s) => ![201, 202, 409, 429, 503].includes(s) && s < 500)).padStart(5),
        String(records.bookings.filter((b) => !FINAL.has(b.status)).length).padStart(5),
        String(records.reviewItems).padStart(12),
        percentile(latencies, 50).toFixed(0).padStart(6),
        percentile(latencies, 95).toFixed(0).padStart(6),
        wall.toFixed(1).padStart(6),
      ].join(' | '),
    );
  }
  if (reasons.size) {
    console.log('\nreview items (kind: reason, count):');
    for (const [reason, count] of reasons) console.log(`  ${count} x ${reason}`);
  }
  console.log('\nconfirmed and stuck (non-final) are read from DynamoDB after the storm settled; 5xx excludes 503 (shed)');
}
