/** The CRM ids a booking is filed under (functions/crm/vendor-ids.ts): which one wins, and what is named when one is missing. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SERVICETITAN_REQUIRED_IDS } from '../../functions/crm/adapters/servicetitan';
import { fieldNotes } from '../../functions/crm/adapters/field-notes';
import { CrmIdsSchema, missingVendorIds, resolveVendorIds } from '../../functions/crm/vendor-ids';

const keys = { jobTypeId: 'plumbing-drain-clog', jobTypeName: 'Drain clog', source: 'google_ads', technicianId: 'tech-1' };

describe('resolveVendorIds', () => {
  it('the source settings win, then the mapping by job type / source / technician, then the defaults', () => {
    const ids = CrmIdsSchema.parse({
      jobTypes: { 'plumbing-drain-clog': '7001' },
      campaigns: { google_ads: '3301' },
      technicians: { 'tech-1': '880001' },
      defaults: { jobType: '1', campaign: '2', businessUnit: '12' },
    });
    expect(resolveVendorIds(ids, keys)).toEqual({ jobType: '7001', campaign: '3301', businessUnit: '12', technician: '880001' });
    expect(resolveVendorIds(ids, keys, { campaign: '9999' }).campaign).toBe('9999');
    expect(resolveVendorIds(ids, { jobTypeId: 'other' })).toEqual({ jobType: '1', campaign: '2', businessUnit: '12' });
    expect(resolveVendorIds(undefined, keys)).toEqual({});
  });

  it('a source or job type named like an Object.prototype member maps to nothing', () => {
    expect(resolveVendorIds(CrmIdsSchema.parse({}), { jobTypeId: 'constructor', source: '__proto__', technicianId: 'toString' })).toEqual({});
  });

  it('never throws on any keys (fuzz)', () => {
    fc.assert(
      fc.property(fc.string(), fc.option(fc.string(), { nil: undefined }), (jobTypeId, source) => {
        resolveVendorIds(CrmIdsSchema.parse({ jobTypes: { a: '1' } }), { jobTypeId, source });
      }),
    );
  });
});

describe('missingVendorIds', () => {
  it('names each ServiceTitan id missing or not numeric, with what to map it for', () => {
    const missing = missingVendorIds(SERVICETITAN_REQUIRED_IDS, { jobType: 'Drain Cleaning', businessUnit: '12' }, keys);
    expect(missing.map((m) => m.field)).toEqual(['jobType', 'campaign']);
    expect(missing[0]!.message).toBe(
      'The ServiceTitan job type for job type "Drain clog" (plumbing-drain-clog) is "Drain Cleaning", not a ServiceTitan id: pick it from the list',
    );
    expect(missing[1]!.message).toBe('Map a ServiceTitan campaign for marketing source "google_ads"');
    expect(missingVendorIds(SERVICETITAN_REQUIRED_IDS, { jobType: '7001', campaign: '3301', businessUnit: '12' }, keys)).toEqual([]);
    expect(missingVendorIds(undefined, {}, keys)).toEqual([]);
  });
});

describe('fieldNotes', () => {
  it('turns the mapped access notes, customer notes and membership into lines, leaving out what is absent', () => {
    expect(fieldNotes({ access_notes: 'Gate 4412', membership: 'Comfort Club', summary: 'x' })).toEqual(['Access: Gate 4412', 'Member: Comfort Club']);
    expect(fieldNotes({})).toEqual([]);
  });
});
