/**
 * The exception path: a CRM that refuses the write. The booking is kept (its slot committed), answers
 * pending_confirmation (crm_rejected: dispatch confirms once the CRM side is fixed), and a
 * crm_write_failed review item says why. The webhook receiver here answers
 * as a real one would, and checks the HMAC signature like one should.
 */
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bookingRequest, createTestTenant, setCredential, isWindowClaim, storedClaims } from './helpers';

interface Received {
  headers: IncomingMessage['headers'];
  body: string;
}

let server: Server;
let url: string;
let answer = 200;
const received: Received[] = [];
const SECRET = 'whsec_test_only_not_a_real_secret';

beforeAll(async () => {
  server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
    res.writeHead(answer, { 'content-type': 'application/json' });
    res.end(answer === 200 ? JSON.stringify({ id: `ext-${received.length}` }) : JSON.stringify({ error: 'down for maintenance' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/crm`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function webhookTenant() {
  const tenant = await createTestTenant({ crm: { adapter: 'webhook', url, timeoutMs: 2_000 } });
  await setCredential(tenant, 'crm', { adapter: 'webhook', signingKey: SECRET });
  return tenant;
}

describe('CRM write through a signed webhook', () => {
  it('writes the mapped booking with a valid signature and confirms', async () => {
    answer = 200;
    const tenant = await webhookTenant();
    const before = received.length;
    const response = await tenant.call('POST', '/v1/bookings', bookingRequest());
    expect(response.status).toBe(201);
    expect(response.body.status).toBe('confirmed');

    const call = received[before]!;
    const timestamp = String(call.headers['x-jobrelay-timestamp']);
    const expected = `v1=${createHmac('sha256', SECRET).update(`${timestamp}.${call.body}`).digest('hex')}`;
    expect(call.headers['x-jobrelay-signature']).toBe(expected);
    // One write per state and schedule version (crm/write.ts): a later reschedule is never a replay of this one.
    expect(call.headers['idempotency-key']).toBe(`${tenant.tenantId}:${response.body.bookingId}:booked:v1`);
    const payload = JSON.parse(call.body);
    expect(payload).toMatchObject({ event: 'booking.booked', dealStage: 'Booked', fields: { lead_source: 'google_ads' } });
  });

  it('keeps the booking as pending_crm_sync and queues the write for crm-sync when the CRM is down (review only after the retries)', async () => {
    answer = 503;
    const tenant = await webhookTenant();
    const before = received.length;
    const response = await tenant.call('POST', '/v1/bookings', bookingRequest());
    answer = 200;

    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ status: 'pending_crm_sync', statusReason: 'crm_unreachable' });
    // One try inline: the workflow's time budget leaves the retries to the crm-sync outbox.
    expect(received.length - before).toBe(1);

    // The slot is committed: the customer keeps the appointment.
    const claims = await storedClaims(tenant.tenantId);
    expect(claims.filter(isWindowClaim)).toHaveLength(1);
    expect(claims.every((c) => c.status === 'BOOKED' && c.bookingId === response.body.bookingId)).toBe(true);

    // A CRM outage is the outbox's job first (test/integration/crm-outbox.test.ts): no review item yet.
    const review = await tenant.call('GET', '/v1/review-items?kind=crm_write_failed');
    expect(review.status).toBe(200);
    expect(review.body.items).toEqual([]);

    const booking = await tenant.call('GET', `/v1/bookings/${response.body.bookingId}`);
    // The booking workflow's own nodes (the post-booking trail may add entries after them).
    expect(booking.body.timeline.map((e: { node: string; outcome: string }) => `${e.node}:${e.outcome}`).slice(0, 6)).toEqual([
      'RecogniseCustomer:created',
      'CheckCapacity:available',
      'SoftHold:held',
      'WriteCrm:queued_for_crm_sync',
      'CommitSlot:booked',
      'ScheduleNotifications:scheduled',
    ]);
  });

  it('a CRM that rejects the data (4xx) is not retried and goes to review', async () => {
    answer = 400;
    const tenant = await webhookTenant();
    const before = received.length;
    const response = await tenant.call('POST', '/v1/bookings', bookingRequest());
    answer = 200;
    // The slot is kept, but the customer is not told "confirmed" for what the CRM refused: dispatch looks first.
    expect(response.body).toMatchObject({ status: 'pending_confirmation', statusReason: 'crm_rejected' });
    expect(received.length - before).toBe(1);
    const review = await tenant.call('GET', '/v1/review-items');
    expect(review.body.items.map((i: { kind: string }) => i.kind)).toEqual(['crm_write_failed']);
    expect(review.body.items[0].payload.error).toBe('CrmRejectedError');
  });

  it('review items are tenant-scoped', async () => {
    const bystander = await createTestTenant();
    const review = await bystander.call('GET', '/v1/review-items');
    expect(review.status).toBe(200);
    expect(review.body.items).toEqual([]);
  });
});
