/**
 * Two-way SMS (issue 16 item 3): a customer's replies to our texts, as Twilio posts them to
 * POST /v1/webhooks/sms/{tenantId}, signed with the tenant's Auth Token. C confirms, R offers three
 * windows and the number books one through the reschedule path (the claims move), CANCEL asks and
 * YES cancels, anything else reaches the dispatcher (review item + alert); one MessageSid acts once.
 */
import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { updateBooking } from '../../functions/booking/store';
import { twilioSignature } from '../../functions/notify/inbound-sms.handler';
import { putLedgerRows } from '../../functions/notify/store';
import { addDays } from '../../functions/shared/zoned-time';
import { putJobType, putTenant } from '../../functions/tenant/store';
import { demoJobTypes, demoTenant } from '../../local/demo';
import { StripeContract } from '../contract-servers/stripe';
import { TwilioContract } from '../contract-servers/twilio';
import { deliverDue, drain } from './lifecycle-helpers';
import {
  bookingRequest,
  bookOnTechnician,
  callApi,
  createTestTenant,
  customerByPhone,
  itemsWithPrefix,
  makeMember,
  partitionItems,
  nextWeekday,
  routePlumbingCompany,
  setCredential,
  type TestTenant,
  isWindowClaim,
  storedClaims,
} from './helpers';

const twilio = new TwilioContract();
const TENANT_NUMBER = '+15125550100';
const tenantsHere: string[] = [];

beforeAll(async () => {
  await twilio.start();
});
afterAll(async () => {
  // Rows other files sweep later go back to the local outbox, not to a stopped contract server.
  await Promise.all(tenantsHere.map((tenantId) => putTenant(demoTenant(tenantId))));
  await twilio.stop();
});

/** The company settings that send its texts through the Twilio contract server. */
const twilioMessaging = () => ({
  messaging: {
    sms: { provider: 'twilio', accountSid: twilio.accountSid, from: TENANT_NUMBER, baseUrl: twilio.url },
    email: { provider: 'outbox' },
    templates: {},
  },
});

async function twilioTenant(overrides: Record<string, unknown> = {}): Promise<TestTenant> {
  return withTwilio(await createTestTenant({ ...twilioMessaging(), ...overrides } as never));
}

/** A tenant made with twilioMessaging(): its Auth Token set, its settings put back after the file. */
async function withTwilio(tenant: TestTenant): Promise<TestTenant> {
  tenantsHere.push(tenant.tenantId);
  await setCredential(tenant, 'sms', { provider: 'twilio', authToken: twilio.authToken });
  return tenant;
}

/** A fresh phone per test: conversations are per tenant and phone. */
const newPhone = () => `+1512555${String(1000 + Math.floor(Math.random() * 8999)).padStart(4, '0')}`;

/** `extra`: more of the booking request (another job type, another address: another customer). */
async function book(tenant: TestTenant, phone: string, window = { date: nextWeekday(3, 4), start: '10:00' }, extra: Record<string, unknown> = {}) {
  const response = await tenant.call('POST', '/v1/bookings', bookingRequest({ customer: { name: 'Ana Lopez', phone }, window, ...extra }));
  // 202 on a loaded machine: the booking finishes behind its status URL.
  expect([201, 202], JSON.stringify(response.body)).toContain(response.status);
  await expect
    .poll(async () => (await tenant.call('GET', `/v1/bookings/${response.body.bookingId}`)).body.status, { timeout: 60_000, interval: 500 })
    .toBe('confirmed');
  return (await tenant.call('GET', `/v1/bookings/${response.body.bookingId}`)).body;
}

/**
 * The customer texts `Body` from `phone`, signed as Twilio signs it (or with `signature`). `extra`:
 * more webhook parameters (a Messaging Service's `MessagingServiceSid`, Advanced Opt-Out's `OptOutType`).
 */
async function reply(
  tenant: TestTenant,
  phone: string,
  Body: string,
  options: { sid?: string; signature?: string | null; extra?: Record<string, string> } = {},
) {
  const path = `/v1/webhooks/sms/${tenant.tenantId}`;
  const params = { From: phone, To: TENANT_NUMBER, Body, MessageSid: options.sid ?? `SM${ulid()}`, AccountSid: twilio.accountSid, ...options.extra };
  const url = `${inject('apiUrl')}${path}`.replace(/^http:\/\//, 'https://');
  const signature = options.signature === undefined ? twilioSignature(twilio.authToken, url, params) : options.signature;
  const response = await fetch(`${inject('apiUrl')}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(signature === null ? {} : { 'x-twilio-signature': signature }) },
    body: new URLSearchParams(params).toString(),
  });
  const twiml = await response.text();
  const message = /<Message>([\s\S]*)<\/Message>/.exec(twiml)?.[1]?.replace(/&#39;/g, "'").replace(/&#34;/g, '"').replace(/&#38;/g, '&');
  return {
    status: response.status,
    action: response.headers.get('x-jobrelay-action'),
    replayed: response.headers.get('x-jobrelay-replayed') === 'true',
    message,
  };
}

const slotsOf = async (tenant: TestTenant, bookingId: string) =>
  (await storedClaims(tenant.tenantId)).filter((c) => isWindowClaim(c) && c.bookingId === bookingId && c.status === 'BOOKED');

async function deliver(): Promise<void> {
  await deliverDue();
}

describe('two-way SMS', { timeout: 180_000 }, () => {
  it('R offers three windows by number, and 2 books the second through the reschedule path: the claims move', async () => {
    const tenant = await twilioTenant();
    const phone = newPhone();
    const booking = await book(tenant, phone);
    const before = await slotsOf(tenant, booking.bookingId);
    expect(before.map((s) => `${s.date} ${s.start}`)).toEqual([`${booking.window.date} ${booking.window.start}`]);

    const offered = await reply(tenant, phone, 'R');
    expect(offered).toMatchObject({ status: 200, action: 'reschedule_offered' });
    expect(offered.message).toMatch(/reply with a number/);
    expect(offered.message).toMatch(/1\) \w{3}, \w{3} \d{1,2}, .*2\) .*3\) /);
    const [conversation] = await partitionItems(`T#${tenant.tenantId}#SMSCONV#${phone}`);
    const second = conversation!.awaiting.options[1];

    const chosen = await reply(tenant, phone, ' 2 ');
    expect(chosen).toMatchObject({ status: 200, action: 'rescheduled' });
    const after = (await tenant.call('GET', `/v1/bookings/${booking.bookingId}`)).body;
    expect(after.window).toMatchObject({ date: second.date, start: second.start });
    expect(after.timeline).toContainEqual(
      expect.objectContaining({ node: 'RescheduleBooking', outcome: 'rescheduled', detail: expect.objectContaining({ by: 'customer (text reply)' }) }),
    );
    // The claims moved: the new window is booked for this booking, the old one is free.
    const moved = await slotsOf(tenant, booking.bookingId);
    expect(moved.map((s) => `${s.date} ${s.start}`)).toEqual([`${second.date} ${second.start}`]);
    // The customer hears the new time from the reschedule's own message.
    await deliver();
    const outbox = (await tenant.call('GET', `/v1/outbox?bookingId=${booking.bookingId}`)).body.messages;
    expect(outbox.find((m: { kind: string }) => m.kind === 'reschedule_confirmation')).toMatchObject({ to: phone });
    // A number with nothing asked is just a reply for dispatch.
    expect((await reply(tenant, phone, '2')).action).toBe('customer_reply');
  });

  it("R at its job type's daily cap offers the other windows of the job's own day (its place there is its own), and 1 moves it there", async () => {
    // Issue 21: a move keeps the job's daily place (keptTokens); the windows offered by text count it as given back.
    const tenant = await twilioTenant();
    const drains = demoJobTypes.find((j) => j.jobTypeId === 'plumbing-drain-clog')!;
    await putJobType(tenant.tenantId, { ...drains, dailyCap: 1 });
    // The first open day is filled by another job; the job is booked in the last window of the next day with windows.
    const filler = await bookOnTechnician(tenant, bookingRequest());
    const week = await tenant.call(
      'GET',
      `/v1/availability?jobTypeId=plumbing-drain-clog&postalCode=78701&from=${filler.window.date}&to=${addDays(filler.window.date, 6)}`,
    );
    const day = week.body.windows.find((w: { date: string }) => w.date !== filler.window.date).date as string;
    const dayStarts = week.body.windows.filter((w: { date: string }) => w.date === day).map((w: { start: string }) => w.start);
    expect(dayStarts).toEqual(['08:00', '10:00', '12:00', '14:00']);
    const phone = newPhone();
    const booking = await book(tenant, phone, { date: day, start: '14:00' });

    const offered = await reply(tenant, phone, 'R');
    expect(offered).toMatchObject({ status: 200, action: 'reschedule_offered' });
    const [conversation] = await partitionItems(`T#${tenant.tenantId}#SMSCONV#${phone}`);
    const options = conversation!.awaiting.options.map((w: { date: string; start: string }) => `${w.date} ${w.start}`);
    // Before: the job's own day was full for a drain job, so only later days were offered.
    expect(options).toEqual([`${day} 08:00`, `${day} 10:00`, `${day} 12:00`]);

    expect(await reply(tenant, phone, '1')).toMatchObject({ status: 200, action: 'rescheduled' });
    expect((await tenant.call('GET', `/v1/bookings/${booking.bookingId}`)).body.window).toMatchObject({ date: day, start: '08:00' });
    // Still one drain job that day: its place moved with it.
    const capTokens = (await storedClaims(tenant.tenantId)).filter((c) => c.kind === 'jobTypeDay' && c.date === day && c.status === 'BOOKED');
    expect(capTokens.map((c) => c.bookingId)).toEqual([booking.bookingId]);
  });

  it("R for a member's job offers the member reserve (the day full for everyone else), and 1 moves it there", async () => {
    // Issue 21 (booking/moves.ts isMemberMove): the windows offered by text are those the member's reschedule gets.
    // One technician, daily limit 2 with one kept for members: one job fills a day for non-members.
    const tenant = await withTwilio(
      await routePlumbingCompany([{ id: 'sms-solo', name: 'Sol Solo', postalCodes: ['78701'] }], {
        tenant: { ...twilioMessaging(), memberReserve: 1 } as never,
        dailyJobLimit: 2,
      }),
    );
    const { date: day, start } = (await tenant.call('GET', '/v1/availability?jobTypeId=drain-30&postalCode=78701')).body.windows[0];
    // Three customers (each their own address: one address is one customer).
    const drainAt = (line1: string) => ({ jobTypeId: 'drain-30', address: { ...bookingRequest().address, line1, line2: undefined } });
    await book(tenant, newPhone(), { date: day, start }, drainAt('1 Filler St'));
    const memberPhone = newPhone();
    const otherPhone = newPhone();
    const member = await book(tenant, memberPhone, { date: addDays(day, 3), start: '08:00' }, drainAt('400 Member Way'));
    const other = await book(tenant, otherPhone, { date: addDays(day, 4), start: '08:00' }, drainAt('12 Other St'));
    expect(other.customerId).not.toBe(member.customerId);
    await makeMember(tenant, member.customerId);

    const offeredDays = async (phone: string) => {
      expect(await reply(tenant, phone, 'R')).toMatchObject({ status: 200, action: 'reschedule_offered' });
      const [conversation] = await partitionItems(`T#${tenant.tenantId}#SMSCONV#${phone}`);
      return conversation!.awaiting.options as Array<{ date: string; start: string }>;
    };
    // The non-member is offered nothing on the full day; the member is offered its member reserve there.
    expect((await offeredDays(otherPhone)).filter((w) => w.date === day)).toEqual([]);
    const options = await offeredDays(memberPhone);
    expect(options[0], JSON.stringify(options)).toMatchObject({ date: day });

    expect(await reply(tenant, memberPhone, '1')).toMatchObject({ status: 200, action: 'rescheduled' });
    expect((await tenant.call('GET', `/v1/bookings/${member.bookingId}`)).body.window).toMatchObject({ ...options[0], technicianId: 'sms-solo' });
  });

  it('C confirms the visit', async () => {
    const tenant = await twilioTenant();
    const phone = newPhone();
    const booking = await book(tenant, phone);
    const confirmed = await reply(tenant, phone, 'c');
    expect(confirmed).toMatchObject({ status: 200, action: 'customer_confirmed' });
    expect(confirmed.message).toMatch(/^Thanks Ana, you are confirmed: Drain clog with Lone Star Plumbing & Air on \w{3}, \w{3} \d{1,2}, 10 AM-12 PM\./);
    const [record] = (await itemsWithPrefix(`T#${tenant.tenantId}#BOOKING#${booking.bookingId}`)).filter((i) => i.sk === 'BOOKING');
    expect(record!.customerConfirmedAt).toBeTruthy();
    const activity = (await tenant.call('GET', `/v1/bookings/${booking.bookingId}/activity`)).body;
    expect(activity.timeline).toContainEqual(expect.objectContaining({ node: 'CustomerReply', outcome: 'customer_confirmed' }));
    expect(activity.conversation.map((t: { direction: string; text: string }) => `${t.direction}:${t.text.slice(0, 6)}`)).toEqual(['in:c', 'out:Thanks']);
  });

  it('CX asks first, then YES cancels and gives the capacity back', async () => {
    const tenant = await twilioTenant();
    const phone = newPhone();
    const booking = await book(tenant, phone);
    const asked = await reply(tenant, phone, 'cx');
    expect(asked).toMatchObject({ status: 200, action: 'cancel_asked' });
    expect(asked.message).toMatch(/^Reply YES to cancel your Drain clog visit/);
    expect((await tenant.call('GET', `/v1/bookings/${booking.bookingId}`)).body.status).toBe('confirmed');

    const yes = await reply(tenant, phone, 'YES');
    expect(yes).toMatchObject({ status: 200, action: 'cancelled' });
    const after = (await tenant.call('GET', `/v1/bookings/${booking.bookingId}`)).body;
    expect(after.status).toBe('cancelled');
    expect(await slotsOf(tenant, booking.bookingId)).toEqual([]);
    await deliver();
    const outbox = (await tenant.call('GET', `/v1/outbox?bookingId=${booking.bookingId}`)).body.messages;
    expect(outbox.find((m: { kind: string }) => m.kind === 'cancellation')).toMatchObject({ to: phone });
  });

  it('CANCELAR then NO keeps the visit', async () => {
    const tenant = await twilioTenant();
    const phone = newPhone();
    const booking = await book(tenant, phone);
    expect((await reply(tenant, phone, 'Cancelar')).action).toBe('cancel_asked');
    const kept = await reply(tenant, phone, 'no');
    expect(kept).toMatchObject({ action: 'kept' });
    expect((await tenant.call('GET', `/v1/bookings/${booking.bookingId}`)).body.status).toBe('confirmed');
  });

  it('a free-text reply reaches the dispatcher: a customer_reply review item and an alert in the outbox; the thread is on the booking', async () => {
    const tenant = await twilioTenant();
    const phone = newPhone();
    const booking = await book(tenant, phone);
    const text = 'Can the tech call me 10 min before? The side gate is stuck.';
    const answered = await reply(tenant, phone, text);
    expect(answered).toMatchObject({ status: 200, action: 'customer_reply' });
    expect(answered.message).toMatch(/our dispatcher will get back to you/);

    const items = (await tenant.call('GET', '/v1/review-items?kind=customer_reply')).body.items;
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ subject: { type: 'booking', id: booking.bookingId }, payload: { text } });
    expect(items[0].reason).toContain(text);

    // No sweep: the alert was queued by the reply's handler itself (issue 19: due now goes now).
    await drain('notify');
    const outbox = (await tenant.call('GET', `/v1/outbox?bookingId=${booking.bookingId}`)).body.messages;
    const alert = outbox.find((m: { kind: string }) => m.kind === 'customer_reply_alert');
    expect(alert).toMatchObject({ to: TENANT_NUMBER });
    expect(alert.text).toContain(text);
    expect(alert.text).toContain('Ana Lopez');

    const activity = (await tenant.call('GET', `/v1/bookings/${booking.bookingId}/activity`)).body;
    expect(activity.conversation).toEqual([
      expect.objectContaining({ direction: 'in', text, action: 'customer_reply' }),
      expect.objectContaining({ direction: 'out', text: answered.message }),
    ]);
  });

  it('the same MessageSid delivered twice acts once and answers the same', async () => {
    const tenant = await twilioTenant();
    const phone = newPhone();
    const booking = await book(tenant, phone);
    const sid = `SM${ulid()}`;
    const first = await reply(tenant, phone, 'Is parking on the street ok?', { sid });
    const again = await reply(tenant, phone, 'Is parking on the street ok?', { sid });
    expect(first).toMatchObject({ action: 'customer_reply', replayed: false });
    expect(again).toMatchObject({ action: 'customer_reply', replayed: true, message: first.message });
    expect((await tenant.call('GET', '/v1/review-items?kind=customer_reply')).body.items).toHaveLength(1);
    const alerts = (await itemsWithPrefix(`T#${tenant.tenantId}#BOOKING#${booking.bookingId}`)).filter((i) => i.sk.startsWith('NOTIFY#customer_reply_alert'));
    expect(alerts).toHaveLength(1);
    // Dispatch has it once, with no sweep: the replayed delivery queued nothing again.
    await drain('notify');
    const sent = (await tenant.call('GET', `/v1/outbox?bookingId=${booking.bookingId}`)).body.messages;
    expect(sent.filter((m: { kind: string }) => m.kind === 'customer_reply_alert')).toHaveLength(1);
  });

  it('HELP names the company and how to reach it; ESPAÑOL sets the language; STOP opts out', async () => {
    const tenant = await twilioTenant();
    const phone = newPhone();
    await book(tenant, phone);
    const help = await reply(tenant, phone, 'help');
    expect(help.message).toMatch(/^Lone Star Plumbing & Air: .*Call \(512\) 555-0100 for help\..*Reply STOP to opt out\./);
    const spanish = await reply(tenant, phone, 'Español');
    expect(spanish).toMatchObject({ action: 'language_set' });
    expect(spanish.message).toMatch(/en español/);
    const customer = await customerByPhone(tenant.tenantId, phone);
    expect(customer!.language).toBe('es');
    expect((await reply(tenant, phone, 'STOP')).action).toBe('opted_out');
  });

  it('PAY sends the payment link of the open invoice', async () => {
    const tenant = await twilioTenant();
    const phone = newPhone();
    const booking = await book(tenant, phone);
    expect((await reply(tenant, phone, 'PAY')).action).toBe('nothing_to_pay');
    await updateBooking(tenant.tenantId, booking.bookingId, { invoicedAmountCents: 12_900, invoicedAt: new Date().toISOString() });
    const paid = await reply(tenant, phone, 'pay');
    expect(paid.action).toBe('payment_link_sent');
    expect(paid.message).toMatch(/^Hi Ana, pay your Lone Star Plumbing & Air invoice for Drain clog \(\$129\.00\) here: https:\/\/pay\.jobrelay\.local\//);
  });

  it('refuses a reply that is unsigned or wrongly signed with 403', async () => {
    const tenant = await twilioTenant();
    const phone = newPhone();
    await book(tenant, phone);
    expect((await reply(tenant, phone, 'C', { signature: 'forged' })).status).toBe(403);
    expect((await reply(tenant, phone, 'C', { signature: null })).status).toBe(403);
    // Signed with another account's token.
    const wrongKey = twilioSignature('someone-elses-token', `${inject('apiUrl')}/v1/webhooks/sms/${tenant.tenantId}`.replace('http://', 'https://'), {});
    expect((await reply(tenant, phone, 'C', { signature: wrongKey })).status).toBe(403);
    // A tenant that does not receive by Twilio refuses every reply.
    const outboxTenant = await createTestTenant();
    const refused = await callApi('POST', `/v1/webhooks/sms/${outboxTenant.tenantId}`, {
      rawBody: 'From=%2B15125550142&Body=C&MessageSid=SM1',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': 'x' },
    });
    expect(refused.status).toBe(403);
  });

  it("CANCEL that Twilio took as an opt-out (Advanced Opt-Out's OptOutType=STOP, or its default filtering): the opt-out is recorded, nothing is texted, the visit stays and a person is asked to call", async () => {
    const tenant = await twilioTenant();
    const twilioSaid: Array<Record<string, string>> = [{ MessagingServiceSid: 'MG0123456789abcdef0123456789abcdef', OptOutType: 'STOP' }, {}];
    for (const extra of twilioSaid) {
      const phone = newPhone();
      const booking = await book(tenant, phone);
      const answered = await reply(tenant, phone, 'CANCEL', { extra });
      expect(answered).toMatchObject({ status: 200, action: 'opted_out_cancel_review', message: undefined });
      const customer = await customerByPhone(tenant.tenantId, phone);
      expect(customer!.communicationPreferences.optedOut).toBe(true);
      expect((await tenant.call('GET', `/v1/bookings/${booking.bookingId}`)).body.status).toBe('confirmed');
      const items = (await tenant.call('GET', '/v1/review-items?kind=customer_reply')).body.items.filter(
        (i: { subject: { id: string } }) => i.subject.id === booking.bookingId,
      );
      expect(items).toHaveLength(1);
      expect(items[0].reason).toMatch(/texted CANCEL, which the carrier treats as an opt-out .*call them to cancel or keep the job/);
      await deliver();
      const outbox = (await tenant.call('GET', `/v1/outbox?bookingId=${booking.bookingId}`)).body.messages;
      expect(outbox.find((m: { kind: string }) => m.kind === 'customer_reply_alert')).toMatchObject({
        to: TENANT_NUMBER,
        text: expect.stringContaining('"CANCEL"'),
      });
    }
  });

  it('with Advanced Opt-Out and CANCEL not among its keywords (a Messaging Service, no OptOutType), CANCEL asks to confirm; HELP says CX', async () => {
    const tenant = await twilioTenant();
    const phone = newPhone();
    await book(tenant, phone);
    const viaService = { MessagingServiceSid: 'MG0123456789abcdef0123456789abcdef' };
    expect((await reply(tenant, phone, 'CANCEL', { extra: viaService })).action).toBe('cancel_asked');
    expect((await reply(tenant, phone, 'HELP', { extra: viaService })).message).toContain('CX to cancel');
  });

  it('free text from a number with no booking reaches the dispatcher: a review item and an alert', async () => {
    const tenant = await twilioTenant();
    const phone = newPhone();
    const text = 'Do you service water softeners in Round Rock?';
    const answered = await reply(tenant, phone, text);
    expect(answered).toMatchObject({ status: 200, action: 'customer_reply' });
    const items = (await tenant.call('GET', '/v1/review-items?kind=customer_reply')).body.items;
    expect(items).toEqual([expect.objectContaining({ subject: { type: 'phone', id: phone }, payload: expect.objectContaining({ text }) })]);
    // No sweep: queued by the reply's handler.
    await drain('notify');
    const alerts = (await tenant.call('GET', '/v1/outbox')).body.messages.filter((m: { kind: string }) => m.kind === 'customer_reply_alert');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ to: TENANT_NUMBER });
    expect(alerts[0].text).toContain(`(no booking for this number): "${text}"`);
  });
});

describe('payment links through Stripe', { timeout: 180_000 }, () => {
  const stripe = new StripeContract('sk_test_jobrelay_links');
  beforeAll(async () => {
    await stripe.start();
  });
  afterAll(async () => {
    await stripe.stop();
  });

  async function stripeTenant(secretKey = stripe.secretKey): Promise<TestTenant> {
    const tenant = await twilioTenant({ payments: { provider: 'stripe', apiUrl: stripe.url, currency: 'usd', timeoutMs: 2_000 } });
    await setCredential(tenant, 'payments', { provider: 'stripe', secretKey });
    return tenant;
  }
  const linksOf = (bookingId: string) => stripe.paymentLinks.filter((l) => l.metadata.bookingId === bookingId);

  it('PAY makes one Stripe Payment Link per invoice and amount, stored; the payment reminder carries the same link', async () => {
    const tenant = await stripeTenant();
    const phone = newPhone();
    const booking = await book(tenant, phone);
    await updateBooking(tenant.tenantId, booking.bookingId, { invoicedAmountCents: 12_900, invoicedAt: new Date().toISOString() });

    const paid = await reply(tenant, phone, 'PAY');
    expect(paid.action).toBe('payment_link_sent');
    const [link] = linksOf(booking.bookingId);
    expect(link).toMatchObject({ amount: 12_900, currency: 'usd', name: 'Lone Star Plumbing & Air: Drain clog invoice', completedSessionsLimit: 1 });
    expect(paid.message).toBe(`Hi Ana, pay your Lone Star Plumbing & Air invoice for Drain clog ($129.00) here: ${link!.url}`);
    const request = stripe.requestsTo('POST', /^\/v1\/payment_links$/).at(-1)!;
    expect(request.headers).toMatchObject({ authorization: `Bearer ${stripe.secretKey}`, 'stripe-version': '2025-07-30.basil' });
    expect(request.headers['idempotency-key']).toContain(booking.bookingId);

    // Again: the stored link, no second request to Stripe.
    expect((await reply(tenant, phone, 'pay')).message).toContain(link!.url);
    expect(linksOf(booking.bookingId)).toHaveLength(1);

    // The payment reminder carries it too.
    await putLedgerRows(tenant.tenantId, booking.bookingId, [{ kind: 'payment_reminder', channel: 'sms', dueAt: new Date().toISOString() }]);
    await deliver();
    const outbox = (await tenant.call('GET', `/v1/outbox?bookingId=${booking.bookingId}`)).body.messages;
    expect(outbox.find((m: { kind: string }) => m.kind === 'payment_reminder').text).toContain(`Pay here: ${link!.url}`);
    expect(linksOf(booking.bookingId)).toHaveLength(1);

    // Another amount on the invoice is another link.
    await updateBooking(tenant.tenantId, booking.bookingId, { invoicedAmountCents: 15_000 });
    expect((await reply(tenant, phone, 'PAY')).message).toContain('($150.00)');
    expect(linksOf(booking.bookingId).map((l) => l.amount)).toEqual([12_900, 15_000]);
  });

  it('Stripe down (503, 429) or refusing (401): PAY gets an honest answer and the dispatcher a review item; once Stripe is back, PAY sends the link', async () => {
    const tenant = await stripeTenant();
    const phone = newPhone();
    const booking = await book(tenant, phone);
    await updateBooking(tenant.tenantId, booking.bookingId, { invoicedAmountCents: 8_000, invoicedAt: new Date().toISOString() });

    stripe.startOutage({ status: 503 });
    let answered: Awaited<ReturnType<typeof reply>>;
    try {
      answered = await reply(tenant, phone, 'PAY');
    } finally {
      stripe.recover();
    }
    expect(answered).toMatchObject({ status: 200, action: 'customer_reply' });
    expect(answered.message).toMatch(/^Sorry Ana, Lone Star Plumbing & Air cannot make your payment link right now\. Our dispatcher will send it/);
    stripe.failNext({ status: 429, retryAfter: '1' }, 1, (r) => r.path === '/v1/payment_links');
    expect((await reply(tenant, phone, 'PAY')).action).toBe('customer_reply');
    const items = (await tenant.call('GET', '/v1/review-items?kind=customer_reply')).body.items;
    expect(items.map((i: { reason: string }) => i.reason)).toEqual([
      expect.stringMatching(/no payment link could be made \(unavailable: Stripe answered (503|429)/),
      expect.stringMatching(/no payment link could be made \(unavailable: Stripe answered (503|429)/),
    ]);
    expect(linksOf(booking.bookingId)).toEqual([]);

    const paid = await reply(tenant, phone, 'PAY');
    expect(paid.action).toBe('payment_link_sent');
    expect(paid.message).toContain(linksOf(booking.bookingId)[0]!.url);

    // A wrong secret key: Stripe refuses (401), a person must look.
    const refused = await stripeTenant('sk_test_wrong');
    const other = newPhone();
    const unpaid = await book(refused, other);
    await updateBooking(refused.tenantId, unpaid.bookingId, { invoicedAmountCents: 8_000, invoicedAt: new Date().toISOString() });
    expect((await reply(refused, other, 'PAY')).message).toMatch(/cannot make your payment link right now/);
    const [item] = (await refused.call('GET', '/v1/review-items?kind=customer_reply')).body.items;
    expect(item.reason).toMatch(/refused: Stripe refused the payment link: 401/);
  });
});
