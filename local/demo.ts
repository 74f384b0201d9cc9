/**
 * The demo company: "Lone Star Plumbing & Air", a 12-truck plumbing + HVAC shop in Austin, TX.
 * Seeding is idempotent (fixed ids), so a second `npm start` finds the same company.
 */
import { DateTime } from 'luxon';
import { JobTypeSchema, TechnicianSchema, TenantSchema, type JobTypeInput, type TechnicianInput, type Tenant } from '../functions/tenant/model';
import { findApiKey, issueApiKey } from '../functions/admin/store';
import { putJobType, putTechnicians, putTenant } from '../functions/tenant/store';
import { createCustomer, emptyProfile } from '../functions/recognise/store';
import { getMembership, putMembership } from '../functions/renewals/store';

export const DEMO_TENANT_ID = 'demo-lonestar';

const weekdays = { start: '08:00', end: '17:00' };
const monToFri = { mon: weekdays, tue: weekdays, wed: weekdays, thu: weekdays, fri: weekdays };
const tueToSat = { tue: weekdays, wed: weekdays, thu: weekdays, fri: weekdays, sat: { start: '08:00', end: '14:00' } };

// Austin postal codes by territory.
// 78751 (Hyde Park): the demo member's own address is served, not turned away.
const central = ['78701', '78702', '78703', '78704', '78705', '78751'];
const north = ['78727', '78728', '78729', '78750', '78758', '78759'];
const south = ['78704', '78744', '78745', '78747', '78748', '78749'];
const east = ['78721', '78722', '78723', '78724', '78741'];

/**
 * Weekly on-call rotation from this week on: every trade covered every week, and every postal code
 * the company serves covered by an on-call plumber and an on-call HVAC tech (tech-06 and tech-12
 * cover every territory), so an emergency page always reaches someone whose area it is.
 */
function onCallRotation(weeks = 8): Tenant['onCallRotation'] {
  const pairs = [
    ['tech-02', 'tech-07', 'tech-06'],
    ['tech-05', 'tech-12', 'tech-06'],
    ['tech-06', 'tech-09', 'tech-12'],
  ];
  const monday = DateTime.now().setZone('America/Chicago').startOf('week');
  return Array.from({ length: weeks }, (_, week) => {
    const from = monday.plus({ weeks: week });
    const range = { from: from.toISODate()!, to: from.plus({ days: 6 }).toISODate()! };
    return pairs[week % pairs.length]!.map((technicianId) => ({ technicianId, ...range }));
  }).flat();
}

export function demoTenant(tenantId: string = DEMO_TENANT_ID): Tenant {
  return TenantSchema.parse({
    tenantId,
    name: 'Lone Star Plumbing & Air',
    timeZone: 'America/Chicago',
    country: 'US',
    arrivalWindows: [
      { start: '08:00', end: '10:00' },
      { start: '10:00', end: '12:00' },
      { start: '12:00', end: '14:00' },
      { start: '14:00', end: '16:00' },
    ],
    holdMinutes: 10,
    bookingHorizonDays: 14,
    crm: { adapter: 'builtin' },
    afterHoursWindows: [
      { start: '17:00', end: '19:00' },
      { start: '19:00', end: '21:00' },
    ],
    onCallRotation: onCallRotation(),
    dispatch: { phone: '+15125550100', onCallManagerPhone: '+15125550199' },
    defaultDailyJobLimit: 4,
    emergencyReserve: 0,
    scheduleSource: { mode: 'internal', staleAfterMinutes: 60 },
  });
}

const technicianInputs: TechnicianInput[] = [
  {
    technicianId: 'tech-01',
    name: 'Maria Gonzales',
    trades: ['plumbing'],
    skills: ['drains', 'water-heaters'],
    postalCodes: [...central, ...east],
    shifts: monToFri,
    active: true,
  },
  {
    technicianId: 'tech-02',
    name: 'Dave Kowalski',
    trades: ['plumbing'],
    skills: ['drains', 'leak-detection'],
    postalCodes: [...central, ...north],
    shifts: monToFri,
    active: true,
  },
  {
    technicianId: 'tech-03',
    name: 'Luis Ortega',
    trades: ['plumbing'],
    skills: ['water-heaters', 'repipe'],
    postalCodes: [...south, ...central],
    shifts: tueToSat,
    active: true,
  },
  {
    technicianId: 'tech-04',
    name: 'Kim Nguyen',
    trades: ['plumbing'],
    skills: ['drains', 'sewer-camera'],
    postalCodes: [...north, ...east],
    shifts: tueToSat,
    active: true,
  },
  {
    technicianId: 'tech-05',
    name: 'Sam Patel',
    trades: ['plumbing'],
    skills: ['leak-detection', 'drains'],
    postalCodes: [...south, ...east],
    shifts: monToFri,
    active: true,
  },
  {
    technicianId: 'tech-06',
    name: 'Ray Thompson',
    trades: ['plumbing', 'hvac'],
    skills: ['drains', 'ac-repair'],
    postalCodes: [...central, ...south, ...north, ...east],
    shifts: monToFri,
    active: true,
  },
  {
    technicianId: 'tech-07',
    name: 'Angela Brooks',
    trades: ['hvac'],
    skills: ['ac-repair', 'furnace', 'maintenance'],
    postalCodes: [...central, ...north],
    shifts: monToFri,
    active: true,
  },
  {
    technicianId: 'tech-08',
    name: 'Tom Becker',
    trades: ['hvac'],
    skills: ['ac-repair', 'maintenance'],
    postalCodes: [...south, ...central],
    shifts: monToFri,
    active: true,
  },
  {
    technicianId: 'tech-09',
    name: 'Priya Shah',
    trades: ['hvac'],
    skills: ['furnace', 'maintenance', 'heat-pumps'],
    postalCodes: [...north, ...east],
    shifts: tueToSat,
    active: true,
  },
  {
    technicianId: 'tech-10',
    name: 'Marcus Green',
    trades: ['hvac'],
    skills: ['ac-repair', 'heat-pumps'],
    postalCodes: [...east, ...south],
    shifts: monToFri,
    active: true,
  },
  {
    technicianId: 'tech-11',
    name: 'Jenny Walsh',
    trades: ['hvac'],
    skills: ['maintenance', 'furnace'],
    postalCodes: [...central, ...south, ...east],
    shifts: tueToSat,
    active: true,
  },
  {
    technicianId: 'tech-12',
    name: 'Carlos Mendez',
    trades: ['hvac'],
    skills: ['ac-repair', 'furnace', 'maintenance', 'heat-pumps'],
    postalCodes: [...central, ...north, ...south, ...east],
    shifts: monToFri,
    active: true,
  },
];

const jobTypeInputs: JobTypeInput[] = [
  {
    jobTypeId: 'plumbing-drain-clog',
    name: 'Drain clog',
    trade: 'plumbing',
    requiredSkills: ['drains'],
    durationWindows: 1,
    emergency: false,
    summary: 'Clogged drain: clear and camera-check if recurring',
    prepChecklist: ['Load the drain machine and camera'],
  },
  {
    jobTypeId: 'plumbing-water-heater-repair',
    name: 'Water heater repair',
    trade: 'plumbing',
    requiredSkills: ['water-heaters'],
    durationWindows: 1,
    emergency: false,
    summary: 'Water heater not heating or leaking: diagnose and repair',
    prepChecklist: ['Confirm tank size and fuel type with the customer', 'Check the permit rules for the address'],
    materials: [
      { part: 'T&P relief valve', quantity: 1 },
      { part: 'Thermocouple', quantity: 1 },
    ],
  },
  { jobTypeId: 'plumbing-leak-repair', name: 'Leak repair', trade: 'plumbing', requiredSkills: ['leak-detection'], durationWindows: 1, emergency: false },
  {
    jobTypeId: 'hvac-ac-repair',
    name: 'AC repair',
    trade: 'hvac',
    requiredSkills: ['ac-repair'],
    durationWindows: 1,
    emergency: false,
    summary: 'AC not cooling: diagnose and repair',
  },
  { jobTypeId: 'hvac-furnace-repair', name: 'Furnace repair', trade: 'hvac', requiredSkills: ['furnace'], durationWindows: 1, emergency: false },
  {
    jobTypeId: 'hvac-maintenance',
    name: 'HVAC maintenance visit',
    trade: 'hvac',
    requiredSkills: ['maintenance'],
    durationWindows: 1,
    emergency: false,
    dailyCap: 6,
    summary: 'Seasonal tune-up (membership visit)',
    maintenanceIntervalMonths: 6,
  },
  {
    jobTypeId: 'plumbing-burst-pipe',
    name: 'Burst pipe / active leak',
    trade: 'plumbing',
    requiredSkills: [],
    durationWindows: 1,
    emergency: true,
    summary: 'Active leak: shut-off, stop the water, repair',
  },
  {
    jobTypeId: 'hvac-no-heat',
    name: 'No heat',
    trade: 'hvac',
    requiredSkills: ['furnace'],
    durationWindows: 1,
    emergency: true,
    summary: 'No heat: diagnose furnace or heat pump',
  },
];

export const demoTechnicians = technicianInputs.map((t, index) => TechnicianSchema.parse({ ...t, phone: `+1512555${String(2001 + index)}` }));
export const demoJobTypes = jobTypeInputs.map((j) => JobTypeSchema.parse(j));

/**
 * The demo company's real job lengths (minutes on site; capacity/availability.ts packs as many as
 * fit into a technician's window) and its install, which runs past its window. Only the demo
 * company (`npm start`) has them: test tenants keep one job per window unless a test sets them.
 */
export const demoJobDurations: Record<string, number> = {
  'plumbing-drain-clog': 45,
  'plumbing-leak-repair': 60,
  'plumbing-water-heater-repair': 105,
  'hvac-ac-repair': 90,
  'hvac-furnace-repair': 120,
  'hvac-maintenance': 60,
  'plumbing-burst-pipe': 90,
  'hvac-no-heat': 90,
  'plumbing-water-heater-install': 210,
};
export const demoInstallJobType = JobTypeSchema.parse({
  jobTypeId: 'plumbing-water-heater-install',
  name: 'Water heater install',
  trade: 'plumbing',
  requiredSkills: ['water-heaters'],
  durationMinutes: 210,
  summary: 'Replace the water heater (haul away the old tank)',
  prepChecklist: ['Confirm tank size, fuel type and venting', 'Pull the permit'],
});

/** The demo job types with the demo company's durations (and its install). */
export function demoJobTypesWithDurations() {
  return [...demoJobTypes.map((j) => ({ ...j, durationMinutes: demoJobDurations[j.jobTypeId] })), demoInstallJobType];
}

export async function seedDemoTenant(tenantId: string = DEMO_TENANT_ID): Promise<void> {
  await putTenant(demoTenant(tenantId));
  const jobTypes = tenantId === DEMO_TENANT_ID ? demoJobTypesWithDurations() : demoJobTypes;
  await Promise.all([putTechnicians(tenantId, demoTechnicians), ...jobTypes.map((j) => putJobType(tenantId, j))]);
  // Test tenants (other ids) start without members, so their customer lookups stay their own.
  if (tenantId === DEMO_TENANT_ID) await seedDemoMembership(tenantId);
}

/** A member whose Comfort Club renews in 30 days: the first daily scan sends the 30-day notice. */
async function seedDemoMembership(tenantId: string): Promise<void> {
  const customerId = 'cust-demo-member';
  const membershipId = 'mem-demo-comfort';
  if (await getMembership(tenantId, customerId, membershipId)) return;
  const at = new Date().toISOString();
  const today = DateTime.now().setZone('America/Chicago');
  await createCustomer(
    {
      tenantId,
      customerId,
      name: 'Pat Morgan',
      phoneE164: '+15125550177',
      email: 'pat.morgan@example.com',
      addresses: [{ line1: '4600 Avenue H', city: 'Austin', region: 'TX', postalCode: '78751', country: 'US' }],
      ...emptyProfile(),
      createdAt: at,
      updatedAt: at,
    },
    { phone: true, email: true },
  );
  await putMembership({
    tenantId,
    membershipId,
    customerId,
    plan: 'Comfort Club',
    priceCents: 18_900,
    termMonths: 12,
    startedOn: today.minus({ months: 11 }).toISODate()!,
    renewsOn: today.plus({ days: 30 }).toISODate()!,
    autoRenew: true,
    status: 'active',
    chargeAttempts: 0,
    paymentMethod: { provider: 'local', token: 'tok_ok' },
    version: 1,
    createdAt: at,
    updatedAt: at,
  });
}

/** Reuses a key that still resolves to this tenant, else issues a new one (shown once, stored hashed). */
export async function ensureApiKey(tenantId: string, existing?: string): Promise<string> {
  if (existing) {
    const record = await findApiKey(existing);
    if (record && !record.revoked && record.tenantId === tenantId && record.scopes.includes('ops')) return existing;
  }
  // Issued like any admin-created key, so it is listed, rotatable and revocable. A one-company
  // deployment's owner also operates it: `ops` (queue depths, DLQ redrive).
  const { apiKey } = await issueApiKey(tenantId, { name: 'Demo key', scopes: ['bookings', 'review', 'reports', 'admin', 'ops'], createdBy: 'npm start' });
  return apiKey;
}
