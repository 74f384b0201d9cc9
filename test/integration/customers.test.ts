/**
 * Customer recognition through the public API: POST /v1/customers/lookup on normalised phone, email
 * and service address, and the RecogniseCustomer node reusing, creating, or flagging a suspected
 * duplicate (never merging silently). Asserts on what DynamoDB Local really holds.
 */
import { describe, expect, it } from 'vitest';
import { bookingRequest, createTestTenant, itemsByKeys, itemsWithPrefix } from './helpers';
import { customerKeys } from '../../functions/recognise/store';

const address = { line1: '1100 Congress Ave', line2: 'Apt 4B', city: 'Austin', region: 'TX', postalCode: '78701', country: 'US' };

describe('POST /v1/customers/lookup', () => {
  it('finds nobody for a new caller, then the booked customer by phone, email or address in any written form', async () => {
    const tenant = await createTestTenant();
    const before = await tenant.call('POST', '/v1/customers/lookup', { phone: '(512) 555-0142' });
    expect(before.status).toBe(200);
    expect(before.body).toEqual({ match: 'none', matchedOn: [], customer: null, candidates: [] });

    const booked = await tenant.call('POST', '/v1/bookings', bookingRequest());
    expect(booked.status).toBe(201);
    const customerId = booked.body.customerId;

    const byPhone = await tenant.call('POST', '/v1/customers/lookup', { phone: '+1 512-555-0142' });
    expect(byPhone.body).toMatchObject({ match: 'matched', matchedOn: ['phone'] });
    // Every profile field is a stored fact (empty for a new customer), not a placeholder.
    expect(byPhone.body.customer).toEqual({
      customerId,
      name: 'Jordan Rivera',
      phone: '+15125550142',
      email: 'jordan.rivera@example.com',
      locations: [address],
      serviceHistory: [],
      equipment: [],
      membership: { status: 'none' },
      openEstimates: [],
      communicationPreferences: { channels: ['sms'], optedOut: false },
    });
    const [stored] = await itemsByKeys([customerKeys.customer(tenant.tenantId, customerId)]);
    expect(stored).toMatchObject({ serviceHistory: [], equipment: [], membership: { status: 'none' }, openEstimates: [] });

    const byEmail = await tenant.call('POST', '/v1/customers/lookup', { email: 'Jordan.Rivera@EXAMPLE.com' });
    expect(byEmail.body).toMatchObject({ match: 'matched', matchedOn: ['email'], customer: { customerId } });

    const byAddress = await tenant.call('POST', '/v1/customers/lookup', {
      address: { line1: '1100 CONGRESS AVENUE', line2: '#4b', city: 'austin', region: 'TX', postalCode: '78701-2020' },
    });
    expect(byAddress.body).toMatchObject({ match: 'matched', matchedOn: ['address'], customer: { customerId } });

    const otherUnit = await tenant.call('POST', '/v1/customers/lookup', {
      address: { line1: '1100 Congress Ave', line2: 'Unit 4C', city: 'Austin', region: 'TX', postalCode: '78701' },
    });
    expect(otherUnit.body.match).toBe('none');

    // Another tenant never sees this customer.
    const bystander = await createTestTenant();
    const elsewhere = await bystander.call('POST', '/v1/customers/lookup', { phone: '+15125550142' });
    expect(elsewhere.body.match).toBe('none');
  });

  it('is an agent tool in /v1/tools.json', async () => {
    const { callApi } = await import('./helpers');
    const tools = await callApi('GET', '/v1/tools.json');
    const tool = tools.body.tools.find((t: { name: string }) => t.name === 'lookup_customer');
    expect(tool).toMatchObject({ method: 'POST', path: '/v1/customers/lookup' });
    expect(Object.keys(tool.parameters.properties).sort()).toEqual(['address', 'email', 'name', 'phone']);
  });

  it('answers 400 naming the field for an empty lookup or a bad phone, and 401 without a key', async () => {
    const tenant = await createTestTenant();
    const empty = await tenant.call('POST', '/v1/customers/lookup', {});
    expect(empty.status).toBe(400);
    expect(empty.body.error.field).toBe('phone');
    const bad = await tenant.call('POST', '/v1/customers/lookup', { phone: '12345678' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('phone');
    const anonymous = await fetch(`${(await import('vitest')).inject('apiUrl')}/v1/customers/lookup`, { method: 'POST', body: '{"phone":"5125550142"}' });
    expect(anonymous.status).toBe(401);
  });
});

describe('RecogniseCustomer in the booking workflow', () => {
  it('reuses the customer on a phone or address match and never creates a duplicate; enriches what was missing', async () => {
    const tenant = await createTestTenant();
    const first = await tenant.call('POST', '/v1/bookings', bookingRequest({ customer: { name: 'Jordan Rivera', phone: '512 555 0142' } }));
    // Same person, same place, no phone match (a new number), address written differently, now with an email.
    const second = await tenant.call(
      'POST',
      '/v1/bookings',
      bookingRequest({
        customer: { name: 'Jordan Rivera', phone: '512 555 0177', email: 'jr@example.com' },
        address: { ...address, line1: '1100 congress avenue', line2: 'unit 4b' },
        channel: 'web',
      }),
    );
    expect(second.status).toBe(201);
    expect(second.body.customerId).toBe(first.body.customerId);
    expect(await itemsWithPrefix(`T#${tenant.tenantId}#CUSTOMER#`)).toHaveLength(1);
    const timeline = (await tenant.call('GET', `/v1/bookings/${second.body.bookingId}`)).body.timeline;
    expect(timeline[0]).toMatchObject({ node: 'RecogniseCustomer', outcome: 'matched', detail: { matchedOn: ['address'] } });
    // Enriched: the email it lacked is now on the record and finds it.
    const byEmail = await tenant.call('POST', '/v1/customers/lookup', { email: 'jr@example.com' });
    expect(byEmail.body.customer.customerId).toBe(first.body.customerId);
  });

  it.each([
    ['same address, different name and phone', { name: 'Sam Okafor', phone: '512 555 0188' }, 'same address, different name and phone'],
    ['same phone, different name', { name: 'Morgan Blake', phone: '512 555 0142' }, 'same phone, different name'],
  ])('%s: books against a new record and opens a suspected_duplicate item naming both', async (_, customer, reason) => {
    const tenant = await createTestTenant();
    const first = await tenant.call('POST', '/v1/bookings', bookingRequest({ customer: { name: 'Jordan Rivera', phone: '512 555 0142' } }));
    const second = await tenant.call('POST', '/v1/bookings', bookingRequest({ customer }));
    expect(second.status).toBe(201);
    expect(second.body.status).toBe('confirmed');
    expect(second.body.customerId).not.toBe(first.body.customerId);

    const customers = await itemsWithPrefix(`T#${tenant.tenantId}#CUSTOMER#`);
    expect(customers.map((c) => c.name).sort()).toEqual([customer.name, 'Jordan Rivera'].sort());
    const review = await tenant.call('GET', '/v1/review-items?kind=suspected_duplicate');
    expect(review.body.items).toHaveLength(1);
    expect(review.body.items[0]).toMatchObject({
      status: 'open',
      subject: { type: 'customer', id: second.body.customerId },
      payload: { newCustomerId: second.body.customerId, candidateCustomerId: first.body.customerId, bookingId: second.body.bookingId, match: reason },
    });
    const timeline = (await tenant.call('GET', `/v1/bookings/${second.body.bookingId}`)).body.timeline;
    expect(timeline[0]).toMatchObject({ node: 'RecogniseCustomer', outcome: 'suspected_duplicate' });
    // The original record is untouched (never merged).
    const original = customers.find((c) => c.customerId === first.body.customerId)!;
    expect(original.name).toBe('Jordan Rivera');
    expect(original.phoneE164).toBe('+15125550142');
  });

  it('concurrent first-time bookings from one caller become one customer (conditional claims)', async () => {
    const tenant = await createTestTenant();
    const responses = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        tenant.call(
          'POST',
          '/v1/bookings',
          bookingRequest({ customer: { name: 'Rae Storm', phone: `(512) 555-0${300 + 0}`, email: 'rae@example.com' }, notes: `call ${i}` }),
        ),
      ),
    );
    const ids = responses.map((r) => r.body.customerId ?? r.body.booking?.customerId);
    expect(new Set(ids).size).toBe(1);
    // One read of the tenant's items for the three counts (each Scan reads the whole table).
    const items = await itemsWithPrefix(`T#${tenant.tenantId}#`);
    const under = (prefix: string) => items.filter((item) => item.pk.startsWith(`T#${tenant.tenantId}#${prefix}`));
    expect(under('CUSTOMER#')).toHaveLength(1);
    expect(under('PHONE#')).toHaveLength(1);
    expect(under('EMAIL#')).toHaveLength(1);
  });

  it('lookup with a name tells the resident from another person at the same address', async () => {
    const tenant = await createTestTenant();
    const booked = await tenant.call('POST', '/v1/bookings', bookingRequest());
    const same = await tenant.call('POST', '/v1/customers/lookup', { name: 'jordan rivera', address });
    expect(same.body).toMatchObject({ match: 'matched', customer: { customerId: booked.body.customerId } });
    const other = await tenant.call('POST', '/v1/customers/lookup', { name: 'Sam Okafor', phone: '512 555 0188', address });
    expect(other.body).toMatchObject({ match: 'uncertain', customer: null });
    expect(other.body.candidates.map((c: { customerId: string }) => c.customerId)).toEqual([booked.body.customerId]);
  });
});
