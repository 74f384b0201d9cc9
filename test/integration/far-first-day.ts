/**
 * The far-first Monday the dispatch apply tests lay out (dispatch-apply, attack-crash-plan-apply):
 * per window and per job type (drains, AC repair), jobs in generated postal codes, each on the
 * farthest qualified technician with that window free, so a day plan's changes are swaps and chains
 * across many technicians. Not a test file.
 */
import { mulberry32, REGIONS } from '../../bench/dispatch-day';
import { basePostalCode, travelMinutes } from '../../functions/dispatch/geo';
import { demoTechnicians } from '../../local/demo';
import { bookingRequest } from './helpers';

const WINDOWS = ['08:00', '10:00', '12:00', '14:00'];
const TYPES = [
  { jobTypeId: 'plumbing-drain-clog', skill: 'drains', trade: 'plumbing' },
  { jobTypeId: 'hvac-ac-repair', skill: 'ac-repair', trade: 'hvac' },
];

/** Booking requests for `date` (a Monday) with the technician each goes on: up to `perTypeAndWindow` per type and window. */
export function farFirstDay(date: string, perTypeAndWindow: number): Array<{ body: Record<string, unknown>; technicianId: string }> {
  const rng = mulberry32(2121);
  const taken = new Set<string>();
  const codes = Object.values(REGIONS).flat();
  const out: Array<{ body: Record<string, unknown>; technicianId: string }> = [];
  for (const start of WINDOWS) {
    for (const type of TYPES) {
      for (let k = 0; k < perTypeAndWindow; k++) {
        const postalCode = codes[Math.floor(rng() * codes.length)]!;
        const far = demoTechnicians
          .filter((t) => t.shifts.mon && t.trades.includes(type.trade) && t.skills.includes(type.skill) && t.postalCodes.includes(postalCode))
          .filter((t) => !taken.has(`${start}|${t.technicianId}`))
          .sort((a, b) => travelMinutes(basePostalCode(b.postalCodes), postalCode) - travelMinutes(basePostalCode(a.postalCodes), postalCode))[0];
        if (!far) continue;
        taken.add(`${start}|${far.technicianId}`);
        const base = bookingRequest();
        const phone = `(512) 555-${String(2000 + out.length).padStart(4, '0')}`;
        out.push({
          body: {
            ...base,
            jobTypeId: type.jobTypeId,
            customer: { ...base.customer, phone, email: undefined },
            address: { ...base.address, postalCode },
            window: { date, start },
          },
          technicianId: far.technicianId,
        });
      }
    }
  }
  return out;
}
