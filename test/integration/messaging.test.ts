/**
 * How messages leave: the tenant's provider (Twilio SMS, SES email; contract servers that answer as
 * the vendors document), templates that never send a blank, STOP/START from the customer, quiet
 * hours in the company's time zone. The worker runs here (pollOnce); the sweeper is given the time
 * instead of waiting.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { sweepDueNotifications } from '../../functions/notify/sweep';
import { twilioSignature } from '../../functions/notify/inbound-sms.handler';
import { customerKeys } from '../../functions/recognise/store';
import { queues } from '../../functions/registry';
import { documentClient } from '../../functions/shared/clients';
import { pollOnce } from '../../local/pollers';
import type { LocalSqs } from '../../local/sqs';
import { SesContract } from '../contract-servers/ses';
import { TwilioContract } from '../contract-servers/twilio';
import { putTenant } from '../../functions/tenant/store';
import { demoTenant } from '../../local/demo';
import { bookingRequest, callApi, createTestTenant, itemsWithPrefix, nextWeekday, setCredential, type TestTenant } from './helpers';

const twilio = new TwilioContract();
const ses = new SesContract(new Set(['dispatch@lonestar.example']));
const sqs = { queueUrl: () => process.env.NOTIFY_QUEUE_URL! } as unknown as LocalSqs;
const notifyQueue = queues.find((q) => q.name === 'notify')!;

beforeAll(async () => {
  await Promise.all([twilio.start(), ses.start()]);
});
// Other test files sweep every tenant's due rows (reminders, days later) after these servers are
// gone: back to the local outbox, so those rows are sent there instead of dead-lettering.
const tenantsHere: string[] = [];
async function tenantWith(overrides: Parameters<typeof createTestTenant>[0]): Promise<TestTenant> {
  const tenant = await createTestTenant(overrides);
  tenantsHere.push(tenant.tenantId);
  // The Auth Token is set as an admin sets it; the settings never name it.
  if (overrides?.messaging?.sms?.provider === 'twilio') await setCredential(tenant, 'sms', { provider: 'twilio', authToken: twilio.authToken });
  return tenant;
}
afterAll(async () => {
  await Promise.all(tenantsHere.map((tenantId) => putTenant(demoTenant(tenantId))));
  await Promise.all([twilio.stop(), ses.stop()]);
});

async function deliver(at: Date = new Date()): Promise<void> {
  await sweepDueNotifications(at);
  while ((await pollOnce(sqs, notifyQueue, 0)) > 0);
}

const twilioMessaging = (extra: Record<string, unknown> = {}) => ({
  messaging: {
    sms: { provider: 'twilio' as const, accountSid: twilio.accountSid, from: '+15125550100', baseUrl: twilio.url },
    email: { provider: 'outbox' as const },
    templates: {},
    ...extra,
  },
});

const rowsOf = async (tenant: TestTenant, bookingId: string) =>
  (await itemsWithPrefix(`T#${tenant.tenantId}#BOOKING#${bookingId}`)).filter((i) => i.sk.startsWith('NOTIFY#'));

async function book(tenant: TestTenant, overrides: Record<string, unknown> = {}) {
  const response = await tenant.call('POST', '/v1/bookings', bookingRequest({ window: { date: nextWeekday(3, 4), start: '10:00' }, ...overrides }));
  expect(response.status).toBe(201);
  return response.body;
}

describe('Twilio SMS provider', () => {
  it('sends the confirmation through Twilio, once, and keeps the message sid', async () => {
    const tenant = await tenantWith(twilioMessaging());
    const booking = await book(tenant);
    const before = twilio.messages.length;
    await deliver();
    await deliver();
    const sent = twilio.messages.slice(before).filter((m) => m.to === '+15125550142');
    expect(sent).toHaveLength(1);
    expect(sent[0]!.body).toContain('is confirmed for');
    expect(sent[0]!.from).toBe('+15125550100');
    const outbox = (await tenant.call('GET', `/v1/outbox?bookingId=${booking.bookingId}`)).body.messages;
    expect(outbox.find((m: { kind: string }) => m.kind === 'confirmation')).toMatchObject({ to: '+15125550142' });
    const row = (await rowsOf(tenant, booking.bookingId)).find((r) => r.kind === 'confirmation');
    expect(row).toMatchObject({ status: 'sent' });
  });

  it('retries when Twilio is down and sends once it is back', async () => {
    const tenant = await tenantWith(twilioMessaging());
    // Aimed at this customer's message (the trail's staff messages go through Twilio too), and set
    // before booking: the booking queues its confirmation at once.
    twilio.failNext({ status: 503 }, 1, (request) => new URLSearchParams(request.body).get('To') === '+15125550177');
    const booking = await book(tenant, { customer: { name: 'Retry Person', phone: '512-555-0177' } });
    await deliver();
    expect((await rowsOf(tenant, booking.bookingId)).find((r) => r.kind === 'confirmation')?.status).toBe('queued');
    // The failed message comes back after the local queue's visibility timeout: deliver until it has.
    await expect
      .poll(async () => {
        await deliver();
        return twilio.messages.filter((m) => m.to === '+15125550177').length;
      })
      .toBe(1);
    await deliver();
    expect(twilio.messages.filter((m) => m.to === '+15125550177')).toHaveLength(1);
  });

  it('a customer who replies STOP gets nothing more, START brings messages back; unsigned replies are refused', async () => {
    const tenant = await tenantWith(twilioMessaging());
    const phone = '+15125550166';
    await book(tenant, { customer: { name: 'Stop Person', phone } });
    await deliver();
    const url = `${inject('apiUrl')}/v1/webhooks/sms/${tenant.tenantId}`;
    const reply = async (Body: string, signature?: string) => {
      // Each reply its own provider message id: a repeated MessageSid is the same message, acted on once.
      const params = { From: phone, To: '+15125550100', Body, MessageSid: `SM${Body.trim()}${Date.now()}` };
      const signed = twilioSignature(twilio.authToken, url.replace(/^http:\/\//, 'https://'), params);
      return callApi('POST', `/v1/webhooks/sms/${tenant.tenantId}`, {
        rawBody: new URLSearchParams(params).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature ?? signed },
      });
    };
    expect((await reply('STOP', 'forged')).status).toBe(403);
    const stopped = await reply(' stop ');
    expect(stopped.status).toBe(200);
    expect(stopped.headers.get('x-jobrelay-action')).toBe('opted_out');

    const toCustomer = () => twilio.messages.filter((m) => m.to === phone).length;
    const before = toCustomer();
    const second = await book(tenant, { customer: { name: 'Stop Person', phone }, notes: 'second job' });
    await deliver();
    // Staff still hear of the job; the customer hears nothing.
    expect(toCustomer()).toBe(before);
    expect((await rowsOf(tenant, second.bookingId)).find((r) => r.kind === 'confirmation')).toMatchObject({
      status: 'suppressed',
      statusReason: 'the customer opted out of messages',
    });

    expect((await reply('START')).headers.get('x-jobrelay-action')).toBe('opted_in');
    const third = await book(tenant, { customer: { name: 'Stop Person', phone }, notes: 'third job' });
    await deliver();
    expect((await rowsOf(tenant, third.bookingId)).find((r) => r.kind === 'confirmation')?.status).toBe('sent');
  });
});

describe('templates', () => {
  it("fills the tenant's template, and a template with a missing variable goes to review instead of sending a blank", async () => {
    const good = await tenantWith({
      messaging: {
        sms: { provider: 'outbox' },
        email: { provider: 'outbox' },
        templates: { confirmation: 'Hi {{firstName}}! {{companyName}} sees you {{date}} from {{start}}.' },
      },
    });
    const booking = await book(good);
    await deliver();
    const text = (await good.call('GET', `/v1/outbox?bookingId=${booking.bookingId}`)).body.messages.find(
      (m: { kind: string }) => m.kind === 'confirmation',
    ).text;
    // Variables are formatted for people in the company's time zone ({{date}} "Mon, Nov 30", {{start}} "10 AM").
    const day = DateTime.fromISO(booking.window.date).setLocale('en-US').toFormat('ccc, LLL d');
    expect(text).toBe(`Hi Jordan! Lone Star Plumbing & Air sees you ${day} from 10 AM.`);

    const broken = await tenantWith({
      messaging: { sms: { provider: 'outbox' }, email: { provider: 'outbox' }, templates: { confirmation: 'Hi {{firstName}}, your coupon {{couponCode}}' } },
    });
    const other = await book(broken);
    await deliver();
    expect((await rowsOf(broken, other.bookingId)).find((r) => r.kind === 'confirmation')).toMatchObject({ status: 'failed' });
    const review = (await broken.call('GET', '/v1/review-items?kind=notification_failed')).body.items;
    expect(review).toHaveLength(1);
    expect(review[0].reason).toContain('couponCode');
  });
});

describe('quiet hours', () => {
  it("holds customer messages until quiet hours end in the company's time zone; staff messages still go", async () => {
    const local = DateTime.now().setZone('America/Chicago');
    const quietHours = { start: local.minus({ minutes: 30 }).toFormat('HH:mm'), end: local.plus({ minutes: 90 }).toFormat('HH:mm') };
    const tenant = await tenantWith({ messaging: { sms: { provider: 'outbox' }, email: { provider: 'outbox' }, templates: {}, quietHours } });
    const booking = await book(tenant);
    await deliver();
    const row = (await rowsOf(tenant, booking.bookingId)).find((r) => r.kind === 'confirmation')!;
    expect(row.status).toBe('pending');
    expect(row.deferredReason).toBe(`quiet hours ${quietHours.start}-${quietHours.end}`);
    const quietEnd = local.plus({ minutes: 90 }).set({ second: 0, millisecond: 0 });
    expect(DateTime.fromISO(row.dueAt).toMillis()).toBe(quietEnd.toMillis());

    // Once due, it goes. The notify queue is shared by every test process and each worker reads its
    // own clock, so instead of moving this process's clock the quiet hours move out of the way.
    await putTenant({
      ...demoTenant(tenant.tenantId),
      messaging: {
        sms: { provider: 'outbox' },
        email: { provider: 'outbox' },
        templates: {},
        quietHours: { start: local.plus({ hours: 3 }).toFormat('HH:mm'), end: local.plus({ hours: 4 }).toFormat('HH:mm') },
      },
    });
    await deliver(quietEnd.plus({ minutes: 1 }).toJSDate());
    expect((await rowsOf(tenant, booking.bookingId)).find((r) => r.kind === 'confirmation')?.status).toBe('sent');
  });
});

describe('SES email provider', () => {
  it('emails customers who prefer email through SES; an unverified sender goes to review', async () => {
    const tenant = await tenantWith({
      messaging: { sms: { provider: 'outbox' }, email: { provider: 'ses', from: 'dispatch@lonestar.example', endpoint: ses.url }, templates: {} },
    });
    const booking = await book(tenant);
    // The customer says: email me, not texts.
    await documentClient().send(
      new UpdateCommand({
        TableName: process.env.TABLE_NAME,
        Key: customerKeys.customer(tenant.tenantId, booking.customerId),
        UpdateExpression: 'SET communicationPreferences.channels = :channels',
        ExpressionAttributeValues: { ':channels': ['email'] },
      }),
    );
    const second = await book(tenant, { notes: 'by email please' });
    await deliver();
    // A subject a person would write, a plain-text part and an HTML part.
    const day = DateTime.fromISO(second.window.date).setLocale('en-US').toFormat('ccc, LLL d');
    const email = ses.emails.find((e) => e.to.includes('jordan.rivera@example.com') && e.text.includes(`${day}, 10 AM-12 PM`));
    expect(email).toMatchObject({ from: 'dispatch@lonestar.example', subject: `Lone Star Plumbing & Air: Your Drain clog visit is confirmed for ${day}` });
    expect(email!.html).toContain('<html');
    expect(email!.html).toContain(`${day}, 10 AM-12 PM`);

    const unverified = await tenantWith({
      messaging: { sms: { provider: 'outbox' }, email: { provider: 'ses', from: 'nobody@unverified.example', endpoint: ses.url }, templates: {} },
    });
    const b = await book(unverified);
    await documentClient().send(
      new UpdateCommand({
        TableName: process.env.TABLE_NAME,
        Key: customerKeys.customer(unverified.tenantId, b.customerId),
        UpdateExpression: 'SET communicationPreferences.channels = :channels',
        ExpressionAttributeValues: { ':channels': ['email'] },
      }),
    );
    const c = await book(unverified, { notes: 'again' });
    await deliver();
    expect((await rowsOf(unverified, c.bookingId)).find((r) => r.kind === 'confirmation')).toMatchObject({ status: 'failed' });
    expect((await unverified.call('GET', '/v1/review-items?kind=notification_failed')).body.items[0].reason).toContain('not verified');
  });
});
