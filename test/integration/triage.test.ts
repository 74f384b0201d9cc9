/**
 * Triage through the HTTP API: POST /v1/triage answers with intent, urgency, job type and route,
 * and a booking without a job type is triaged from what the caller said.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { bookingRequest, createTestTenant, nextWeekday, type TestTenant } from './helpers';

let tenant: TestTenant;

beforeAll(async () => {
  tenant = await createTestTenant();
});

function withoutJobType(overrides: Record<string, unknown>) {
  const body = bookingRequest(overrides);
  delete body.jobTypeId;
  return body;
}

describe('POST /v1/triage', () => {
  it('classifies a routine request and says to book it', async () => {
    const response = await tenant.call('POST', '/v1/triage', {
      text: 'My kitchen sink is clogged and backs up',
      channel: 'voice',
      callerNumber: '+15125550142',
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ intent: 'routine_service', trade: 'plumbing', route: 'book_now', jobType: { jobTypeId: 'plumbing-drain-clog' } });
    expect(response.body.reasons.length).toBeGreaterThan(0);
  });

  it('sends a gas smell down the emergency path', async () => {
    const response = await tenant.call('POST', '/v1/triage', { text: 'I smell gas in the kitchen', channel: 'chat' });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ intent: 'emergency', urgency: 'emergency', route: 'emergency_path' });
    expect(response.body.reasons.join(' ')).toContain('gas');
  });

  it('reads a temperature: no heat at 40 degrees inside is an emergency', async () => {
    const response = await tenant.call('POST', '/v1/triage', { text: "no heat and it's 40 degrees inside", channel: 'voice' });
    expect(response.body).toMatchObject({ intent: 'emergency', route: 'emergency_path', jobType: { jobTypeId: 'hvac-no-heat' } });
  });

  it('accepts a text message (channel sms) and reads a mixed-language emergency with numbers as words', async () => {
    const response = await tenant.call('POST', '/v1/triage', {
      text: 'hola, the furnace no prende y hace veinte grados afuera, my mom is eighty',
      channel: 'sms',
      callerNumber: '+15125550177',
    });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.body).toMatchObject({ intent: 'emergency', urgency: 'emergency', route: 'emergency_path', channel: 'sms' });
    expect(response.body.jobType).toMatchObject({ jobTypeId: 'hvac-no-heat' });
  });

  it('finds the dangerous request at the end of a message, and tells vendors from customers', async () => {
    const multi = await tenant.call('POST', '/v1/triage', {
      text: 'can I renew my membership? also the breaker panel is hot to the touch and smells like burning',
      channel: 'chat',
    });
    expect(multi.body).toMatchObject({ intent: 'emergency', urgency: 'emergency', route: 'emergency_path' });
    const vendor = await tenant.call('POST', '/v1/triage', {
      text: "Hi, I'm a sales rep with a parts distributor, who does your purchasing?",
      channel: 'voice',
    });
    expect(vendor.body).toMatchObject({ intent: 'other', urgency: 'routine', route: 'human' });
  });

  it('routes billing, membership and quotes to their desks, and the unclear to a person', async () => {
    const cases: Array<[string, string]> = [
      ['I was charged twice for the same visit', 'billing'],
      ['I want to sign up for your membership plan', 'membership_desk'],
      ['how much to replace a 40 gallon water heater?', 'estimate_visit'],
      ['I need someone to come look at something', 'human'],
    ];
    for (const [text, route] of cases) {
      const response = await tenant.call('POST', '/v1/triage', { text, channel: 'chat' });
      expect(response.body.route, text).toBe(route);
    }
  });

  it('uses the tenant rules from the company settings', async () => {
    const settings = await tenant.call('GET', '/v1/config/company');
    expect(settings.status).toBe(200);
    const { DEFAULT_TRIAGE_RULES } = await import('../../functions/triage/rules');
    const put = await tenant.call('PUT', '/v1/config/company', {
      ...settings.body,
      triage: { ...DEFAULT_TRIAGE_RULES, emergencies: [...DEFAULT_TRIAGE_RULES.emergencies, { reason: 'well pump out', phrases: ['well pump'] }] },
    });
    expect(put.status).toBe(200);
    const response = await tenant.call('POST', '/v1/triage', { text: 'the well pump quit', channel: 'voice' });
    expect(response.body).toMatchObject({ intent: 'emergency', route: 'emergency_path' });
  });

  it('answers 400 on a bad body and 401 without a key', async () => {
    expect((await tenant.call('POST', '/v1/triage', { channel: 'voice' })).status).toBe(400);
    expect((await tenant.call('POST', '/v1/triage', { text: 'hi', channel: 'carrier-pigeon' })).status).toBe(400);
    const { callApi } = await import('./helpers');
    expect((await callApi('POST', '/v1/triage', { body: { text: 'hi', channel: 'voice' } })).status).toBe(401);
  });
});

describe('POST /v1/bookings without a job type', () => {
  it('books the job type triage is confident of', async () => {
    const body = withoutJobType({
      request: "my water heater is leaking and there's no hot water",
      window: { date: nextWeekday(3), start: '10:00' },
      transcript: [{ role: 'customer', text: "my water heater is leaking and there's no hot water" }],
    });
    const response = await tenant.call('POST', '/v1/bookings', body, { 'Idempotency-Key': `triage-wh-${Date.now()}` });
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    expect(response.body.jobTypeId).toBe('plumbing-water-heater-repair');
    // Why this job type stays with the booking, for dispatch and the console.
    const stored = (await tenant.call('GET', `/v1/bookings/${response.body.bookingId}`)).body;
    expect(stored.triage).toMatchObject({ jobType: { jobTypeId: 'plumbing-water-heater-repair' }, route: 'book_now' });
    expect(stored.triage.reasons.length).toBeGreaterThan(0);
  });

  it('books an emergency triaged from the words alone on the emergency path: emergency job type, on-call alerted', async () => {
    const body = withoutJobType({
      request: 'A pipe burst under the sink and water is everywhere',
      // A window on a coming weekday keeps the test independent of the time of day it runs.
      window: { date: nextWeekday(4), start: '10:00' },
      transcript: [],
      customer: { name: 'Flood Person', phone: '(512) 555-0133' },
    });
    const response = await tenant.call('POST', '/v1/bookings', body, { 'Idempotency-Key': `triage-burst-${Date.now()}` });
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    expect(response.body.jobTypeId).toBe('plumbing-burst-pipe');
    const stored = (await tenant.call('GET', `/v1/bookings/${response.body.bookingId}`)).body;
    expect(stored.triage).toMatchObject({ intent: 'emergency', urgency: 'emergency', route: 'emergency_path' });
    const activity = JSON.stringify((await tenant.call('GET', `/v1/bookings/${response.body.bookingId}/activity`)).body);
    expect(activity).toContain('oncall_alert');
  });

  it('answers 400 on jobTypeId with the triage answer when it is not sure', async () => {
    const body = withoutJobType({ request: 'I need someone to come look at something', transcript: [] });
    const response = await tenant.call('POST', '/v1/bookings', body);
    expect(response.status).toBe(400);
    expect(response.body.error.field).toBe('jobTypeId');
    expect(response.body.triage).toMatchObject({ route: 'human' });
    // A person calls back: the review queue keeps who called and what they said (once per request).
    const item = (await tenant.call('GET', `/v1/review-items/${response.body.reviewItemId}`)).body;
    expect(item).toMatchObject({
      kind: 'needs_triage',
      status: 'open',
      payload: { request: 'I need someone to come look at something', triage: { route: 'human' } },
    });
    expect(item.payload.customer.phone).toBe(body.customer.phone);
    expect((await tenant.call('POST', '/v1/bookings', body)).body.reviewItemId).toBe(response.body.reviewItemId);
  });

  it('answers 400 with the emergency path when a gas smell has no job type, so the bot escalates', async () => {
    const body = withoutJobType({ request: 'I smell gas in the house', transcript: [] });
    const response = await tenant.call('POST', '/v1/bookings', body);
    expect(response.status).toBe(400);
    expect(response.body.triage).toMatchObject({ intent: 'emergency', route: 'emergency_path' });
    const item = (await tenant.call('GET', `/v1/review-items/${response.body.reviewItemId}`)).body;
    expect(item.kind).toBe('needs_triage');
    expect(item.reason).toMatch(/^Emergency .*call the customer back now/);
  });

  it('books a request that came by text message (channel sms) and keeps the channel', async () => {
    const body = withoutJobType({
      request: 'toilet is clogged, only one in the house',
      channel: 'sms',
      window: { date: nextWeekday(2), start: '12:00' },
      transcript: [],
      customer: { name: 'Text Person', phone: '(512) 555-0178' },
    });
    const response = await tenant.call('POST', '/v1/bookings', body, { 'Idempotency-Key': `triage-sms-${Date.now()}` });
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    expect(response.body.jobTypeId).toBe('plumbing-drain-clog');
    const stored = (await tenant.call('GET', `/v1/bookings/${response.body.bookingId}`)).body;
    expect(stored.channel).toBe('sms');
    expect(stored.triage).toMatchObject({ urgency: 'urgent' });
  });

  it('answers 400 on jobTypeId when there is neither a job type nor a request', async () => {
    const body = withoutJobType({ transcript: [] });
    const response = await tenant.call('POST', '/v1/bookings', body);
    expect(response.status).toBe(400);
    expect(response.body.error.field).toBe('jobTypeId');
  });
});
