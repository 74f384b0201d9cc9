/**
 * Generated dispatch days (seeded, so every run sees the same days): a trades company of N trucks
 * (plumbing, HVAC, a few doing both; two skills each; two Austin territories each, a few citywide;
 * some starting late) and about 5 requests per truck in arrival order: job types weighted like a
 * plumbing + HVAC shop (a few two-window installs), customers who take any window, a half-day, or
 * one named window. Used by the dispatch bench and the planner's property tests.
 */
import type { PlanDay, PlanJob, PlanTechnician } from '../functions/dispatch/plan';

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const REGIONS: Record<string, string[]> = {
  central: ['78701', '78702', '78703', '78704', '78705'],
  north: ['78727', '78728', '78729', '78750', '78758', '78759'],
  south: ['78704', '78744', '78745', '78747', '78748', '78749'],
  east: ['78721', '78722', '78723', '78724', '78741'],
};

export const DAY_WINDOWS = [
  { start: '08:00', end: '10:00' },
  { start: '10:00', end: '12:00' },
  { start: '12:00', end: '14:00' },
  { start: '14:00', end: '16:00' },
];

/** The realistic mix: 30-60 min drain/leak calls, 90-120 min repairs, 3-4 h installs (`durationMinutes`, used with `minutes`). */
const JOB_MIX: Array<{ trade: string; requiredSkills: string[]; durationWindows: number; durationMinutes: number; weight: number }> = [
  { trade: 'plumbing', requiredSkills: ['drains'], durationWindows: 1, durationMinutes: 45, weight: 20 },
  { trade: 'plumbing', requiredSkills: ['water-heaters'], durationWindows: 1, durationMinutes: 105, weight: 10 },
  { trade: 'plumbing', requiredSkills: ['leak-detection'], durationWindows: 1, durationMinutes: 60, weight: 10 },
  { trade: 'plumbing', requiredSkills: ['sewer-camera'], durationWindows: 1, durationMinutes: 90, weight: 4 },
  { trade: 'plumbing', requiredSkills: ['water-heaters'], durationWindows: 2, durationMinutes: 210, weight: 4 },
  { trade: 'plumbing', requiredSkills: [], durationWindows: 1, durationMinutes: 30, weight: 6 },
  { trade: 'hvac', requiredSkills: ['ac-repair'], durationWindows: 1, durationMinutes: 90, weight: 18 },
  { trade: 'hvac', requiredSkills: ['furnace'], durationWindows: 1, durationMinutes: 120, weight: 8 },
  { trade: 'hvac', requiredSkills: ['maintenance'], durationWindows: 1, durationMinutes: 60, weight: 14 },
  { trade: 'hvac', requiredSkills: ['heat-pumps'], durationWindows: 2, durationMinutes: 240, weight: 3 },
];
const SKILLS: Record<string, string[]> = {
  plumbing: ['drains', 'water-heaters', 'leak-detection', 'sewer-camera', 'repipe'],
  hvac: ['ac-repair', 'furnace', 'maintenance', 'heat-pumps'],
};

function pick<T>(rng: () => number, items: T[]): T {
  return items[Math.floor(rng() * items.length)]!;
}

function sample<T>(rng: () => number, items: T[], n: number): T[] {
  const pool = [...items];
  const out: T[] = [];
  while (out.length < n && pool.length) out.push(pool.splice(Math.floor(rng() * pool.length), 1)[0]!);
  return out;
}

/**
 * `minutes`: jobs carry their durationMinutes (a technician-window holds as many as fit) and
 * technicians take up to 8 jobs a day; without it every job fills its windows, 4 a day.
 */
export function generateDay(trucks: number, seed: number, requestsPerTruck = 5, options: { minutes?: boolean } = {}): PlanDay {
  const rng = mulberry32(seed);
  const regionNames = Object.keys(REGIONS);
  const technicians: PlanTechnician[] = Array.from({ length: trucks }, (_, i) => {
    const r = rng();
    const trades = r < 0.55 ? ['plumbing'] : r < 0.9 ? ['hvac'] : ['plumbing', 'hvac'];
    const skills = trades.flatMap((t) => sample(rng, SKILLS[t]!, trades.length > 1 ? 2 : 3));
    const regions = rng() < 0.1 ? regionNames : sample(rng, regionNames, 2);
    const late = rng() < 0.2;
    return {
      technicianId: `tech-${String(i + 1).padStart(2, '0')}`,
      trades,
      skills,
      postalCodes: [...new Set(regions.flatMap((name) => REGIONS[name]!))],
      windowStarts: DAY_WINDOWS.map((w) => w.start).slice(late ? 1 : 0),
      dailyJobLimit: options.minutes ? 8 : 4,
    };
  });
  const allCodes = [...new Set(Object.values(REGIONS).flat())];
  const totalWeight = JOB_MIX.reduce((s, j) => s + j.weight, 0);
  const starts = DAY_WINDOWS.map((w) => w.start);
  const jobs: PlanJob[] = Array.from({ length: Math.round(trucks * requestsPerTruck) }, (_, i) => {
    let roll = rng() * totalWeight;
    const type =
      JOB_MIX.find((j) => {
        roll -= j.weight;
        return roll < 0;
      }) ?? JOB_MIX[0]!;
    const w = rng();
    const windows = w < 0.5 ? starts : w < 0.65 ? (rng() < 0.5 ? starts.slice(0, 2) : starts.slice(2)) : [pick(rng, starts)];
    return {
      jobId: `job-${String(i + 1).padStart(3, '0')}`,
      trade: type.trade,
      requiredSkills: type.requiredSkills,
      postalCode: pick(rng, allCodes),
      durationWindows: type.durationWindows,
      ...(options.minutes ? { durationMinutes: type.durationMinutes } : {}),
      windows,
      order: i,
    };
  });
  return { windows: DAY_WINDOWS, technicians, jobs };
}
