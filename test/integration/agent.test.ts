/**
 * Bots plug in (issue 20): the MCP server through the SDK's own client over HTTP, Vapi's and Retell's
 * documented tool-call payloads (test/fixtures/voice/), the platforms' secrets and signatures, and
 * tool errors an agent can act on. The scripted conversation is agent-conversation.test.ts.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { sign as retellSign } from 'retell-sdk/lib/webhook_auth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOOL_NAMES } from '../../functions/agent/tools';
import { callApi, createTestTenant, nextWeekday, setCredential, type TestTenant } from './helpers';
import { fixture, mcpCallTool, mcpClient, vapiMessage } from './agent-helpers';

let tenant: TestTenant;
let client: Client;

beforeAll(async () => {
  tenant = await createTestTenant();
  client = await mcpClient(tenant.apiKey);
});

afterAll(async () => {
  await client?.close();
});

const bookingArgs = (overrides: Record<string, unknown> = {}) => ({
  customer: { name: 'Sam Okafor', phone: '(512) 555-0163' },
  address: { line1: '1100 Congress Ave', city: 'Austin', region: 'TX', postalCode: '78701', country: 'US' },
  jobTypeId: 'plumbing-drain-clog',
  channel: 'voice',
  ...overrides,
});

describe('MCP server at /v1/mcp (SDK client, Streamable HTTP, stateless)', () => {
  it('lists the nine tools with the JSON Schemas of their routes', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual([...TOOL_NAMES].sort());
    const create = tools.find((tool) => tool.name === 'create_booking')!;
    expect(create.inputSchema.required).toEqual(expect.arrayContaining(['customer', 'address', 'channel']));
    expect(create.inputSchema.properties).toHaveProperty('holdId');
    const reschedule = tools.find((tool) => tool.name === 'reschedule_booking')!;
    expect(reschedule.inputSchema.required).toContain('id');
    expect(reschedule.inputSchema.properties).toHaveProperty('window');
  });

  it('a wrong key: the route answers 401 before MCP starts, and the SDK client fails to connect with that 401', async () => {
    const raw = await callApi('POST', '/v1/mcp', {
      body: { jsonrpc: '2.0', id: 1, method: 'tools/list' },
      headers: { authorization: 'Bearer jr_not_a_real_key_000000', accept: 'application/json, text/event-stream' },
    });
    expect(raw.status).toBe(401);
    expect(raw.body.error.code).toBe('unauthorized');
    await expect(mcpClient('jr_not_a_real_key_000000')).rejects.toMatchObject({ code: 401, message: expect.stringContaining('unauthorized') });
  });

  it('a key without the bookings scope is refused at the door (403)', async () => {
    const { issueApiKey } = await import('../../functions/admin/store');
    const reports = (await issueApiKey(tenant.tenantId, { name: 'reports only', scopes: ['reports'] })).apiKey;
    await expect(mcpClient(reports)).rejects.toMatchObject({ code: 403, message: expect.stringContaining('forbidden') });
  });

  it('holds a window while the agent confirms, then books exactly that window', async () => {
    const call = mcpCallTool(client);
    const date = nextWeekday(2, 3);
    const hold = await call('hold_window', { jobTypeId: 'plumbing-drain-clog', postalCode: '78701', window: { date, start: '12:00' } });
    expect(hold.isError, hold.text).toBe(false);
    expect(hold.data).toMatchObject({ status: 'HELD', window: { date, start: '12:00' } });
    expect(hold.text).toContain(hold.data.holdId);

    const booking = await call('create_booking', bookingArgs({ holdId: hold.data.holdId }));
    expect(booking.isError, booking.text).toBe(false);
    expect(booking.data).toMatchObject({ status: 'confirmed', window: { date, start: '12:00', technicianId: hold.data.window.technicianId } });
    expect(booking.text).toMatch(/is booked and confirmed for/);

    const read = await call('get_booking', { id: booking.data.bookingId });
    expect(read.data.status).toBe('confirmed');
    const held = await tenant.call('GET', `/v1/holds/${hold.data.holdId}`);
    expect(held.body.status).toBe('BOOKED');

    const moved = await call('reschedule_booking', { id: booking.data.bookingId, window: { date, start: '08:00' }, reason: 'caller asked' });
    expect(moved.isError, moved.text).toBe(false);
    expect(moved.data.window).toMatchObject({ date, start: '08:00' });
    const cancelled = await call('cancel_booking', { id: booking.data.bookingId, reason: 'caller changed plans' });
    expect(cancelled.isError, cancelled.text).toBe(false);
    expect(cancelled.data.status).toBe('cancelled');
  });

  it('bad arguments are tool errors naming the field, never transport errors', async () => {
    const call = mcpCallTool(client);
    const badPhone = await call('create_booking', bookingArgs({ customer: { name: 'Sam Okafor', phone: '12' } }));
    expect(badPhone.isError).toBe(true);
    expect(badPhone.data.error).toMatchObject({ code: 'invalid_request', field: 'customer.phone' });
    expect(badPhone.text).toContain('customer.phone');

    const missing = await call('check_availability', { postalCode: '78701' });
    expect(missing).toMatchObject({ isError: true, data: { error: { field: 'query.jobTypeId' } } });

    const unknown = await call('no_such_tool', {});
    expect(unknown.isError).toBe(true);
    const notFound = await call('get_booking', { id: 'no-such-booking' });
    expect(notFound).toMatchObject({ isError: true, data: { error: { code: 'not_found' } } });
  });

  it('a taken window: the hold is a tool error with what is open instead', async () => {
    const call = mcpCallTool(client);
    const date = nextWeekday(4, 3);
    const availability = await call('check_availability', { jobTypeId: 'hvac-maintenance', postalCode: '78701', from: date, to: date });
    const window = availability.data.windows.find((w: { start: string }) => w.start === '10:00') ?? availability.data.windows[0];
    for (let i = 0; i < window.capacity; i++) {
      const taken = await tenant.call('POST', '/v1/holds', { jobTypeId: 'hvac-maintenance', postalCode: '78701', window: { date, start: window.start } });
      expect(taken.status, JSON.stringify(taken.body)).toBe(201);
    }
    const refused = await call('hold_window', { jobTypeId: 'hvac-maintenance', postalCode: '78701', window: { date, start: window.start } });
    expect(refused.isError).toBe(true);
    expect(refused.data.error.code).toBe('window_unavailable');
    expect(refused.data.alternatives.length).toBeGreaterThan(0);
    expect(refused.text).toMatch(/^That window was just taken; these? .* open: /);
  });

  it('hand_off_to_human opens a review item with the transcript', async () => {
    const call = mcpCallTool(client);
    const transcript = [
      { role: 'agent', text: 'How can I help?' },
      { role: 'customer', text: 'I want to talk to a person about my bill.' },
    ];
    const handOff = await call('hand_off_to_human', { reason: 'Caller asked for a person (billing)', callerPhone: '+15125550163', transcript });
    expect(handOff.isError, handOff.text).toBe(false);
    const item = await tenant.call('GET', `/v1/review-items/${handOff.data.reviewItemId}`);
    expect(item.status).toBe(200);
    expect(item.body).toMatchObject({
      kind: 'agent_handoff',
      status: 'open',
      reason: 'Caller asked for a person (billing)',
      payload: { transcript, via: 'mcp' },
    });
  });
});

describe('Vapi: POST /v1/voice/vapi/tool-calls', () => {
  const post = (body: unknown, headers: Record<string, string> = {}, apiKey = tenant.apiKey) =>
    callApi('POST', '/v1/voice/vapi/tool-calls', { body, headers: { authorization: `Bearer ${apiKey}`, ...headers } });

  it('answers the documented tool-calls message with results[{toolCallId, result}]', async () => {
    const response = await post(fixture('vapi-tool-calls.json'));
    expect(response.status).toBe(200);
    expect(response.body.results).toHaveLength(1);
    expect(response.body.results[0]).toMatchObject({ toolCallId: 'toolu_01DTPAzUm5Gk3zxrpJ969oMF', name: 'check_availability' });
    const result = JSON.parse(response.body.results[0].result);
    expect(result.isError).toBe(false);
    expect(result.result).toMatch(/^Open windows: /);
    expect(result.data.windows.length).toBeGreaterThan(0);
  });

  it('takes OpenAI-style tool calls with arguments as a JSON string', async () => {
    const response = await post(fixture('vapi-tool-calls-openai.json'));
    expect(response.status).toBe(200);
    const result = JSON.parse(response.body.results[0].result);
    expect(result.data).toMatchObject({ trade: 'plumbing', jobType: { jobTypeId: 'plumbing-water-heater-repair' } });
  });

  it('acknowledges other server messages; a malformed message is a 400 naming the field', async () => {
    expect((await post({ message: { type: 'status-update', status: 'in-progress' } })).body).toEqual({});
    const bad = await post({ message: { type: 'tool-calls', toolCallList: [{ name: 'get_booking' }] } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('message.toolCallList.0.id');
    expect((await post(fixture('vapi-tool-calls.json'), {}, 'jr_not_a_real_key_000000')).status).toBe(401);
  });

  it('once the account sets a Vapi secret, X-Vapi-Secret must carry it', async () => {
    const own = await createTestTenant();
    await setCredential(own, 'vapi', { secret: 'vapi-secret-0123456789' });
    const message = vapiMessage('check_availability', { jobTypeId: 'plumbing-drain-clog', postalCode: '78701' });
    expect((await post(message, {}, own.apiKey)).status).toBe(401);
    expect((await post(message, { 'x-vapi-secret': 'vapi-secret-wrong-000000' }, own.apiKey)).status).toBe(401);
    expect((await post(message, { 'x-vapi-secret': 'vapi-secret-0123456789' }, own.apiKey)).status).toBe(200);
  });
});

describe('Retell: POST /v1/voice/retell/functions/{name}', () => {
  const RETELL_KEY = 'key_retell_test_0123456789abcdef';
  let own: TestTenant;

  beforeAll(async () => {
    own = await createTestTenant();
    await setCredential(own, 'retell', { apiKey: RETELL_KEY });
  });

  const postRaw = (name: string, raw: string, headers: Record<string, string>, apiKey: string) =>
    callApi('POST', `/v1/voice/retell/functions/${name}`, { rawBody: raw, headers: { authorization: `Bearer ${apiKey}`, ...headers } });

  it('answers the documented custom function call, signed as Retell signs it', async () => {
    const raw = JSON.stringify(fixture('retell-function-call.json'));
    const response = await postRaw('check_availability', raw, { 'x-retell-signature': await retellSign(raw, RETELL_KEY) }, own.apiKey);
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.body).toMatchObject({ isError: false, result: expect.stringMatching(/^Open windows: /) });
    expect(response.body.data.windows.length).toBeGreaterThan(0);
  });

  it('refuses an unsigned, wrongly signed or stale call', async () => {
    const raw = JSON.stringify(fixture('retell-function-call.json'));
    expect((await postRaw('check_availability', raw, {}, own.apiKey)).status).toBe(401);
    const wrong = await retellSign(raw, 'key_someone_else_0123456789');
    expect((await postRaw('check_availability', raw, { 'x-retell-signature': wrong }, own.apiKey)).status).toBe(401);
    const tampered = raw.replace('78701', '78702');
    expect((await postRaw('check_availability', tampered, { 'x-retell-signature': await retellSign(raw, RETELL_KEY) }, own.apiKey)).status).toBe(401);
  });

  it('without a Retell key set, the API key alone admits; args-only payloads work; a refusal is still 200', async () => {
    const response = await postRaw('check_availability', JSON.stringify({ jobTypeId: 'plumbing-drain-clog', postalCode: '78701' }), {}, tenant.apiKey);
    expect(response.status).toBe(200);
    expect(response.body.isError).toBe(false);
    const refused = await postRaw('get_booking', JSON.stringify({ name: 'get_booking', args: { id: 'nope' }, call: {} }), {}, tenant.apiKey);
    expect(refused.status).toBe(200);
    expect(refused.body).toMatchObject({ isError: true, data: { error: { code: 'not_found' } } });
    const mismatch = await postRaw('get_booking', JSON.stringify({ name: 'cancel_booking', args: {} }), {}, tenant.apiKey);
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.error.field).toBe('name');
  });
});
