/**
 * Issue 21: room a change makes is never silently lost. A slot a cancellation frees goes to the
 * earliest waiting caller by text (leads/waitlist.ts offerFreedSlot); a caller who texted STOP would
 * never get that text (the send worker suppresses it), so dispatch must call them instead: a `callback`
 * review item on their lead, naming the freed window. Through the public API: Twilio's signed STOP
 * webhook, the cancel route, the review queue and the leads.
 */
import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { twilioSignature } from '../../functions/notify/inbound-sms.handler';
import { cancelBooking } from '../../functions/booking/changes';
import { putTenant } from '../../functions/tenant/store';
import { demoTenant } from '../../local/demo';
import { TwilioContract } from '../contract-servers/twilio';
import { callApi, createTestTenant, itemsWithPrefix, setCredential, type TestTenant } from './helpers';
import { withDynamoFault } from './dynamo-faults';
import { fullDayWithTwoWaiting } from './waitlist-helpers';

const twilio = new TwilioContract();
const TENANT_NUMBER = '+15125550100';
const tenantsHere: string[] = [];

beforeAll(() => twilio.start());
// Rows other files sweep later go back to the local outbox, not to a stopped contract server.
afterAll(async () => {
  await Promise.all(tenantsHere.map((tenantId) => putTenant(demoTenant(tenantId))));
  await twilio.stop();
});

/** A company whose texts go through Twilio (the contract server), its Auth Token set as an admin sets it. */
async function twilioTenant(): Promise<TestTenant> {
  const tenant = await createTestTenant({
    messaging: {
      sms: { provider: 'twilio', accountSid: twilio.accountSid, from: TENANT_NUMBER, baseUrl: twilio.url },
      email: { provider: 'outbox' },
      templates: {},
    },
  } as never);
  tenantsHere.push(tenant.tenantId);
  await setCredential(tenant, 'sms', { provider: 'twilio', authToken: twilio.authToken });
  return tenant;
}

/** The customer texts the company, as Twilio posts it (signed with the tenant's Auth Token). */
async function texts(tenant: TestTenant, from: string, body: string) {
  const path = `/v1/webhooks/sms/${tenant.tenantId}`;
  const params = { From: from, To: TENANT_NUMBER, Body: body, MessageSid: `SM${ulid()}`, AccountSid: twilio.accountSid };
  const signature = twilioSignature(twilio.authToken, `${inject('apiUrl')}${path}`.replace(/^http:\/\//, 'https://'), params);
  return callApi('POST', path, {
    rawBody: new URLSearchParams(params).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
  });
}

describe('a freed slot the waiting caller cannot be texted about', () => {
  it('goes to dispatch as a callback item on their lead, naming the window; the later caller is not offered it too', async () => {
    const tenant = await twilioTenant();
    const { date, first, earlier, later } = await fullDayWithTwoWaiting(tenant, [
      { name: 'Avery Lopez', phone: '(512) 555-0181' },
      { name: 'Blake Chen', phone: '(512) 555-0182' },
    ]);
    // The earlier caller then texts STOP: no text of ours reaches them any more.
    const stopped = await texts(tenant, '+15125550181', 'STOP');
    expect(stopped.status).toBe(200);
    expect(stopped.headers.get('x-jobrelay-action')).toBe('opted_out');

    const cancelled = await tenant.call('POST', `/v1/bookings/${first.bookingId}/cancel`, { reason: 'customer fixed it' });
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);

    // Dispatch is told to call the earlier caller about that window.
    const items = (await tenant.call('GET', '/v1/review-items?kind=callback&status=open')).body.items as Array<Record<string, any>>;
    const item = items.find((i) => i.subject.type === 'lead' && i.subject.id === earlier.leadId);
    expect(item, JSON.stringify(items)).toMatchObject({
      payload: {
        leadId: earlier.leadId,
        window: { date, start: '10:00', end: '12:00' },
        freedBy: first.bookingId,
        unreachable: 'the customer opted out of messages',
      },
    });
    expect(item!.reason).toMatch(
      /^A cancellation freed \w{3}, \w{3} \d{1,2}, 10(:00)? AM.12(:00)? PM, but texts cannot reach the waiting caller Avery Lopez \(.*\): call them/,
    );
    // The place is theirs (offered, by a person), not texted, and not offered to the later caller as well.
    const byId = new Map(((await tenant.call('GET', '/v1/leads')).body.items as Array<Record<string, any>>).map((l) => [l.leadId, l]));
    expect(byId.get(earlier.leadId)).toMatchObject({ status: 'offered', offer: expect.objectContaining({ date, start: '10:00', freedBy: first.bookingId }) });
    expect(byId.get(later.leadId)).toMatchObject({ status: 'waitlisted' });
    const offerRows = async (bookingId: string) =>
      (await itemsWithPrefix(`T#${tenant.tenantId}#BOOKING#${bookingId}`)).filter(
        (row) => String(row.sk).startsWith('NOTIFY#') && row.kind === 'waitlist_offer',
      );
    expect(await offerRows(earlier.booking.bookingId)).toHaveLength(0);
    expect(await offerRows(later.booking.bookingId)).toHaveLength(0);
  }, 240_000);

  it("an offer whose text cannot be written stays the first caller's, as a callback item: the later caller is not offered the same slot", async () => {
    const tenant = await createTestTenant();
    const { date, first, earlier, later } = await fullDayWithTwoWaiting(tenant, [
      { name: 'Casey Park', phone: '(512) 555-0183' },
      { name: 'Drew Ortiz', phone: '(512) 555-0184' },
    ]);

    // DynamoDB throttles the write of the offer's text (its ledger row), once; the cancellation runs
    // here, in this process, so that the failure can be put in its way.
    const throttled = await withDynamoFault(
      {
        when: (input) => input.includes(tenant.tenantId) && input.includes('"kind":"waitlist_offer"'),
        error: () => Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), { name: 'ThrottlingException' }),
      },
      1,
      () => cancelBooking(tenant.tenantId, first.bookingId, 'customer fixed it', 'test', new Date()),
    );
    expect(throttled.refused).toBe(1);

    const items = (await tenant.call('GET', '/v1/review-items?kind=callback&status=open')).body.items as Array<Record<string, any>>;
    const item = items.find((i) => i.subject.type === 'lead' && i.subject.id === earlier.leadId);
    expect(item, JSON.stringify(items)).toMatchObject({ payload: { leadId: earlier.leadId, window: { date, start: '10:00' }, error: 'ThrottlingException' } });
    expect(item!.reason).toMatch(
      /^A cancellation freed \w{3}, \w{3} \d{1,2}, 10(:00)? AM.12(:00)? PM, but the text offering it to the waiting caller Casey Park could not be sent \(ThrottlingException: .*\): call them/,
    );
    const byId = new Map(((await tenant.call('GET', '/v1/leads')).body.items as Array<Record<string, any>>).map((l) => [l.leadId, l]));
    expect(byId.get(earlier.leadId)).toMatchObject({ status: 'offered', offer: expect.objectContaining({ date, start: '10:00', freedBy: first.bookingId }) });
    expect(byId.get(later.leadId)).toMatchObject({ status: 'waitlisted' });
    expect(items.filter((i) => i.subject.id === later.leadId)).toEqual([]);
  }, 240_000);
});
