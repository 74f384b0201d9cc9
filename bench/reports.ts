/**
 * The attribution report: the pure grouping over many bookings, and GET /v1/reports/attribution
 * and GET /v1/bookings?view=upcoming over a tenant with a few thousand bookings (one Query of list
 * rows, then BatchGets of 100). Prints figures, asserts nothing.
 */
import { performance } from 'node:perf_hooks';
import { ulid } from 'ulid';
import type { BookingRecord } from '../functions/booking/store';
import { createBookingRecord } from '../functions/booking/store';
import { attributionReport } from '../functions/reports/attribution';
import type { LocalSystem } from '../local/runtime';
import { ensureApiKey, seedDemoTenant } from '../local/demo';
import { localAwsCalls, resetLocalAwsCalls } from '../local/lambdas';
import { percentile, READ_COMMANDS, runPool } from './common';

/** Every local Lambda's DynamoDB reads since resetLocalAwsCalls. */
const routeReads = () => [...localAwsCalls().values()].reduce((sum, calls) => sum + [...READ_COMMANDS].reduce((n, command) => n + (calls[command] ?? 0), 0), 0);

const SOURCES = ['google_ads', 'lsa', 'facebook', 'website', 'referral', undefined];
const CHANNELS = ['voice', 'chat', 'web', 'csr'] as const;

function syntheticBooking(tenantId: string, i: number, createdAt: Date): BookingRecord {
  const source = SOURCES[i % SOURCES.length];
  const paid = i % 3 === 0;
  return {
    tenantId,
    bookingId: ulid(createdAt.getTime()),
    status: i % 11 === 0 ? 'pending_approval' : 'confirmed',
    jobTypeId: 'plumbing-drain-clog',
    window: { date: createdAt.toISOString().slice(0, 10), start: '10:00', end: '12:00' },
    channel: CHANNELS[i % CHANNELS.length]!,
    ...(source ? { attribution: { source, campaign: `c-${i % 7}` } } : {}),
    // What the booking's list and phone rows are written from (booking/store.ts bookingRecordPuts).
    request: {
      customer: { name: `Report Caller ${i}`, phone: `512555${String(i % 10_000).padStart(4, '0')}` },
      address: { line1: `${i} Report St`, city: 'Austin', region: 'TX', postalCode: '78701', country: 'US' },
    } as BookingRecord['request'],
    createdAt: createdAt.toISOString(),
    updatedAt: createdAt.toISOString(),
    ...(paid
      ? {
          completedAt: createdAt.toISOString(),
          invoicedAt: createdAt.toISOString(),
          invoicedAmountCents: 25_000,
          paidAt: createdAt.toISOString(),
          paidAmountCents: 25_000,
        }
      : {}),
  } as BookingRecord;
}

export async function benchReports(system: LocalSystem): Promise<void> {
  const many = Array.from({ length: 50_000 }, (_, i) => syntheticBooking('bench', i, new Date(Date.now() - (i % 60) * 86_400_000)));
  let start = performance.now();
  const report = attributionReport(many, 'source');
  console.log(`attributionReport: ${(performance.now() - start).toFixed(1)} ms for ${many.length} bookings into ${report.rows.length} groups`);

  const tenantId = `bench-rep-${ulid().toLowerCase().slice(-6)}`;
  await seedDemoTenant(tenantId);
  const apiKey = await ensureApiKey(tenantId);
  const stored = 3_000;
  const writeMs = await runPool(
    Array.from({ length: stored }, (_, i) => i),
    8,
    async (i) => {
      await createBookingRecord(syntheticBooking(tenantId, i, new Date(Date.now() - (i % 30) * 86_400_000 - i)));
    },
  );
  console.log(`wrote ${stored} bookings with their list rows in ${(writeMs / 1000).toFixed(1)} s`);

  for (const path of ['/v1/reports/attribution?groupBy=source', '/v1/bookings?view=upcoming']) {
    const latencies: number[] = [];
    // The route runs in a local Lambda: its reads are counted there (this process's client counts only the bench's own).
    resetLocalAwsCalls();
    for (let i = 0; i < 5; i++) {
      start = performance.now();
      const response = await fetch(`${system.apiUrl}${path}`, { headers: { authorization: `Bearer ${apiKey}` } });
      await response.text();
      latencies.push(performance.now() - start);
    }
    latencies.sort((a, b) => a - b);
    console.log(
      `GET ${path} over ${stored} bookings: p50 ${percentile(latencies, 50).toFixed(0)} ms, max ${latencies.at(-1)!.toFixed(0)} ms; ${(routeReads() / 5).toFixed(0)} DynamoDB reads per call`,
    );
  }
}
