/**
 * The day planner on generated days (bench/dispatch-day.ts, seeded) for 5, 12 and 50 trucks:
 * jobs served per truck and total drive time for the HiGHS plan vs first-come-first-served, the
 * planner's run time and the gap to the best bound HiGHS proves (20 s time limit). The plan keeps
 * back-to-back hops within DEFAULT_MAX_HOP_MINUTES; FCFS does not look at drives, so its long hops
 * are counted. Prints figures, asserts nothing.
 */
import { performance } from 'node:perf_hooks';
import { ulid } from 'ulid';
import { reassignTechnicians } from '../functions/booking/reassign';
import type { LocalSystem } from '../local/runtime';
import { ensureApiKey, seedDemoTenant } from '../local/demo';
import { counts, percentile, resetCounts } from './common';
import { DEFAULT_MAX_HOP_MINUTES, fcfsAssign, metrics, planDay, validate } from '../functions/dispatch/plan';
import { generateDay } from './dispatch-day';

const SEEDS = [11, 22, 33];

export async function benchDispatch(system?: LocalSystem): Promise<void> {
  await benchPlanner();
  if (system) await benchSwaps(system);
}

/**
 * The atomic swap behind a "swap" suggestion and POST /v1/dispatch/reassign: two drain jobs in one
 * window exchange technicians (claims, holds and both bookings in one transaction, then each
 * job's messages, timeline and CRM update), through the domain function on the local system.
 */
async function benchSwaps(system: LocalSystem): Promise<void> {
  const tenantId = `bench-swap-${ulid().toLowerCase().slice(-6)}`;
  await seedDemoTenant(tenantId);
  const apiKey = await ensureApiKey(tenantId);
  const day = new Date(Date.now() + 9 * 86_400_000);
  while (day.getUTCDay() !== 3) day.setUTCDate(day.getUTCDate() + 1); // a Wednesday: tech-01 and tech-06 work
  const date = day.toISOString().slice(0, 10);
  const book = async (start: string, postalCode: string, technicianId: string, i: number) => {
    const call = (path: string, body: unknown) =>
      fetch(`${system.apiUrl}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }).then((r) => r.json() as Promise<any>);
    const booked = await call('/v1/bookings', {
      customer: { name: `Swap Caller ${i}`, phone: `512555${String(3000 + i)}` },
      address: { line1: `${i} Swap St`, city: 'Austin', region: 'TX', postalCode },
      jobTypeId: 'plumbing-drain-clog',
      channel: 'voice',
      window: { date, start },
    });
    if (booked.window?.technicianId !== technicianId) await call(`/v1/bookings/${booked.bookingId}/reschedule`, { technicianId });
    return booked.bookingId as string;
  };
  const pairs: Array<[string, string]> = [];
  for (const [i, start] of ['08:00', '10:00', '12:00', '14:00'].entries()) {
    pairs.push([await book(start, '78723', 'tech-01', 2 * i), await book(start, '78701', 'tech-06', 2 * i + 1)]);
  }
  const latencies: number[] = [];
  resetCounts();
  const rounds = 5;
  for (let round = 0; round < rounds; round++) {
    for (const [a, b] of pairs) {
      const to = round % 2 === 0 ? ['tech-06', 'tech-01'] : ['tech-01', 'tech-06'];
      const started = performance.now();
      await reassignTechnicians(
        tenantId,
        [
          { bookingId: a, technicianId: to[0]! },
          { bookingId: b, technicianId: to[1]! },
        ],
        'bench',
        'bench swap',
        new Date(),
      );
      latencies.push(performance.now() - started);
    }
  }
  latencies.sort((x, y) => x - y);
  const swaps = latencies.length;
  console.log(`\n== dispatch: atomic swap of two jobs (reassignTechnicians on the local system, ${swaps} swaps) ==`);
  console.log(
    `p50 ${percentile(latencies, 50).toFixed(1)} ms, p95 ${percentile(latencies, 95).toFixed(1)} ms; per swap: ${(counts.writes / swaps).toFixed(1)} DynamoDB writes (the transaction counts as one), ${(counts.reads / swaps).toFixed(1)} reads (of which ${(counts.queries / swaps).toFixed(1)} queries)`,
  );
}

async function benchPlanner(): Promise<void> {
  console.log(
    `\n== dispatch: HiGHS day planner vs first-come-first-served (generated days, ~5 requests per truck, 4 windows, limit 4 jobs, hops <= ${DEFAULT_MAX_HOP_MINUTES} min) ==`,
  );
  console.log(
    'trucks seed jobs | FCFS jobs/truck drive-min long-hops | plan jobs/truck drive-min long-hops | +jobs/truck  solver status   gap   jobs-bound  seconds  vars',
  );
  for (const trucks of [5, 12, 50]) {
    let fcfsServed = 0;
    let planServed = 0;
    for (const seed of SEEDS) {
      const day = { ...generateDay(trucks, seed * 1000 + trucks), maxHopMinutes: DEFAULT_MAX_HOP_MINUTES };
      const fcfs = metrics(day, fcfsAssign(day));
      const { assignments, solver } = await planDay(day, { timeLimitSeconds: 20 });
      const problems = validate(day, assignments);
      const plan = metrics(day, assignments);
      fcfsServed += fcfs.served;
      planServed += plan.served;
      const lift = fcfs.served ? ((plan.served - fcfs.served) / fcfs.served) * 100 : 0;
      console.log(
        `${String(trucks).padStart(6)} ${String(seed).padStart(4)} ${String(day.jobs.length).padStart(4)} | ` +
          `${fcfs.jobsPerTruck.toFixed(2).padStart(15)} ${String(fcfs.driveMinutes).padStart(9)} ${String(fcfs.longHops).padStart(9)} | ` +
          `${plan.jobsPerTruck.toFixed(2).padStart(15)} ${String(plan.driveMinutes).padStart(9)} ${String(plan.longHops).padStart(9)} | ` +
          `${lift.toFixed(1).padStart(8)}%  ${solver.status.padEnd(14)} ${(solver.gap * 100).toFixed(3).padStart(6)}% ${String(solver.jobsServedBound).padStart(10)} ${solver.seconds.toFixed(2).padStart(8)} ${String(solver.variables).padStart(5)}` +
          (problems.length ? `  INVALID: ${problems.slice(0, 3).join('; ')}` : ''),
      );
    }
    console.log(
      `${String(trucks).padStart(6)}  all      jobs per truck FCFS ${(fcfsServed / trucks / SEEDS.length).toFixed(2)} -> plan ${(planServed / trucks / SEEDS.length).toFixed(2)} (${(((planServed - fcfsServed) / fcfsServed) * 100).toFixed(1)}%)`,
    );
  }
}
