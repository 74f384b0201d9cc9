/**
 * The hold request with caller fields that the attacks on the newest routes (issues 15-17) start
 * from: attack-new-routes.test.ts (a burst of them) and new-routes-hostile.test.ts (each field made
 * hostile). Not a test file.
 */
export const HOLD = { jobTypeId: 'plumbing-drain-clog', postalCode: '78701' };
export const CALLER = {
  customer: { name: 'Attack Caller', phone: '+1 512 555 0177', email: 'caller@example.com' },
  address: { line1: '1 Main St', city: 'Austin', region: 'TX', postalCode: '78701', country: 'US' },
  channel: 'voice',
  attribution: { source: 'google_ads', campaign: 'winter' },
  transcript: [{ role: 'customer', text: 'My drain is clogged' }],
};
