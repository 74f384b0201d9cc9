/**
 * Issue 19: what a booking run carries instead of reading again (booking/facts.ts), the tenant
 * configuration's version (tenant/config-cache.ts) and the timeline kept on the booking item
 * (booking/store.ts timelineOf): pure, no AWS.
 */
import { describe, expect, it } from 'vitest';
import { snapshotOf } from '../../functions/booking/facts';
import { type BookingRecord, timelineOf } from '../../functions/booking/store';
import { configVersion } from '../../functions/tenant/config-cache';
import { demoTenant } from '../../local/demo';

describe('tenant configuration version', () => {
  it('is the same for the same configuration whatever the order of its keys, and changes with any field', () => {
    const tenant = demoTenant('acme-plumbing');
    const reordered = Object.fromEntries(Object.entries(tenant).reverse()) as typeof tenant;
    expect(configVersion(reordered)).toBe(configVersion(tenant));
    const fewerWindows = { ...tenant, arrivalWindows: tenant.arrivalWindows.slice(1) };
    expect(configVersion(fewerWindows)).not.toBe(configVersion(tenant));
    expect(configVersion({ ...tenant, name: `${tenant.name} ` })).not.toBe(configVersion(tenant));
  });

  it("changes with the technicians' version (every technician write changes it: a container's copy of the technicians is kept per version)", () => {
    const tenant = demoTenant('acme-plumbing');
    expect(configVersion(tenant, 'v1')).toBe(configVersion(tenant, 'v1'));
    expect(configVersion(tenant, 'v2')).not.toBe(configVersion(tenant, 'v1'));
    expect(configVersion(tenant, 'v1')).not.toBe(configVersion(tenant));
  });
});

describe('booking facts in the workflow state', () => {
  const record = {
    tenantId: 'acme-plumbing',
    bookingId: 'b1',
    status: 'received',
    jobTypeId: 'plumbing-drain-clog',
    window: null,
    channel: 'voice',
    createdAt: '2026-12-01T15:00:00.000Z',
    updatedAt: '2026-12-01T15:00:00.000Z',
    request: {
      customer: { name: 'Maria Lopez', phone: '512-555-0142', email: 'maria@example.com' },
      address: { line1: '12 Elm St', city: 'Austin', region: 'TX', postalCode: '78701', country: 'US' },
      jobTypeId: 'plumbing-drain-clog',
      channel: 'voice',
      notes: 'gate code 1234',
      window: { date: '2026-12-03', start: '10:00' },
    },
  } as unknown as BookingRecord;

  it('carries what capacity decides on and none of the caller: no name, phone, email, street or notes', () => {
    const snapshot = snapshotOf(record);
    expect(snapshot).toEqual({
      jobTypeId: 'plumbing-drain-clog',
      status: 'received',
      window: null,
      request: { address: { postalCode: '78701', country: 'US' }, window: { date: '2026-12-03', start: '10:00' } },
    });
    const text = JSON.stringify(snapshot);
    for (const pii of ['Maria', '555', 'example.com', 'Elm', '1234']) expect(text).not.toContain(pii);
  });
});

describe('timeline', () => {
  it('merges the entries on the booking item with the separate ones, oldest first', () => {
    const items = [
      {
        pk: 'T#t#BOOKING#b1',
        sk: 'BOOKING',
        timeline: [
          { at: '2026-12-01T15:00:01.000Z', node: 'RecogniseCustomer', outcome: 'created' },
          { at: '2026-12-01T15:00:02.000Z', node: 'CheckCapacity', outcome: 'available' },
          { at: '2026-12-01T15:00:02.000Z', node: 'SoftHold', outcome: 'held' },
        ],
      },
      {
        pk: 'T#t#BOOKING#b1',
        sk: 'TIMELINE#2026-12-01T15:00:03.000Z#ScheduleNotifications#scheduled',
        at: '2026-12-01T15:00:03.000Z',
        node: 'ScheduleNotifications',
        outcome: 'scheduled',
        detail: { added: 3 },
      },
      {
        pk: 'T#t#BOOKING#b1',
        sk: 'TIMELINE#2026-12-01T15:00:00.500Z#DuplicateCheck#repeat_request',
        at: '2026-12-01T15:00:00.500Z',
        node: 'DuplicateCheck',
        outcome: 'repeat_request',
      },
    ];
    expect(timelineOf(items).map((entry) => entry.node)).toEqual(['DuplicateCheck', 'RecogniseCustomer', 'CheckCapacity', 'SoftHold', 'ScheduleNotifications']);
    expect(timelineOf(items).at(-1)).toEqual({ at: '2026-12-01T15:00:03.000Z', node: 'ScheduleNotifications', outcome: 'scheduled', detail: { added: 3 } });
  });
});
