/** Pure CRM logic: the mapping table and its overrides, outbox backoff, Retry-After, customer matching, intake. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planIntake } from '../../functions/attribution/intake';
import { retryAfterSeconds } from '../../functions/crm/adapters/http';
import { signWebhook, verifyWebhook } from '../../functions/crm/adapters/webhook';
import { CrmMappingOverridesSchema, defaultCrmMapping, effectiveMapping, JOB_STATES, mapFields } from '../../functions/crm/mapping';
import { crmSyncBackoffSeconds } from '../../functions/crm/sync-policy';
import { decideMatch, similarNames } from '../../functions/recognise/match';
import type { CustomerRecord } from '../../functions/recognise/store';

describe('CRM mapping table', () => {
  it("has an entry for every job state, each a deal stage and fields; what a state fires is the lifecycle's, not a column here", () => {
    expect(Object.keys(defaultCrmMapping).sort()).toEqual([...JOB_STATES].sort());
    expect(defaultCrmMapping.paid.dealStage).toBe('Closed Won');
    for (const entry of Object.values(defaultCrmMapping)) expect(Object.keys(entry).sort()).toEqual(['dealStage', 'fields']);
    // An old override that still carries `action` is read without it (stripped, not refused).
    expect(effectiveMapping({ paid: { dealStage: 'Won', fields: [{ crmField: 'x', from: 'job.paidAt' }], action: 'none' } as never }).paid).toEqual({
      dealStage: 'Won',
      fields: [{ crmField: 'x', from: 'job.paidAt' }],
    });
  });

  it('leaves absent values out (never blanks, never "unknown") and maps nested values', () => {
    const { fields, dealStage } = mapFields(defaultCrmMapping, 'booked', { customer: { name: 'A B' }, attribution: {}, booking: { bookingId: 'b1' } });
    expect(dealStage).toBe('Booked');
    expect(fields).toEqual({ customer_name: 'A B', external_booking_id: 'b1' });
  });

  it('merges tenant overrides state by state and rejects what the schema does not allow', () => {
    const override = { paid: { dealStage: 'Won', fields: [{ crmField: 'paid_on', from: 'job.paidAt' }] } };
    const mapping = effectiveMapping(override);
    expect(mapping.paid).toEqual(override.paid);
    expect(mapping.booked).toEqual(defaultCrmMapping.booked);
    expect(CrmMappingOverridesSchema.safeParse({ shipped: override.paid }).success).toBe(false);
    expect(CrmMappingOverridesSchema.safeParse({ paid: { ...override.paid, fields: [] } }).success).toBe(false);
    expect(CrmMappingOverridesSchema.safeParse({ paid: { ...override.paid, fields: [{ crmField: 'x', from: 'process.env' }] } }).success).toBe(false);
  });

  it('never throws on any context (fuzz)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...JOB_STATES), fc.object(), (state, context) => {
        const { fields } = mapFields(defaultCrmMapping, state, context as Record<string, unknown>);
        for (const value of Object.values(fields)) expect(['string', 'number', 'boolean']).toContain(typeof value);
      }),
      { numRuns: 300 },
    );
  });
});

describe('outbox backoff', () => {
  const settings = { baseSeconds: 30, maxSeconds: 900 };
  it('grows with the receive count, is capped, and never undercuts Retry-After', () => {
    expect([1, 2, 3, 4, 5].map((n) => crmSyncBackoffSeconds(n, settings))).toEqual([30, 60, 120, 240, 480]);
    expect(crmSyncBackoffSeconds(9, settings)).toBe(900);
    expect(crmSyncBackoffSeconds(1, settings, 120)).toBe(120);
    expect(crmSyncBackoffSeconds(1, settings, 10 ** 9)).toBe(43_200);
  });
  it('is monotonic and within SQS limits for any input (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -5, max: 1000 }), fc.integer({ min: 0, max: 600 }), fc.integer({ min: 0, max: 100_000 }), (count, base, max) => {
        const s = { baseSeconds: base, maxSeconds: max };
        const a = crmSyncBackoffSeconds(count, s);
        const b = crmSyncBackoffSeconds(count + 1, s);
        expect(b).toBeGreaterThanOrEqual(a);
        expect(a).toBeGreaterThanOrEqual(0);
        expect(a).toBeLessThanOrEqual(43_200);
      }),
    );
  });
  it('reads Retry-After as seconds or an HTTP date', () => {
    const at = new Date('2026-11-25T12:00:00Z');
    expect(retryAfterSeconds('7', at)).toBe(7);
    expect(retryAfterSeconds('Wed, 25 Nov 2026 12:00:30 GMT', at)).toBe(30);
    expect(retryAfterSeconds('soon', at)).toBeUndefined();
    expect(retryAfterSeconds(null, at)).toBeUndefined();
  });
});

describe('webhook signature and replay window', () => {
  it('accepts its own signature inside the window; refuses tampering, other secrets and stale timestamps', () => {
    const now = new Date('2026-11-25T12:00:00Z');
    const ts = Math.floor(now.getTime() / 1000);
    const body = '{"a":1}';
    const signature = signWebhook('s3cret', ts, body);
    expect(verifyWebhook('s3cret', { timestamp: String(ts), signature, body }, now)).toEqual({ ok: true });
    expect(verifyWebhook('s3cret', { timestamp: String(ts), signature, body: '{"a":2}' }, now)).toEqual({ ok: false, reason: 'bad_signature' });
    expect(verifyWebhook('other', { timestamp: String(ts), signature, body }, now)).toEqual({ ok: false, reason: 'bad_signature' });
    expect(verifyWebhook('s3cret', { timestamp: String(ts), signature, body }, new Date(now.getTime() + 301_000))).toEqual({
      ok: false,
      reason: 'outside_replay_window',
    });
    expect(verifyWebhook('s3cret', { timestamp: undefined, signature, body }, now)).toEqual({ ok: false, reason: 'missing_headers' });
  });
});

describe('customer matching', () => {
  const address = { line1: '1100 Congress Ave', line2: 'Apt 4B', city: 'Austin', region: 'TX', postalCode: '78701', country: 'US' };
  const customer = (over: Partial<CustomerRecord>): CustomerRecord => ({
    tenantId: 't',
    customerId: 'c1',
    name: 'Jordan Rivera',
    phoneE164: '+15125550142',
    addresses: [address],
    createdAt: '',
    updatedAt: '',
    serviceHistory: [],
    equipment: [],
    membership: { status: 'none' },
    openEstimates: [],
    communicationPreferences: { channels: ['sms'], optedOut: false },
    ...over,
  });
  const caller = { name: 'Jordan Rivera', phoneE164: '+15125550142', address };

  it('names', () => {
    expect(similarNames('Jordan Rivera', 'jordan  rivera')).toBe(true);
    expect(similarNames('J. Rivera', 'Jordan Rivera')).toBe(true);
    expect(similarNames('Sam Rivera', 'Jordan Rivera')).toBe(false);
    expect(similarNames('Jordan', 'Jordan Rivera')).toBe(true);
  });
  it('match, new, uncertain', () => {
    expect(decideMatch(caller, { byAddress: [] })).toEqual({ kind: 'new' });
    expect(decideMatch(caller, { byPhone: customer({}), byAddress: [customer({})] })).toMatchObject({ kind: 'match', matchedOn: ['phone', 'address'] });
    expect(decideMatch({ ...caller, name: 'Morgan Blake' }, { byPhone: customer({}), byAddress: [] })).toMatchObject({
      kind: 'uncertain',
      reason: 'same phone, different name',
    });
    expect(decideMatch({ ...caller, name: 'Sam Okafor', phoneE164: '+15125550188' }, { byAddress: [customer({})] })).toMatchObject({
      kind: 'uncertain',
      reason: 'same address, different name and phone',
    });
    // Someone else's phone, but the caller's own record at the address: that record.
    expect(
      decideMatch({ ...caller, name: 'Sam Okafor' }, { byPhone: customer({}), byAddress: [customer({ customerId: 'c2', name: 'Sam Okafor' })] }),
    ).toMatchObject({
      kind: 'match',
      customer: { customerId: 'c2' },
    });
  });
});

describe('booking intake', () => {
  const tenant = { sourceSettings: { google_ads: { campaign: 'C', requiresAcceptance: true } }, lsaDeadlineWarningMinutes: 30 };
  const at = new Date('2026-11-25T12:00:00Z');
  const request = (attribution?: Record<string, string>, summary?: string) => ({ attribution, summary }) as never;
  it('flags missing attribution, pre-fills the summary, applies source settings case-insensitively, flags a near LSA deadline', () => {
    expect(planIntake(tenant, { summary: 'From job type' }, request(undefined), at)).toEqual({
      summary: 'From job type',
      sourceSettings: undefined,
      flags: ['missing_attribution'],
    });
    expect(planIntake(tenant, { summary: 'From job type' }, request({ source: 'Google_Ads' }, 'Bot'), at)).toEqual({
      summary: 'Bot',
      sourceSettings: tenant.sourceSettings.google_ads,
      flags: [],
    });
    expect(planIntake(tenant, undefined, request({ source: 'lsa', lsaResponseDeadline: '2026-11-25T12:20:00Z' }), at).flags).toEqual(['lsa_deadline_near']);
    expect(planIntake(tenant, undefined, request({ source: 'lsa', lsaResponseDeadline: '2026-11-25T13:00:00Z' }), at).flags).toEqual([]);
  });
});
