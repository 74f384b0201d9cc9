/**
 * The demo bookings `jobrelay seed` makes for the demo company (local/demo.ts): a spread of sources,
 * campaigns, channels and job types, at the postal codes its technicians cover.
 */
export const SEED_MIX = [
  { source: 'google_ads', campaign: 'spring-drains', channel: 'voice', jobTypeId: 'plumbing-drain-clog' },
  { source: 'google_lsa', campaign: undefined, channel: 'voice', jobTypeId: 'plumbing-leak-repair' },
  { source: 'facebook', campaign: 'ac-tuneup', channel: 'chat', jobTypeId: 'hvac-maintenance' },
  { source: 'website', campaign: undefined, channel: 'web', jobTypeId: 'hvac-ac-repair' },
  { source: 'referral', campaign: undefined, channel: 'csr', jobTypeId: 'plumbing-water-heater-repair' },
  { source: 'google_ads', campaign: 'no-heat-winter', channel: 'chat', jobTypeId: 'hvac-furnace-repair' },
  // A bot that sent no marketing source: booked, and a missing_attribution item for the queue.
  { source: undefined, campaign: undefined, channel: 'api', jobTypeId: 'plumbing-drain-clog' },
] as const;
export const SEED_NAMES = ['Avery Johnson', 'Blake Martinez', 'Casey Nguyen', 'Devon Brown', 'Emerson Davis', 'Finley Garcia', 'Harper Wilson', 'Jordan Lee'];
export const SEED_STREETS = ['Congress Ave', 'S Lamar Blvd', 'E 6th St', 'S 1st St', 'Barton Springs Rd', 'W 12th St'];
/** Postal codes the demo company's technicians cover. */
export const SEED_POSTAL = ['78701', '78704', '78702', '78745', '78704', '78703'];

/** The i-th demo booking request (POST /v1/bookings body). */
export function seedBooking(i: number) {
  const mix = SEED_MIX[i % SEED_MIX.length]!;
  return {
    customer: { name: SEED_NAMES[i % SEED_NAMES.length], phone: `+1 512 555 ${String(3000 + (Date.now() % 5000) + i).padStart(4, '0')}` },
    address: {
      line1: `${100 + i * 7} ${SEED_STREETS[i % SEED_STREETS.length]}`,
      city: 'Austin',
      region: 'TX',
      postalCode: SEED_POSTAL[i % SEED_POSTAL.length],
      country: 'US',
    },
    jobTypeId: mix.jobTypeId,
    channel: mix.channel,
    ...(mix.source ? { attribution: { source: mix.source, ...(mix.campaign ? { campaign: mix.campaign } : {}) } } : {}),
    summary: 'Demo booking (jobrelay seed)',
  };
}

/** The field's side of a seeded job: dispatched, completed, invoiced and paid (POST /v1/jobs/{id}/events). */
export function seedJobEvents(bookingId: string) {
  const amountCents = 18_500 + (bookingId.charCodeAt(25) % 10) * 2_500;
  return [
    { type: 'dispatched', data: {} },
    { type: 'completed', data: { technicianNotes: 'Demo job completed (jobrelay seed)' } },
    { type: 'invoiced', data: { amountCents } },
    { type: 'paid', data: { amountCents } },
  ];
}
