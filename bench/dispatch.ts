/**
 * The day planner for 5, 12 and 50 trucks (bench/dispatch-day.ts, seeded):
 * 1. Real days: a tenant with the generated technicians, the day's requests booked in arrival order
 *    through the public API (each takes the first acceptable window the booking engine gives), then
 *    POST /v1/dispatch/plan and POST /v1/dispatch/reassign with its planId. Baseline: the day's real
 *    assignment (`current`); customers keep their booked windows. Jobs/truck, drive minutes, the gap
 *    HiGHS proves on the objective (served jobs, then the route drive minutes shown), solver time,
 *    whether the apply left the board equal to the plan. Beside it, what real job lengths gain through
 *    the API: the same requests booked first-come by a company whose job types have no minutes (each
 *    job fills its whole windows, the model before issue 21 item 4), against (b) and (b)'s applied plan.
 * 2. Where no real day exists: the same generated days with first-come-first-served re-simulated
 *    (labelled so) and the planner free to use any window the customer accepts.
 * The plan keeps back-to-back hops within DEFAULT_MAX_HOP_MINUTES. Prints figures, asserts nothing.
 */
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { ulid } from 'ulid';
import { reassignTechnicians } from '../functions/booking/reassign';
import type { LocalSystem } from '../local/runtime';
import { demoTenant, ensureApiKey, seedDemoTenant } from '../local/demo';
import { putJobType, putTechnicians, putTenant } from '../functions/tenant/store';
import { counts, percentile, resetCounts } from './common';
import { DEFAULT_MAX_HOP_MINUTES, fcfsAssign, metrics, type PlanJob, validate } from '../functions/dispatch/plan';
import { planDay, solveLp } from '../functions/dispatch/solver';
import { routeBoundModel, routeDriveMinutes, routeFcfsAssign, routePlanAssign, routePlanSearch, validateRoutes } from '../functions/dispatch/route-plan';
import { generateDay } from './dispatch-day';

const SEEDS = [11, 22, 33];

export async function benchDispatch(system?: LocalSystem): Promise<void> {
  if (system) await benchRealDays(system);
  if (system) await benchRouteRealDays(system);
  await benchRouteModel();
  await benchMinutes();
  await benchPlanner();
  if (system) await benchSwaps(system);
}

/**
 * A generated day as a tenant: its technicians and job types; the requests booked through the API in arrival order.
 * `wholeWindows`: the same technicians, requests and job type ids, but the job types have no
 * `durationMinutes`, so each job claims every unit of its `durationWindows` windows (capacity/availability.ts
 * jobFootprint: the model before issue 21 item 4, one job per technician-window).
 */
async function bookRealDay(
  system: LocalSystem,
  trucks: number,
  seed: number,
  travelModel: 'buffer' | 'route' = 'buffer',
  options: { wholeWindows?: boolean } = {},
) {
  // Job types with their real minutes (issue 21): a technician-window holds as many as fit.
  const generated = generateDay(trucks, seed, MINUTES_REQUESTS_PER_TRUCK, { minutes: true });
  const typeIds = new Map(
    generated.jobs.map((j) => [j.jobId, `gen-${j.trade}-${j.requiredSkills.join('-') || 'general'}-${j.durationMinutes ?? `${j.durationWindows}w`}`]),
  );
  const day = {
    ...generated,
    jobs: options.wholeWindows ? generated.jobs.map(({ durationMinutes: _minutes, ...j }): PlanJob => j) : generated.jobs,
    maxHopMinutes: DEFAULT_MAX_HOP_MINUTES,
  };
  const tenantId = `bench-day-${trucks}${options.wholeWindows ? '-whole' : ''}-${ulid().toLowerCase().slice(-6)}`;
  await putTenant({ ...demoTenant(tenantId), travelModel });
  const typeId = (j: (typeof day.jobs)[number]) => typeIds.get(j.jobId)!;
  const types = new Map(day.jobs.map((j) => [typeId(j), j]));
  await Promise.all([
    ...[...types].map(([jobTypeId, j]) =>
      putJobType(tenantId, {
        jobTypeId,
        name: jobTypeId,
        trade: j.trade,
        requiredSkills: j.requiredSkills,
        durationWindows: j.durationWindows,
        ...(j.durationMinutes !== undefined ? { durationMinutes: j.durationMinutes } : {}),
        emergency: false,
      } as never),
    ),
    putTechnicians(
      tenantId,
      day.technicians.map((t) => {
        const shift = { start: t.windowStarts[0]!, end: '17:00' };
        return {
          technicianId: t.technicianId,
          name: t.technicianId,
          trades: t.trades,
          skills: t.skills,
          postalCodes: t.postalCodes,
          shifts: { mon: shift, tue: shift, wed: shift, thu: shift, fri: shift, sat: shift, sun: shift },
          dailyJobLimit: t.dailyJobLimit,
          active: true,
        } as never;
      }),
    ),
  ]);
  const apiKey = await ensureApiKey(tenantId);
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const r = await fetch(`${system.apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: r.status, body: (await r.json()) as any };
  };
  const date = new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10);
  const placed: Array<{ jobId: string; technicianId: string; start: string; windowStarts: string[] }> = [];
  /** Each request first-come refused: the leads its refused windows made (none when another window was open that day). */
  const refused: Array<{ index: number; leadIds: string[] }> = [];
  const requestOf = (i: number, start: string) => {
    const job = day.jobs[i]!;
    return {
      customer: { name: `Day Caller ${i}`, phone: `512555${String(1000 + i).padStart(4, '0')}` },
      address: { line1: `${i} Bench St`, city: 'Austin', region: 'TX', postalCode: job.postalCode },
      jobTypeId: typeId(job),
      channel: 'voice',
      window: { date, start },
    };
  };
  /** POST /v1/bookings; a 202 (a loaded machine) is followed until the booking settled. */
  const book = async (body: unknown, key?: string) => {
    const answer = await call('POST', '/v1/bookings', body, key ? { 'idempotency-key': key } : {});
    if (answer.status !== 202) return answer;
    for (let waited = 0; waited < 120_000; waited += 500) {
      const now = (await call('GET', `/v1/bookings/${answer.body.bookingId}`)).body;
      if (now.status !== 'received' && (now.status !== 'rejected' || now.leadId || waited > 10_000)) return { status: now.window ? 201 : 409, body: now };
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    return answer;
  };
  let failed = 0;
  for (const [i, job] of day.jobs.entries()) {
    const leadIds: string[] = [];
    let booked = false;
    for (const start of job.windows) {
      const answer = await book(requestOf(i, start));
      // Neither a placement nor a refusal (a 5xx, a workflow that timed out on a loaded machine, a booking that holds no time): the day lost a request.
      if ((answer.status !== 201 && answer.status !== 409) || (answer.status === 201 && !answer.body.window?.technicianId)) failed++;
      if (answer.status === 201) {
        if (answer.body.window?.technicianId) placed.push({ jobId: job.jobId, technicianId: answer.body.window.technicianId, start, windowStarts: [start] });
        booked = true;
        break;
      }
      if (answer.body?.leadId) leadIds.push(answer.body.leadId);
    }
    if (!booked) refused.push({ index: i, leadIds });
  }
  return { call, book, requestOf, date, requests: day.jobs.length, day, placed, refused, failed };
}

/**
 * Real days, per size: the same requests booked first-come through the API by two companies, (b)
 * with the job types' real minutes (today) and (a) with the same job types without minutes (each job
 * fills its whole windows: the model before issue 21 item 4); (b) is then planned and applied. The
 * first rows are (b)'s plan against its real assignment; the "job lengths" row is what real job
 * lengths gain through the API: (a) -> (b) first-come -> (b) after the plan was applied, each scored
 * as the plan scores a real day (POST /v1/dispatch/plan's `current`: served jobs, route drive minutes).
 * The booking engine breaks ties between equally busy technicians by a hash of each hold id
 * (capacity/engine.ts spreadCandidates), so a real day differs from run to run, and from the
 * re-simulated first-come (fcfsAssign: lowest technician id), which the row prints beside it.
 */
export async function benchRealDays(system: LocalSystem, sizes = [5, 12, 50], seeds = [SEEDS[0]!]): Promise<void> {
  console.log(
    `\n== dispatch: real days (requests booked first-come through the public API; plan and apply through the API; windows as booked; load ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}) ==`,
  );
  console.log('trucks requests | real jobs/truck drive-min long-hops | plan jobs/truck drive-min long-hops | drive   status   gap      seconds  vars  | apply');
  const gains: string[] = [];
  const totals = new Map<number, { days: number; a: Scored; b: Scored; after: Scored }>();
  for (const trucks of sizes)
    for (const daySeed of seeds) {
      const seed = daySeed * 1000 + trucks;
      // The same requests, in the same order, on two companies at once (independent tenants: neither sees the other's capacity).
      const timed = async <T>(run: () => Promise<T>) => {
        const started = performance.now();
        return { result: await run(), seconds: (performance.now() - started) / 1000 };
      };
      const [minutesDay, wholeDay] = await Promise.all([
        timed(() => bookRealDay(system, trucks, seed)),
        timed(() => bookRealDay(system, trucks, seed, 'buffer', { wholeWindows: true })),
      ]);
      const { call, date, requests, day, placed } = minutesDay.result;
      const planned = await call('POST', `/v1/dispatch/plan?date=${date}&timeLimitSeconds=25`);
      if (planned.status !== 200) {
        console.log(`${String(trucks).padStart(6)} plan failed: ${planned.status} ${JSON.stringify(planned.body).slice(0, 200)}`);
        continue;
      }
      const { current, plan, solver, changes, planId, boardVersion } = planned.body;
      const started = performance.now();
      const applied = changes.length
        ? await call('POST', '/v1/dispatch/reassign', { date, planId, boardVersion, reason: 'bench', assignments: changes.map((c: any) => c.to) })
        : { status: 200, body: { applied: [] } };
      const applyMs = performance.now() - started;
      const board = (await call('GET', `/v1/dispatch/board?date=${date}`)).body;
      const owner = new Map<string, string>(board.technicians.flatMap((t: any) => t.jobs.map((j: any) => [j.bookingId, t.technicianId])));
      const equal = plan.assignments.every((a: any) => owner.get(a.jobId) === a.technicianId);
      const drive = current.metrics.driveMinutes ? ((plan.metrics.driveMinutes - current.metrics.driveMinutes) / current.metrics.driveMinutes) * 100 : 0;
      console.log(
        `${String(trucks).padStart(6)} ${String(requests).padStart(8)} | ` +
          `${current.metrics.jobsPerTruck.toFixed(2).padStart(15)} ${String(current.metrics.driveMinutes).padStart(9)} ${String(current.metrics.longHops).padStart(9)} | ` +
          `${plan.metrics.jobsPerTruck.toFixed(2).padStart(15)} ${String(plan.metrics.driveMinutes).padStart(9)} ${String(plan.metrics.longHops).padStart(9)} | ` +
          `${drive.toFixed(1).padStart(5)}%  ${solver.status.padEnd(8)} ${(solver.gap * 100).toFixed(3).padStart(6)}% ${solver.seconds.toFixed(2).padStart(8)} ${String(solver.variables).padStart(5)}  | ` +
          `${applied.status === 200 ? `applied ${changes.length} changes in ${applyMs.toFixed(0)} ms, board ${equal ? '= plan' : '!= plan'}` : `refused ${applied.status} ${applied.body?.error?.code}: ${applied.body?.error?.message ?? ''}`}`,
      );
      // The same requests planned at booking time (any window the customer accepts), against what was really placed.
      const atBooking = await planDay(day, { timeLimitSeconds: 25 });
      const best = metrics(day, atBooking.assignments);
      const lift = current.metrics.served ? ((best.served - current.metrics.served) / current.metrics.served) * 100 : 0;
      console.log(
        `${' '.repeat(6)} planned at booking (windows the customer accepts): ${best.jobsPerTruck.toFixed(2)} jobs/truck (${lift >= 0 ? '+' : ''}${lift.toFixed(1)}% vs real), ${best.driveMinutes} drive-min, ${atBooking.solver.status} gap ${(atBooking.solver.gap * 100).toFixed(3)}% in ${atBooking.solver.seconds.toFixed(1)} s`,
      );

      // Job lengths through the API: each day as it stands, scored as POST /v1/dispatch/plan scores the real assignment (`current`; 1 s: the plan itself is not used).
      const whole = wholeDay.result;
      const scored = async (c: typeof call, d: string) => {
        const answer = await c('POST', `/v1/dispatch/plan?date=${d}&timeLimitSeconds=1`);
        return answer.status === 200 ? (answer.body.current.metrics as Scored) : undefined;
      };
      const [a, after] = [await scored(whole.call, whole.date), await scored(call, date)];
      // Evidence that (a) is the whole-window model: no technician-window holds two jobs, a two-window job fills both.
      const wholeBoard = (await whole.call('GET', `/v1/dispatch/board?date=${whole.date}`)).body;
      let most = 0;
      for (const t of wholeBoard.technicians ?? []) {
        const perWindow = new Map<string, number>();
        for (const j of t.jobs) for (const w of j.windowStarts) perWindow.set(w, (perWindow.get(w) ?? 0) + 1);
        most = Math.max(most, ...perWindow.values());
      }
      const twoWindow = (wholeBoard.technicians ?? []).flatMap((t: any) => t.jobs).filter((j: any) => j.windowStarts.length > 1).length;
      if (!a || !after) {
        gains.push(
          `${String(trucks).padStart(6)} ${String(daySeed).padStart(4)} not scored: POST /v1/dispatch/plan failed on ${a ? '' : '(a) '}${after ? '' : '(b)'}`,
        );
        continue;
      }
      const b = current.metrics as Scored;
      const sum = totals.get(trucks) ?? { days: 0, a: zero(), b: zero(), after: zero() };
      totals.set(trucks, { days: sum.days + 1, a: add(sum.a, a), b: add(sum.b, b), after: add(sum.after, after) });
      const cell = (m: Scored) => gainCell(m, trucks);
      gains.push(
        `${String(trucks).padStart(6)} ${String(daySeed).padStart(4)} ${String(requests).padStart(8)} | ${cell(a)} | ${cell(b)} ${pct(b.served, a.served).padStart(7)} | ${cell(after)} ${pct(after.served, a.served).padStart(7)} ${
          applied.status !== 200 ? `apply refused ${applied.status}` : equal ? 'board = plan' : 'board != plan'
        } | ${solver.status.padEnd(8)} ${(solver.gap * 100).toFixed(3).padStart(6)}% ${solver.seconds.toFixed(2).padStart(6)} | ` +
          `booked ${wholeDay.seconds.toFixed(0)} / ${minutesDay.seconds.toFixed(0)} s; (a) ${whole.placed.length} placed, most jobs in one technician-window ${most}, ${twoWindow} two-window jobs; (b) ${placed.length} placed; ` +
          `answers neither placed nor refused (a) ${whole.failed}, (b) ${minutesDay.result.failed}; ` +
          `re-simulated first-come (fcfsAssign, in-process) places (a) ${fcfsAssign(whole.day).length}, (b) ${fcfsAssign(day).length}`,
      );
    }
  console.log(
    `\n== dispatch: what real job lengths gain, through the API (the same requests, same order, same windows each caller accepts, booked first-come on two companies; buffer travel model; load ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}) ==`,
  );
  console.log(
    '(a) job types without minutes: every job fills its whole window(s), the model before item 4 | (b) the same job types with their real minutes | (b) plan applied: POST /v1/dispatch/plan + reassign on (b), the board scored after the apply',
  );
  console.log(
    "jobs/truck: requests placed per truck; drive: the day's route drive minutes (base -> jobs in window order), per job; +%: jobs/truck against (a); solver: the (b) plan's (objective served jobs, then drive minutes)",
  );
  console.log(
    'trucks seed requests | (a) FCFS whole-window     | (b) FCFS job lengths              | (b) plan applied                               | solver                  |',
  );
  console.log(
    '                     | jobs/truck drive drive/job | jobs/truck drive drive/job  vs (a) | jobs/truck drive drive/job  vs (a)             | status     gap   secs   |',
  );
  for (const line of gains) console.log(line);
  for (const [trucks, t] of totals) {
    if (t.days < 2) continue;
    const cell = (m: Scored) => gainCell(m, trucks * t.days);
    console.log(
      `${String(trucks).padStart(6)}  all ${String(t.days).padStart(3)} days | ${cell(t.a)} | ${cell(t.b)} ${pct(t.b.served, t.a.served).padStart(7)} | ${cell(t.after)} ${pct(t.after.served, t.a.served).padStart(7)}`,
    );
  }
}

type Scored = { served: number; jobsPerTruck: number; driveMinutes: number };
const zero = (): Scored => ({ served: 0, jobsPerTruck: 0, driveMinutes: 0 });
const add = (x: Scored, y: Scored): Scored => ({ served: x.served + y.served, jobsPerTruck: 0, driveMinutes: x.driveMinutes + y.driveMinutes });
const pct = (x: number, y: number) => `${x >= y ? '+' : ''}${y ? (((x - y) / y) * 100).toFixed(1) : '0.0'}%`;
/** jobs per truck, drive minutes, drive minutes per job (`trucks`: trucks times days). */
const gainCell = (m: Scored, trucks: number) =>
  `${(m.served / trucks).toFixed(2).padStart(10)} ${String(m.driveMinutes).padStart(5)} ${(m.served ? m.driveMinutes / m.served : 0).toFixed(1).padStart(8)}`;

/**
 * The atomic swap behind a "swap" suggestion and POST /v1/dispatch/reassign: two drain jobs in one
 * window exchange technicians (claims, holds and both bookings in one transaction, then each
 * job's messages, timeline and CRM update), through the domain function on the local system.
 */
async function benchSwaps(system: LocalSystem): Promise<void> {
  const tenantId = `bench-swap-${ulid().toLowerCase().slice(-6)}`;
  await seedDemoTenant(tenantId);
  const apiKey = await ensureApiKey(tenantId);
  // The next Wednesday at least two days ahead (tech-01 and tech-06 work; within the 14-day booking horizon).
  const day = new Date(Date.now() + 2 * 86_400_000);
  while (day.getUTCDay() !== 3) day.setUTCDate(day.getUTCDate() + 1);
  const date = day.toISOString().slice(0, 10);
  const book = async (start: string, postalCode: string, technicianId: string, i: number) => {
    const call = (path: string, body: unknown) =>
      fetch(`${system.apiUrl}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }).then(async (r) => {
        const answer = (await r.json()) as any;
        // A refused booking or move would leave the swaps below timing errors: stop with the API's answer.
        if (!r.ok) throw new Error(`bench swaps: POST ${path} answered ${r.status}: ${JSON.stringify(answer)}`);
        return answer;
      });
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

/** Requests per truck on the days with real job lengths: more than fit, so packing decides how many are served. */
const MINUTES_REQUESTS_PER_TRUCK = 8;

/**
 * Issue 21 item 4 on generated days with the realistic mix (30-60 min drain/leak calls, 90-120 min
 * repairs, 3-4 h installs; 8 requests per truck; up to 8 jobs a day): first-come-first-served
 * re-simulated with every job filling its window (the old model), the same with minute units (what
 * the booking engine places today: the same figures as booking the requests through the API), and
 * the HiGHS plan in minute units (any window the customer accepts). Counted: of the same N requests,
 * how many are placed in the day, per truck; the plan may place requests first-come refused (they
 * waited on the waitlist). "max" is the most any valid plan can place (the serve run's proved bound).
 */
export async function benchMinutes(sizes = [5, 12, 50]): Promise<void> {
  console.log(
    `\n== dispatch: job lengths in minutes (generated days, ${MINUTES_REQUESTS_PER_TRUCK} requests per truck, realistic mix; FCFS RE-SIMULATED through the same minute units; hops <= ${DEFAULT_MAX_HOP_MINUTES} min; load ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}) ==`,
  );
  console.log('counted: requests placed in the day (of the same N) per truck; the plan may place requests first-come refused');
  console.log(
    'trucks seed jobs | FCFS whole-window jobs/truck | FCFS minutes jobs/truck drive-min | plan jobs/truck drive-min | +jobs/truck (max)  status     gap    drive>=  seconds  vars',
  );
  for (const trucks of sizes) {
    let fcfsServed = 0;
    let planServed = 0;
    let boundServed = 0;
    let fcfsDrive = 0;
    let planDrive = 0;
    const limit = trucks >= 50 ? 60 : 20;
    for (const seed of SEEDS) {
      const whole = { ...generateDay(trucks, seed * 1000 + trucks, MINUTES_REQUESTS_PER_TRUCK), maxHopMinutes: DEFAULT_MAX_HOP_MINUTES };
      const day = { ...generateDay(trucks, seed * 1000 + trucks, MINUTES_REQUESTS_PER_TRUCK, { minutes: true }), maxHopMinutes: DEFAULT_MAX_HOP_MINUTES };
      const old = metrics(whole, fcfsAssign(whole));
      const fcfs = metrics(day, fcfsAssign(day));
      const { assignments, solver } = await planDay(day, { timeLimitSeconds: limit });
      const problems = validate(day, assignments);
      const plan = metrics(day, assignments);
      fcfsServed += fcfs.served;
      planServed += plan.served;
      boundServed += solver.jobsServedBound;
      fcfsDrive += fcfs.driveMinutes;
      planDrive += plan.driveMinutes;
      const pct = (n: number) => (fcfs.served ? ((n - fcfs.served) / fcfs.served) * 100 : 0);
      console.log(
        `${String(trucks).padStart(6)} ${String(seed).padStart(4)} ${String(day.jobs.length).padStart(4)} | ${old.jobsPerTruck.toFixed(2).padStart(27)} | ` +
          `${fcfs.jobsPerTruck.toFixed(2).padStart(23)} ${String(fcfs.driveMinutes).padStart(9)} | ${plan.jobsPerTruck.toFixed(2).padStart(15)} ${String(plan.driveMinutes).padStart(9)} | ` +
          `${pct(plan.served).toFixed(1).padStart(8)}% (${pct(solver.jobsServedBound).toFixed(1).padStart(5)}%)  ${solver.status.padEnd(10)} ${(solver.gap * 100).toFixed(3).padStart(6)}% ${String(solver.driveMinutesBound).padStart(7)} ${solver.seconds.toFixed(1).padStart(7)} ${String(solver.variables).padStart(6)}` +
          (problems.length ? `  INVALID: ${problems.slice(0, 3).join('; ')}` : ''),
      );
    }
    console.log(
      `${String(trucks).padStart(6)}  all      jobs per truck FCFS(minutes, re-simulated) ${(fcfsServed / trucks / SEEDS.length).toFixed(2)} -> plan ${(planServed / trucks / SEEDS.length).toFixed(2)} (${(((planServed - fcfsServed) / fcfsServed) * 100).toFixed(1)}%; no valid plan above ${(((boundServed - fcfsServed) / fcfsServed) * 100).toFixed(1)}%); drive minutes ${fcfsDrive} -> ${planDrive}; limit ${limit} s`,
    );
  }
}

async function benchPlanner(): Promise<void> {
  console.log(
    `\n== dispatch: no real day: HiGHS plan vs first-come-first-served RE-SIMULATED (generated days, ~5 requests per truck, 4 windows, limit 4 jobs, hops <= ${DEFAULT_MAX_HOP_MINUTES} min; the plan may use any window the customer accepts) ==`,
  );
  console.log(
    'trucks seed jobs | FCFS(sim) jobs/truck drive-min long-hops | plan jobs/truck drive-min long-hops | +jobs/truck  solver status   gap   jobs-bound  seconds  vars',
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
      `${String(trucks).padStart(6)}  all      jobs per truck FCFS(re-simulated) ${(fcfsServed / trucks / SEEDS.length).toFixed(2)} -> plan ${(planServed / trucks / SEEDS.length).toFixed(2)} (${(((planServed - fcfsServed) / fcfsServed) * 100).toFixed(1)}%)`,
    );
  }
}

/**
 * Issue 21 item 4 under the `route` travel model (capacity/route.ts: a technician takes a job when
 * an order of their day's jobs starts each inside its arrival window with the real drive between
 * consecutive jobs, every job done by the shift's end 17:00), on the same generated days as
 * benchMinutes: first-come with the fixed 15-minute buffer (today's default, re-simulated), first-come
 * under the route model (what the booking engine places with `travelModel: route`, re-simulated),
 * and the route-model plan (dispatch/route-plan.ts: packing + insertion with one relocation), with
 * the most jobs any valid route plan can serve (HiGHS on a relaxation, routeBoundModel). Drive
 * minutes: each technician's route in the order capacity/route.ts finds (base first, not back).
 */
export async function benchRouteModel(sizes = [5, 12, 50]): Promise<void> {
  console.log(
    `\n== dispatch: route travel model (generated days, ${MINUTES_REQUESTS_PER_TRUCK} requests per truck, realistic mix, shifts to 17:00; FCFS RE-SIMULATED; load ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}) ==`,
  );
  console.log(
    'trucks seed jobs | FCFS buffer jobs/truck drive | FCFS route jobs/truck drive | plan route jobs/truck drive  secs | plan vs FCFS route (vs buffer) | bound jobs/truck gap   secs',
  );
  for (const trucks of sizes) {
    const sum = { buffer: 0, fcfs: 0, plan: 0, bound: 0, fcfsDrive: 0, planDrive: 0, bufferDrive: 0 };
    for (const seed of SEEDS) {
      const generated = generateDay(trucks, seed * 1000 + trucks, MINUTES_REQUESTS_PER_TRUCK, { minutes: true });
      const day = { ...generated, technicians: generated.technicians.map((t) => ({ ...t, shiftEnd: '17:00' })), maxHopMinutes: DEFAULT_MAX_HOP_MINUTES };
      const buffer = metrics(day, fcfsAssign(day));
      const fcfs = routeFcfsAssign(day);
      const started = performance.now();
      const plan = routePlanAssign(day, fcfs);
      const planSeconds = (performance.now() - started) / 1000;
      const problems = [...validateRoutes(day, fcfs).map((p) => `fcfs ${p}`), ...validateRoutes(day, plan).map((p) => `plan ${p}`)];
      const boundStarted = performance.now();
      const relaxed = await solveLp(routeBoundModel(day).lp, trucks >= 50 ? 30 : 10);
      const boundSeconds = (performance.now() - boundStarted) / 1000;
      const bound = Math.floor(Number.isFinite(relaxed.bound) ? relaxed.bound + 1e-6 : day.jobs.length);
      const [fcfsDrive, planDrive] = [routeDriveMinutes(day, fcfs), routeDriveMinutes(day, plan)];
      Object.assign(sum, {
        buffer: sum.buffer + buffer.served,
        fcfs: sum.fcfs + fcfs.length,
        plan: sum.plan + plan.length,
        bound: sum.bound + bound,
        fcfsDrive: sum.fcfsDrive + fcfsDrive,
        planDrive: sum.planDrive + planDrive,
        bufferDrive: sum.bufferDrive + buffer.driveMinutes,
      });
      const pct = (a: number, b: number) => `${a >= b ? '+' : ''}${(((a - b) / b) * 100).toFixed(1)}%`;
      console.log(
        `${String(trucks).padStart(6)} ${String(seed).padStart(4)} ${String(day.jobs.length).padStart(4)} | ${(buffer.served / trucks).toFixed(2).padStart(17)} ${String(buffer.driveMinutes).padStart(5)} | ` +
          `${(fcfs.length / trucks).toFixed(2).padStart(16)} ${String(fcfsDrive).padStart(5)} | ${(plan.length / trucks).toFixed(2).padStart(16)} ${String(planDrive).padStart(5)} ${planSeconds.toFixed(1).padStart(5)} | ` +
          `${pct(plan.length, fcfs.length).padStart(18)} (${pct(plan.length, buffer.served)}) | ${(bound / trucks).toFixed(2).padStart(16)} ${pct(bound, plan.length).padStart(6)} ${boundSeconds.toFixed(1).padStart(5)} ${relaxed.status}` +
          (problems.length ? `  INVALID: ${problems.slice(0, 3).join('; ')}` : ''),
      );
    }
    const n = trucks * SEEDS.length;
    const pct = (a: number, b: number) => `${a >= b ? '+' : ''}${(((a - b) / b) * 100).toFixed(1)}%`;
    console.log(
      `${String(trucks).padStart(6)}  all  jobs/truck FCFS buffer ${(sum.buffer / n).toFixed(2)} (drive ${sum.bufferDrive}), FCFS route ${(sum.fcfs / n).toFixed(2)} (drive ${sum.fcfsDrive}) -> plan route ${(sum.plan / n).toFixed(2)} (drive ${sum.planDrive}): ${pct(sum.plan, sum.fcfs)} vs FCFS route, ${pct(sum.plan, sum.buffer)} vs FCFS buffer; no valid route plan above ${(sum.bound / n).toFixed(2)} (${pct(sum.bound, sum.fcfs)} vs FCFS route)`,
    );
  }
}

/**
 * The route travel model on real days: the requests booked first-come through the public API by a
 * company with `travelModel: route` (the booking engine's own route check), then planned and applied
 * through the API (POST /v1/dispatch/plan: dispatch/route-plan.ts under a time budget, so the figure
 * is what a user gets; POST /v1/dispatch/reassign with its planId). A request refused first-come
 * is waitlisted through the API (POST /v1/leads/{id}/waitlist: each lead its refused windows made);
 * the API plan keeps every booked job and places what it can of the waiting callers
 * (`waitlistPlaced`), the apply offers them that room (`waitlistOffers`), and each offered customer
 * says yes and books through POST /v1/bookings. Printed: jobs/truck of the real first-come day ->
 * after plan + offers accepted, and the drive minutes of the day then. Beside it, labelled, the same
 * requests planned in-process with no deadline (jobs first-come refused may be placed, any window
 * they accept: what planning at booking time could reach). Drive minutes as routeDriveMinutes.
 */
export async function benchRouteRealDays(system: LocalSystem, sizes = [5, 12, 50]): Promise<void> {
  console.log(
    `\n== dispatch: route travel model, real days (booked first-come through the API, travelModel route; planned and applied through the API; load ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}) ==`,
  );
  console.log(
    'trucks requests | real jobs/truck drive | API plan jobs/truck drive  drive%  status     gap  bound-by   solver-s api-s budget | apply | cut by the budget  (the API plan counts the waitlisted callers it places)',
  );
  for (const trucks of sizes) {
    const booking = performance.now();
    const { day: generated, placed, refused, requests, call, book, requestOf, date } = await bookRealDay(system, trucks, SEEDS[0]! * 1000 + trucks, 'route');
    console.log(
      `${String(trucks).padStart(6)} booked ${placed.length} of ${requests} requests first-come in ${((performance.now() - booking) / 1000).toFixed(0)} s (load ${loadavg()[0]!.toFixed(1)})`,
    );
    // Each refused caller goes on the waitlist (POST /v1/leads/{id}/waitlist), every lead their refused windows made.
    const leadOwner = new Map<string, number>();
    for (const r of refused) {
      for (const leadId of r.leadIds) {
        const waitlisted = await call('POST', `/v1/leads/${leadId}/waitlist`, { note: 'bench: any of the windows asked' });
        if (waitlisted.status === 200) leadOwner.set(leadId, r.index);
      }
    }
    const withLead = refused.filter((r) => r.leadIds.length).length;
    console.log(
      `${' '.repeat(6)} refused ${refused.length}: ${withLead} waitlisted (${leadOwner.size} leads: one per window asked that was fully booked), ${refused.length - withLead} left no lead (another window was open that day: the API answered alternatives, no lead)`,
    );
    const started = performance.now();
    const planned = await call('POST', `/v1/dispatch/plan?date=${date}&timeLimitSeconds=20`);
    const apiSeconds = (performance.now() - started) / 1000;
    if (planned.status !== 200) {
      console.log(`${String(trucks).padStart(6)} plan failed: ${planned.status} ${JSON.stringify(planned.body).slice(0, 200)}`);
      continue;
    }
    const { current, plan, solver, changes, planId, boardVersion, waitlistPlaced = [] } = planned.body;
    const applyStarted = performance.now();
    const applied = changes.length
      ? await call('POST', '/v1/dispatch/reassign', {
          date,
          planId,
          boardVersion,
          reason: 'bench',
          assignments: changes.map((c: any) => c.to),
          waitlist: waitlistPlaced,
        })
      : { status: 200, body: { applied: [], waitlistOffers: [] } };
    const applySeconds = (performance.now() - applyStarted) / 1000;
    const board = (await call('GET', `/v1/dispatch/board?date=${date}`)).body;
    const owner = new Map<string, string>(board.technicians.flatMap((t: any) => t.jobs.map((j: any) => [j.bookingId, t.technicianId])));
    const equal = plan.assignments.every((a: any) => owner.get(a.jobId) === a.technicianId);
    const drive = current.metrics.driveMinutes ? ((plan.metrics.driveMinutes - current.metrics.driveMinutes) / current.metrics.driveMinutes) * 100 : 0;
    console.log(
      `${String(trucks).padStart(6)} ${String(requests).padStart(8)} | ${current.metrics.jobsPerTruck.toFixed(2).padStart(15)} ${String(current.metrics.driveMinutes).padStart(5)} | ` +
        `${plan.metrics.jobsPerTruck.toFixed(2).padStart(19)} ${String(plan.metrics.driveMinutes).padStart(5)} ${drive.toFixed(1).padStart(6)}%  ${solver.status.padEnd(9)} ${(solver.gap * 100).toFixed(1).padStart(5)}% ${String(solver.driveMinutesBound).padStart(6)} ` +
        `${solver.seconds.toFixed(1).padStart(10)} ${apiSeconds.toFixed(1).padStart(5)} ${String(solver.budgetSeconds).padStart(6)} | ` +
        `${applied.status === 200 ? `applied ${changes.length}, board ${equal ? '= plan' : '!= plan'}` : `refused ${applied.status} ${applied.body?.error?.code ?? applied.body?.message ?? ''} (${changes.length} changes)`} in ${applySeconds.toFixed(1)} s | ${solver.cut ?? 'nothing'}; bound: ${solver.boundProof}`,
    );
    // The room the apply made was offered to the waitlist (waitlistOffers); each offered customer replies yes and books it through the API.
    const offers: Array<{ leadId: string; date: string; start: string }> = applied.status === 200 ? (applied.body.waitlistOffers ?? []) : [];
    let accepted = 0;
    const acceptStarted = performance.now();
    for (const offer of offers) {
      const index = leadOwner.get(offer.leadId);
      if (index === undefined) continue;
      const taken = await book(requestOf(index, offer.start), `bench-offer-${offer.leadId}`);
      if (taken.status === 201 && taken.body.window?.technicianId) accepted++;
    }
    const acceptSeconds = (performance.now() - acceptStarted) / 1000;
    // The day as it stands now, scored as the plan scores the real assignment (its `current`).
    const after = await call('POST', `/v1/dispatch/plan?date=${date}&timeLimitSeconds=1`);
    const now = after.status === 200 ? after.body.current.metrics : undefined;
    const liftPct = placed.length ? (accepted / placed.length) * 100 : 0;
    console.log(
      `${' '.repeat(6)} waitlist through the API: the plan placed ${waitlistPlaced.length} waiting callers (in its jobs/truck above), the apply offered ${offers.length}, ${accepted} booked through POST /v1/bookings (${acceptSeconds.toFixed(1)} s) | ` +
        `jobs/truck real first-come ${(placed.length / trucks).toFixed(2)} -> after plan + offers accepted ${((placed.length + accepted) / trucks).toFixed(2)} (+${liftPct.toFixed(1)}%) | ` +
        `drive minutes ${current.metrics.driveMinutes} -> ${now ? `${now.driveMinutes} (${now.served} jobs)` : `? (plan ${after.status})`}`,
    );
    if (trucks > 12) continue;
    // Labelled: the same requests planned in-process with no deadline (may place requests first-come refused), three ways.
    const day = { ...generated, technicians: generated.technicians.map((t) => ({ ...t, shiftStart: t.windowStarts[0], shiftEnd: '17:00' })) };
    const booked = new Map(placed.map((a) => [a.jobId, a]));
    const keep = new Set(booked.keys());
    // What the API may do: every booked job kept, in its booked window; refused requests in any window they accept.
    const promised = { ...day, jobs: day.jobs.map((j) => (booked.has(j.jobId) ? { ...j, windows: [booked.get(j.jobId)!.start] } : j)) };
    const inProcess = (label: string, plan: () => Array<{ jobId: string }>, scored = day) => {
      const started = performance.now();
      const assignments = plan();
      const lift = placed.length ? ((assignments.length - placed.length) / placed.length) * 100 : 0;
      const dropped = [...keep].filter((id) => !assignments.some((a) => a.jobId === id)).length;
      console.log(
        `${' '.repeat(6)} ${label}: ${(assignments.length / trucks).toFixed(2)} jobs/truck (${lift >= 0 ? '+' : ''}${lift.toFixed(1)}% vs real), ${routeDriveMinutes(scored, assignments as never)} drive-min, ${dropped} booked jobs dropped, ${((performance.now() - started) / 1000).toFixed(1)} s`,
      );
    };
    inProcess(
      "in-process, booked jobs kept in their booked windows (the API plan's rule), refused requests in any window they accept",
      () => routePlanSearch(promised, placed, { keep, budgetSeconds: 60 }).assignments,
      promised,
    );
    inProcess(
      "in-process, booked jobs kept but moved to any window their customer accepts (needs each customer's consent)",
      () => routePlanSearch(day, placed, { keep, budgetSeconds: 60 }).assignments,
    );
    inProcess('planned at booking (in-process, no deadline, any accepted window, booked jobs may be dropped)', () =>
      routePlanAssign(day, placed, { budgetSeconds: 60 }),
    );
  }
}
