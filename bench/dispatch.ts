/**
 * The day planner on generated days (bench/dispatch-day.ts, seeded) for 5, 12 and 50 trucks:
 * jobs served per truck and total drive time for the HiGHS plan vs first-come-first-served, the
 * planner's run time and the gap to the best bound HiGHS proves (20 s time limit). The plan keeps
 * back-to-back hops within DEFAULT_MAX_HOP_MINUTES; FCFS does not look at drives, so its long hops
 * are counted. Prints figures, asserts nothing.
 */
import type { LocalSystem } from '../local/runtime';
import { DEFAULT_MAX_HOP_MINUTES, fcfsAssign, metrics, planDay, validate } from '../functions/dispatch/plan';
import { generateDay } from './dispatch-day';

const SEEDS = [11, 22, 33];

export async function benchDispatch(_system?: LocalSystem): Promise<void> {
  console.log(`\n== dispatch: HiGHS day planner vs first-come-first-served (generated days, ~5 requests per truck, 4 windows, limit 4 jobs, hops <= ${DEFAULT_MAX_HOP_MINUTES} min) ==`);
  console.log('trucks seed jobs | FCFS jobs/truck drive-min long-hops | plan jobs/truck drive-min long-hops | +jobs/truck  solver status   gap   jobs-bound  seconds  vars');
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
    console.log(`${String(trucks).padStart(6)}  all      jobs per truck FCFS ${(fcfsServed / trucks / SEEDS.length).toFixed(2)} -> plan ${(planServed / trucks / SEEDS.length).toFixed(2)} (${(((planServed - fcfsServed) / fcfsServed) * 100).toFixed(1)}%)`);
  }
}
