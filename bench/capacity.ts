/**
 * Capacity engine figures:
 * - availability for 14 days x 12 technicians x 4 windows: p50/p95 ms and DynamoDB calls per request
 *   (the aim: a small fixed number of Queries, not one per technician-day);
 * - contended holds per second (many callers racing for the same first open windows) against the raw
 *   conditional-write rate of DynamoDB Local measured in the same run.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../functions/shared/clients';
import { ensureApiKey, demoTenant } from '../local/demo';
import { putJobType, putTechnician, putTenant } from '../functions/tenant/store';
import type { LocalSystem } from '../local/runtime';
import { counts, percentile, resetCounts, runPool } from './common';

const TENANT = 'bench-capacity';
const shift = { start: '07:00', end: '18:00' };
const week = { mon: shift, tue: shift, wed: shift, thu: shift, fri: shift, sat: shift, sun: shift };

async function seed(): Promise<string> {
  await putTenant({ ...demoTenant(TENANT), defaultDailyJobLimit: 4 });
  await putJobType(TENANT, { jobTypeId: 'bench-service', name: 'Bench service', trade: 'plumbing', requiredSkills: [], durationWindows: 1, emergency: false });
  for (let i = 1; i <= 12; i++) {
    await putTechnician(TENANT, {
      technicianId: `bench-${String(i).padStart(2, '0')}`,
      name: `Bench ${i}`,
      trades: ['plumbing'],
      skills: [],
      postalCodes: ['78701'],
      shifts: week,
      active: true,
      timeOff: [],
    });
  }
  return ensureApiKey(TENANT);
}

export async function benchCapacity(system: LocalSystem): Promise<void> {
  const apiKey = await seed();
  const headers = { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' };
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${system.apiUrl}${path}`, { method, headers, body: body ? JSON.stringify(body) : undefined });
    return { status: response.status, body: (await response.json()) as { windows: unknown[] } };
  };

  // Contended holds: 240 callers, 8 at a time, each asking for "the first open window".
  const HOLDS = 240;
  const CONCURRENCY = 8;
  resetCounts();
  let won = 0;
  const holdElapsed = await runPool(
    Array.from({ length: HOLDS }, (_, i) => i),
    CONCURRENCY,
    async () => {
      const response = await call('POST', '/v1/holds', { jobTypeId: 'bench-service', postalCode: '78701' });
      if (response.status === 201) won++;
    },
  );
  const holdsPerSecond = (won / holdElapsed) * 1000;
  const transactionsPerHold = counts.writes / HOLDS;

  // The raw conditional-write rate, same concurrency, distinct keys.
  const RAW = 1_000;
  const rawElapsed = await runPool(
    Array.from({ length: RAW }, (_, i) => i),
    CONCURRENCY,
    async (i) => {
      await documentClient().send(
        new PutCommand({
          TableName: process.env.TABLE_NAME,
          Item: { pk: `T#bench#RAWCAP`, sk: `W#${i}`, status: 'HELD' },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    },
  );
  const rawPerSecond = (RAW / rawElapsed) * 1000;

  // Availability over the whole horizon, with the claims above in place.
  const RUNS = 100;
  const latencies: number[] = [];
  let windowsOffered = 0;
  resetCounts();
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    const response = await call('GET', '/v1/availability?jobTypeId=bench-service&postalCode=78701');
    latencies.push(performance.now() - started);
    windowsOffered = response.body.windows.length;
  }
  latencies.sort((a, b) => a - b);

  console.log('\nCapacity engine (12 technicians x 4 windows x 14 days, daily limit 4)\n');
  console.log(
    `availability: p50 ${percentile(latencies, 50).toFixed(1)} ms, p95 ${percentile(latencies, 95).toFixed(1)} ms over ${RUNS} requests; ` +
      `${(counts.reads / RUNS).toFixed(1)} DynamoDB reads per request (${(counts.queries / RUNS).toFixed(1)} Queries), ${windowsOffered} windows offered`,
  );
  console.log(
    `contended holds: ${won}/${HOLDS} won at concurrency ${CONCURRENCY}, ${holdsPerSecond.toFixed(1)} holds/s, ` +
      `${transactionsPerHold.toFixed(2)} write calls per attempt`,
  );
  console.log(`raw conditional PutItem: ${rawPerSecond.toFixed(0)} writes/s at concurrency ${CONCURRENCY}`);
  console.log(`ratio (contended holds/s / raw conditional writes/s): ${(holdsPerSecond / rawPerSecond).toFixed(3)}`);
}
